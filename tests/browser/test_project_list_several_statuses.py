"""The project list's statuses in a real browser: several ticked by keyboard, and by a thumb
at 390 px. Each box ticked swaps the table in (htmx) and the address names every status
ticked, so a reload or a shared link opens the same list."""

from __future__ import annotations

import re

import pytest

from portfolio.models import Status
from tests.browser.expect import expect
from tests.browser.test_every_page import (
    PHONE_RULES,
    SMALL_TARGETS_JS,
    TOUCH_TARGET_PX,
    WCAG_22_AA,
    violations,
)
from tests.builders import PASSWORD, make_project

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def portfolio(transactional_db, bob):
    make_project(key="ACT-1", title="Upsell recommender", status=Status.ACTIVE, product_manager=bob)
    make_project(key="HOLD-1", title="Renewal nudges", status=Status.ON_HOLD, product_manager=bob)
    make_project(
        key="KILL-1",
        title="Voice assistant",
        status=Status.KILLED,
        current_gate=None,
        product_manager=bob,
    )
    make_project(
        key="GREEN-1",
        title="Invoice triage",
        status=Status.GREENLIT,
        current_gate=None,
        product_manager=bob,
    )


def _rows(page) -> list[str]:
    return page.locator("#project-table tbody tr td:first-child").all_inner_texts()


def test_several_statuses_by_keyboard_keep_the_url(
    page, live_server, login, axe, screenshot, alice, portfolio
):
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/")
    expect(page.locator("#project-table tbody tr")).to_have_count(4)
    page.evaluate("window.notReloaded = true")

    # Tab from the last list of choices to the statuses, Space ticks one; focus stays on it.
    page.get_by_label("Researcher").focus()
    page.keyboard.press("Tab")
    draft = page.get_by_role("checkbox", name="Draft")
    expect(draft).to_be_focused()
    page.keyboard.press("Tab")
    active = page.get_by_role("checkbox", name="Active")
    expect(active).to_be_focused()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"\?status=active&sort="))
    expect(page.locator("#project-table tbody tr")).to_have_count(1)
    expect(active).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"\?status=active&status=on_hold&sort="))
    expect(page.locator("#project-table tbody tr")).to_have_count(2)
    assert _rows(page) == ["ACT-1", "HOLD-1"]
    expect(page.get_by_text("2 projects")).to_be_visible()
    expect(page.get_by_role("checkbox", name="On hold")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert violations(page, axe, wcag) == []
    screenshot(page, "project_list_statuses")

    # The address reproduces the list: both boxes ticked again after a reload.
    page.reload()
    assert _rows(page) == ["ACT-1", "HOLD-1"]
    expect(page.get_by_role("checkbox", name="Active")).to_be_checked()
    expect(page.get_by_role("checkbox", name="On hold")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Killed")).not_to_be_checked()

    # Sorting keeps both statuses.
    page.get_by_role("link", name="Key").click()
    expect(page).to_have_url(re.compile(r"status=active&status=on_hold&sort=-key"))
    expect(page.locator("#project-table tbody tr").first).to_contain_text("HOLD-1")


def test_several_statuses_on_a_phone(
    browser, live_server, login, axe, screenshot, alice, portfolio
):
    context = browser.new_context(viewport=PHONE, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    try:
        login(page, live_server, alice.email, PASSWORD)
        page.goto(f"{live_server.url}/projects/?status=killed")
        assert _rows(page) == ["KILL-1"]
        page.get_by_text("Greenlit", exact=True).tap()
        expect(page).to_have_url(re.compile(r"\?status=greenlit&status=killed&sort="))
        expect(page.locator("#project-table tbody tr")).to_have_count(2)
        expect(page.get_by_role("checkbox", name="Greenlit")).to_be_checked()
        # Each status is a thumb-sized target, and nothing scrolls sideways.
        assert page.evaluate(SMALL_TARGETS_JS, TOUCH_TARGET_PX) == []
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        assert violations(page, axe, {"type": "rule", "values": PHONE_RULES}) == []
        screenshot(page, "project_list_statuses_phone")
    finally:
        context.close()
