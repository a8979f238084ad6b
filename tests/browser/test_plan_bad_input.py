"""With JavaScript on, a plan that cannot be made is answered on the page, as without it.

The page answers bad input with 400 and the plan region carrying the message; htmx
leaves 4xx answers out by default, so the previous plan stayed on screen, with no
message, and the address kept the previous plan's settings (static/js/plan.js).
"""

from __future__ import annotations

import importlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps as django_apps

from tests.browser.expect import expect
from tests.builders import PASSWORD, PLAN_AS_OF, candidate

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)

SETTINGS = f"as_of={PLAN_AS_OF}&horizon=1&discount_rate=0"


@pytest.fixture(autouse=True)
def gates(transactional_db):
    migration = importlib.import_module("gates.migrations.0003_default_gates")
    migration.create_gates(django_apps, None)


def query_of(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query, keep_blank_values=True)


def test_a_budget_that_is_not_a_number_is_answered_in_place(page, live_server, login, bob):
    candidate("A", value=400, ask=80)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/plan/?budget=100&{SETTINGS}")
    expect(page.locator('tr.plan-row[data-key="A"]')).to_have_count(1)
    page.evaluate("window.notReloaded = true")
    budget = page.get_by_role("textbox", name="Budget")
    alert = page.locator("#plan [role=alert]")

    for typed, message in [
        (
            "abc",
            "Budget: abc is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        ("-5", "Budget: must be more than 0."),
        ("", "Budget: a number is required."),
    ]:
        budget.fill(typed)
        budget.press("Enter")
        expect(alert).to_contain_text("This plan cannot be made")
        expect(alert).to_contain_text(message)
        # The previous plan is gone, not shown as if it answered the new budget.
        expect(page.locator("tr.plan-row")).to_have_count(0)
        expect(page.locator('[data-plan="budget"]')).to_have_count(0)
        # The address is the plan asked for, so it can be shared or reloaded as it is.
        assert query_of(page)["budget"] == [typed]
        expect(budget).to_be_focused()  # typing goes on where it was

    # Corrected with the Plan button: the plan is back, in place.
    budget.fill("100")
    page.get_by_role("button", name="Plan").click()
    expect(page.locator('[data-plan="budget"]')).to_contain_text("EUR 100.00")
    expect(alert).to_have_count(0)
    assert query_of(page)["budget"] == ["100"]
    assert page.evaluate("window.notReloaded") is True


def test_a_refused_pin_is_answered_and_the_plan_is_offered_without_it(
    page, live_server, login, bob
):
    from portfolio import versioning
    from portfolio.models import Project

    candidate("A", value=400, ask=80)
    candidate("BIG", value=300, ask=90, bucket="revenue")
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/plan/?budget=100&{SETTINGS}")
    expect(page.locator('tr.plan-row[data-key="BIG"]')).to_have_attribute(
        "data-reason", "over_budget"
    )
    page.evaluate("window.notReloaded = true")
    # The page offers a pin in only to an ask the budget can hold; while it is open, BIG's
    # ask is raised past the budget, so the link on screen now asks for a refused plan.
    Project.objects.filter(key="BIG").update(next_stage_ask=150)
    versioning.bump()

    page.get_by_role("link", name="pin in BIG").click()
    alert = page.locator("#plan [role=alert]")
    expect(alert).to_contain_text(
        "Pinned in: BIG asks EUR 150.00, more than the budget of EUR 100.00."
    )
    assert query_of(page)["pin_in"] == ["BIG"]
    assert page.evaluate("window.notReloaded") is True
    expect(alert).to_be_focused()  # the clicked link is gone: the keyboard lands on the message

    alert.get_by_role("link", name="Make the plan without its pins").click()
    expect(page.locator('tr.plan-row[data-key="A"]')).to_have_attribute("data-reason", "funded")
    expect(page.locator("#plan [role=alert]")).to_have_count(0)
    assert "pin_in" not in query_of(page)
    assert query_of(page)["budget"] == ["100"]
