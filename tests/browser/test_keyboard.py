"""Keyboard only: a gate review refused and then recorded, and the project list's pages.

No mouse: Tab moves focus, Space and the arrow keys answer, Enter submits. After each
htmx update focus must land somewhere useful (the errors, the confirmation, the link
pressed), never on <body>.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from portfolio.models import Status
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_project

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVE = "document.activeElement"


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def tab_to(page, selector: str, *, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"{ACTIVE}.matches({selector!r})"):
            return
    pytest.fail(f"Tab never reached {selector}")


def wait_until(page, expression: str, *, seconds: float = 5) -> None:
    """Poll ``expression`` in the page (wait_for_function would need eval, which CSP forbids)."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    pytest.fail(f"never true: {expression}")


def focused_inside(page, selector: str) -> bool:
    return page.evaluate(
        f"!!{ACTIVE} && {ACTIVE} !== document.body && !!{ACTIVE}.closest({selector!r})"
    )


def test_a_gate_review_by_keyboard_alone_refused_then_recorded(page, live_server, login, bob):

    make_project(key="KEYS-1", title="Route tickets by keyboard", product_manager=bob)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/KEYS-1/gate-review/")
    live = page.locator(".scorecard-live")
    page.evaluate("document.querySelector('.scorecard-live').dataset.original = 'yes'")

    # A Go with the must-meet criteria answered "No": refused, and focus goes to why.
    tab_to(page, "tr.must input[type=radio]")
    page.keyboard.press("ArrowRight")  # the second answer of the group: No
    page.keyboard.press("Space")
    tab_to(page, "tr.should select")
    page.keyboard.type("8")  # a closed select picks the option typed
    expect(page.get_by_test_id("scorecard-total")).to_have_text("24")
    # The live region is the same element, so screen readers announce the new total.
    expect(live).to_have_attribute("data-original", "yes")
    tab_to(page, "input[name=decision]")
    page.keyboard.press("Space")  # the first choice: Go
    assert page.evaluate(f"{ACTIVE}.value") == "go"
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    expect(page.locator(".form-errors, .field-error").first).to_be_visible()
    wait_until(page, f"{ACTIVE} !== document.body")
    assert focused_inside(page, ".form-errors, .field-error"), page.evaluate(
        f"{ACTIVE}.outerHTML.slice(0, 120)"
    )

    # Choose Hold, give a rationale, record: focus lands on the confirmation.
    tab_to(page, "input[name=decision]")
    for _ in range(3):
        if page.evaluate(f"{ACTIVE}.value") == "hold":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(f"{ACTIVE}.value") == "hold"
    tab_to(page, "textarea[name=rationale]")
    page.keyboard.type("Wait for the vendor's data contract.")
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    confirmation = page.get_by_role("status").filter(has_text="Hold at Gate 1")
    expect(confirmation).to_be_visible()
    wait_until(page, f"{ACTIVE} !== document.body")
    assert focused_inside(page, "[data-focus-after-swap], .notice"), page.evaluate(
        f"{ACTIVE}.outerHTML.slice(0, 120)"
    )
    assert bob.managed_projects.get(key="KEYS-1").status == Status.ON_HOLD


def test_the_project_lists_next_and_previous_keep_focus(page, live_server, login, alice, bob):

    for n in range(60):
        make_project(key=f"LIST-{n:02d}", researcher=alice, product_manager=bob)
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/")
    page.evaluate("window.stillTheSamePage = true")

    tab_to(page, ".pagination a[rel=next]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded"
    wait_until(page, f"{ACTIVE} !== document.body")
    assert page.evaluate(f"{ACTIVE}.matches('.pagination a[rel=next]')")

    tab_to(page, ".pagination a[rel=prev]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    wait_until(page, f"{ACTIVE} !== document.body")
    assert page.evaluate(f"{ACTIVE}.matches('.pagination a')")


def test_a_kill_by_keyboard_alone_lands_on_its_confirmation(page, live_server, login, bob):
    make_project(key="KEYS-2", title="Kill tickets by keyboard", product_manager=bob)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/KEYS-2/gate-review/")
    tab_to(page, "input[name=decision]")
    for _ in range(3):
        if page.evaluate(f"{ACTIVE}.value") == "kill":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(f"{ACTIVE}.value") == "kill"
    tab_to(page, "textarea[name=rationale]")
    page.keyboard.type("No access to the ticket data.")
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")  # the page asks to confirm a kill first
    expect(page.locator("input[name=confirm_kill]")).to_be_visible()
    wait_until(page, f"{ACTIVE} !== document.body")
    tab_to(page, "input[name=confirm_kill]")
    page.keyboard.press("Space")
    tab_to(page, "button.primary")
    page.keyboard.press("Enter")
    confirmation = page.get_by_role("status").filter(has_text="Kill at Gate 1")
    expect(confirmation).to_be_visible()
    wait_until(page, f"{ACTIVE} !== document.body")
    assert focused_inside(page, "[data-focus-after-swap], .notice"), page.evaluate(
        f"{ACTIVE}.outerHTML.slice(0, 120)"
    )
    assert bob.managed_projects.get(key="KEYS-2").status == Status.KILLED
