"""Keyboard only: Kill chosen on the gate review, the decision form asks for what a kill
takes and nothing else; one pass of Tab, the kill recorded.

A kill or a hold takes no kill criteria for the next review: choosing one hides and
disables their fifteen fields (static/js/gates.js), and Kill shows its confirmation tick
at once rather than after a first refused attempt.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from gates.models import GateDecision
from portfolio.models import Project, Status
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, make_project

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVE = "document.activeElement"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def focused(page) -> dict:
    return page.evaluate(
        f"({{name: {ACTIVE}.name || '', id: {ACTIVE}.id || '', tag: {ACTIVE}.tagName,"
        f" inCriteria: !!{ACTIVE}.closest('#new-kill-criteria')}})"
    )


def tab_to(page, name: str, *, limit: int = 60) -> list[dict]:
    """Press Tab until the field named ``name`` has focus; what focus passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["name"] == name:
            return passed
        passed.append(now)
    pytest.fail(f"Tab never reached {name}: passed {passed}")


def test_a_kill_by_keyboard_skips_the_kill_criteria_and_confirms_in_one_pass(
    page, live_server, login, axe, screenshot, bob
):
    project = make_project(key="PR-0006", title="Route tickets by keyboard", product_manager=bob)
    page.set_viewport_size(PHONE)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/PR-0006/gate-review/")
    criteria = page.locator("#new-kill-criteria")
    confirm = page.get_by_role("group", name="Kill PR-0006 for good?")
    expect(criteria).to_be_visible()  # nothing chosen yet: a go or a recycle takes them
    expect(confirm).to_be_hidden()

    tab_to(page, "decision")
    page.keyboard.press("Space")  # the first choice: Go
    page.keyboard.press("ArrowDown")  # the next: Kill
    assert page.evaluate(f"{ACTIVE}.value") == "kill"
    expect(criteria).to_be_hidden()
    expect(
        page.get_by_text("A kill or a hold takes no kill criteria for the next review.")
    ).to_be_visible()
    expect(confirm).to_be_visible()

    passed = tab_to(page, "rationale")
    assert not [f for f in passed if f["inCriteria"] or f["name"].startswith("next-")], passed
    page.keyboard.type("The data cannot be shared with us.")
    passed = tab_to(page, "confirm_kill")
    assert passed == [], passed  # straight from the rationale to the tick
    page.keyboard.press("Space")
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(page, options={"runOnly": wcag}).response["violations"] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "decision_kill_by_keyboard")
    page.keyboard.press("Tab")
    assert page.evaluate(f"{ACTIVE}.textContent.trim()") == "Record decision"
    page.keyboard.press("Enter")

    expect(page.locator(".final-state")).to_contain_text("Killed")
    project.refresh_from_db()
    assert project.status == Status.KILLED
    decision = GateDecision.objects.get(project=project)
    assert decision.decision == "kill" and not decision.kill_criteria.exists()


def test_choosing_go_again_brings_the_kill_criteria_back_and_hides_the_tick(
    page, live_server, login, bob
):
    make_project(key="PR-0007", title="Route tickets by keyboard", product_manager=bob)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/PR-0007/gate-review/")
    criteria = page.locator("#new-kill-criteria")
    page.locator("input[name=decision][value=hold]").check()
    expect(criteria).to_be_hidden()
    expect(page.get_by_role("group", name="Kill PR-0007 for good?")).to_be_hidden()
    page.locator("input[name=decision][value=go]").check()
    expect(criteria).to_be_visible()
    assert criteria.evaluate("f => f.disabled") is False
    page.locator("input[name=decision][value=kill]").check()
    expect(page.get_by_role("group", name="Kill PR-0007 for good?")).to_be_visible()
    assert Project.objects.get(key="PR-0007").status == Status.ACTIVE
