"""Text a person wrote without spaces wraps inside the page instead of widening it."""

from __future__ import annotations

import datetime

import pytest

from portfolio import services
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_project

pytestmark = pytest.mark.django_db(transaction=True)

UNBROKEN = "x" * 10_000


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups, which the previous live-server test's flush may have removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()


@pytest.mark.parametrize("width", [1280, 390])
def test_unbroken_text_stays_within_the_viewport(page, live_server, login, alice, bob, width):
    project = make_project(
        key="LONG-1",
        title="T" * 150,
        researcher=alice,
        product_manager=bob,
        business_case=UNBROKEN,
        hypothesis=UNBROKEN,
    )
    services.register_artifact(
        project=project,
        actor=alice,
        kind="dataset",
        name="N" * 150,
        key="AR-0001",
        created_on=datetime.date(2026, 1, 20),
        description=UNBROKEN,
        location="s3://" + "l" * 300,
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, alice.email, PASSWORD)
    for path, heading in (("/projects/LONG-1/", "The proposal"), ("/artifacts/AR-0001/", None)):
        page.goto(f"{live_server.url}{path}")
        if heading:
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} at {width} px is {overflow} px too wide"
