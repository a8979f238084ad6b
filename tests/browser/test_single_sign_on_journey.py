"""Signing in and out through the company's identity provider, in a real browser.

The provider is tests/identity_provider.py's: a real OpenID provider on the loopback,
whose own page asks which person to sign in as. Chromium follows every redirect
itself, so the Content-Security-Policy's form-action must let the sign-in and
sign-out forms lead there.
"""

from __future__ import annotations

import pytest

from portfolio.models import User
from tests.browser.expect import expect
from tests.identity_provider import configure

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def provider(settings, identity_provider, transactional_db):
    configure(settings, identity_provider)
    return identity_provider


@pytest.fixture
def offline(page):
    """The provider's page asks a CDN for its stylesheet; nothing leaves the machine."""
    page.context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "http://localhost"))
            else route.abort()
        ),
    )
    return page


def test_a_newcomer_signs_in_and_out_with_the_provider(
    provider, offline, live_server, screenshot, axe
):
    page = offline
    provider.person(
        "journey-nadia", email="Nadia@Example.com", email_verified=True, name="Nadia New"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    found = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert found.response["violations"] == []
    screenshot(page, "sso-sign-in")

    page.get_by_role("button", name="Sign in with Example ID").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_label("Subject").fill("journey-nadia")
    page.get_by_role("button", name="Authorize", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".account .who")).to_contain_text("Nadia New")
    assert User.objects.get(email="nadia@example.com").roles == []

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="End Session")).to_be_visible()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", name="Sign in to Greenlight")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_an_unverified_address_is_refused_on_the_sign_in_page(provider, offline, live_server):
    page = offline
    page.set_viewport_size({"width": 390, "height": 844})
    provider.person("journey-uma", email="uma@example.com", email_verified=False)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Example ID").click()
    page.get_by_label("Subject").fill("journey-uma")
    page.get_by_role("button", name="Authorize", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Example ID has not verified the e-mail address uma@example.com"
    )
    assert page.url == f"{live_server.url}/accounts/login/"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
