"""A hand-over in a real browser: a researcher submits, the product manager sees the unread
count, opens the notification and marks it read (by htmx, and all at once without it)."""

from __future__ import annotations

import re

import pytest

from portfolio.models import Notification, Status
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_notification, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups, which the previous live-server test's flush may have removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()


def test_the_product_manager_is_told_of_a_submitted_proposal(
    role_groups, browser, page, live_server, login, screenshot, alice, bob
):
    draft = make_project(
        key="CHURN-26",
        title="Predict churn a month ahead",
        status=Status.DRAFT,
        researcher=alice,
        product_manager=bob,
    )
    make_notification(bob, "An older hand-over", read=True)
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.get_by_role("button", name="Submit for gate 1").click()
    expect(page.get_by_text("is submitted and waits at gate 1")).to_be_visible()

    bobs = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        pm = bobs.new_page()
        login(pm, live_server, bob.email, PASSWORD)
        pm.goto(f"{live_server.url}/")
        link = pm.get_by_role("link", name=re.compile(r"^Notifications 1 unread"))
        expect(link).to_be_visible()
        link.click()
        expect(pm.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
        item = pm.locator("li.notification.unread")
        expect(item).to_have_count(1)
        expect(item).to_contain_text("New proposal at gate 1: CHURN-26")
        screenshot(pm, "notifications_unread")

        # Mark it read in place (htmx): the item and the header's count change, no reload.
        pm.get_by_role("button", name=re.compile("Mark as read")).click()
        expect(pm.locator("li.notification.unread")).to_have_count(0)
        expect(pm.locator("#unread-count")).to_have_text("")
        assert Notification.objects.get(subject__contains="CHURN-26").read_at is not None

        # Opening it leads to the gate review it hands over.
        pm.get_by_role("link", name=re.compile("New proposal at gate 1: CHURN-26")).click()
        expect(pm).to_have_url(re.compile(r"/projects/CHURN-26/gate-review/$"))
        screenshot(pm, "notifications_opened")
    finally:
        bobs.close()


def test_mark_all_read_works_without_javascript(
    role_groups, browser, live_server, login, alice, bob
):
    for n in range(3):
        make_notification(bob, f"Estimate {n} written")
    plain = browser.new_context(viewport={"width": 390, "height": 800}, java_script_enabled=False)
    try:
        page = plain.new_page()
        login(page, live_server, bob.email, PASSWORD)
        page.goto(f"{live_server.url}/notifications/")
        expect(page.locator("#unread-count")).to_contain_text("3")
        page.get_by_role("button", name=re.compile("Mark as read: Estimate 1")).click()
        expect(page.locator("#unread-count")).to_contain_text("2")
        page.get_by_role("button", name="Mark all as read").click()
        expect(page.get_by_text("2 notifications marked as read.")).to_be_visible()
        expect(page.locator("li.notification.unread")).to_have_count(0)
    finally:
        plain.close()
