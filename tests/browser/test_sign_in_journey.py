"""Signing in through the form, the way a person does (the ``login`` fixture of the other
browser tests sets a session cookie instead)."""

from __future__ import annotations

import pytest

from tests.browser.expect import expect
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_wrong_password_is_refused_then_the_right_one_signs_in_and_out(page, live_server, bob):
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_role("heading", name="Sign in to Greenlight")).to_be_visible()
    page.get_by_label("E-mail address").fill(bob.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in to Greenlight")).to_be_visible()
    expect(page.get_by_text("Please enter a correct")).to_be_visible()

    page.get_by_label("E-mail address").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back to the page asked for, signed in.
    expect(page).to_have_url(f"{live_server.url}/projects/")
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Greenlight")).to_be_visible()
    page.goto(f"{live_server.url}/projects/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/projects/")
