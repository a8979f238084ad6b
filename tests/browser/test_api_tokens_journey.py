"""A person makes an API token in the browser, uses it, revokes it; the API docs load offline."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from api.models import ApiToken
from tests.browser.expect import expect
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _me(live_server, secret: str) -> int:
    request = urllib.request.Request(  # nosec B310: the test's own live server
        f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310
            assert json.loads(response.read())["email"] == "bob@example.com"
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_person_makes_uses_and_revokes_a_token(page, live_server, login, screenshot, bob):
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("Finance sync")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token “Finance sync”")).to_be_visible()
    secret = page.get_by_label("Token", exact=True).input_value()
    assert secret.startswith("glt_")
    screenshot(page, "api_token_created")
    assert _me(live_server, secret) == 200

    # Shown once: the list names the token by its first characters only.
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("cell", name="Finance sync", exact=True)).to_be_visible()
    assert secret not in page.content()

    page.get_by_role("button", name="Revoke Finance sync").click()
    expect(page.get_by_text("Revoked “Finance sync”: it is refused from now on.")).to_be_visible()
    assert ApiToken.objects.get().revoked_at is not None
    assert _me(live_server, secret) == 401


def test_the_docs_page_renders_under_the_content_security_policy(page, live_server, screenshot):
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("/api/v1/projects/{key}/decisions").first).to_be_visible()
    expect(page.get_by_text("Greenlight API").first).to_be_visible()
    screenshot(page, "api_docs")
    assert not violations, violations
    assert all(url.startswith(live_server.url) for url in failed), failed
