"""A product manager plans a round: a what-if with pins and a budget change, then scenarios compared."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from planning.models import Scenario
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, PLAN_AS_OF, candidate

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def gates(transactional_db):
    migration = importlib.import_module("gates.migrations.0003_default_gates")
    migration.create_gates(django_apps, None)


def reasons(page) -> dict[str, str]:
    rows = page.locator("tr.plan-row")
    return {
        rows.nth(i).get_attribute("data-key"): rows.nth(i).get_attribute("data-reason")
        for i in range(rows.count())
    }


def test_a_what_if_updates_in_place_and_two_scenarios_are_compared(
    page, live_server, login, axe, screenshot, bob
):
    candidate("A", value=400, ask=80)  # ECV 120 (one year, no discount), PI 1.5
    candidate("B", value=200, ask=50, bucket="revenue")  # ECV 50, PI 1.0
    candidate("C", value=60, ask=20, bucket="new_category")  # ECV 10, PI 0.5

    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/plan/?budget=100&as_of={PLAN_AS_OF}&horizon=1&discount_rate=0")
    expect(page.get_by_role("heading", name="Plan the next funding round")).to_be_visible()
    expect(page.locator("tr.waterline")).to_have_count(1)
    assert reasons(page) == {"A": "funded", "B": "over_budget", "C": "funded"}
    expect(page.locator("svg.plan-chart circle.point")).to_have_count(3)
    page.get_by_label("Save this plan as a scenario").fill("Best value")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_text("Scenario “Best value” saved.")).to_be_visible()

    # What-if: pin A out. The table changes without a page load, and the URL follows.
    page.goto(f"{live_server.url}/plan/?budget=100&as_of={PLAN_AS_OF}&horizon=1&discount_rate=0")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="pin out A").click()
    expect(page.locator('tr.plan-row[data-key="A"]')).to_have_attribute("data-reason", "pinned_out")
    assert reasons(page) == {"A": "pinned_out", "B": "funded", "C": "funded"}
    assert "pin_out=A" in page.url
    assert page.evaluate("window.notReloaded") is True

    # Then a bigger budget, typed in the form: the pin is kept.
    page.get_by_role("textbox", name="Budget").fill("200")
    page.get_by_role("textbox", name="Budget").press("Enter")
    expect(page.locator('[data-plan="budget"]')).to_contain_text("200.00")
    expect(page.locator('[data-plan="funded_ask"]')).to_contain_text("70.00")
    assert reasons(page)["A"] == "pinned_out"
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "plan-what-if")

    page.get_by_role("textbox", name="Budget").fill("100")
    page.get_by_role("textbox", name="Budget").press("Enter")
    expect(page.locator('[data-plan="budget"]')).to_contain_text("100.00")
    expect(page.locator('[data-plan="funded_ask"]')).to_contain_text("70.00")
    page.get_by_label("Save this plan as a scenario").fill("Without A")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_text("Scenario “Without A” saved.")).to_be_visible()
    assert Scenario.objects.get(name="Without A").settings["pin_out"] == ["A"]

    # Compare the two side by side.
    page.get_by_label("First").select_option(label="Best value")
    page.get_by_label("Second").select_option(label="Without A")
    page.get_by_role("button", name="Compare").click()
    expect(
        page.get_by_role("heading", name="Projects that change sides of the waterline")
    ).to_be_visible()
    expect(page.locator('tr[data-key="A"]')).to_have_attribute("data-funded-in", "first")
    expect(page.locator('tr[data-key="B"]')).to_have_attribute("data-funded-in", "second")
    expect(page.locator('tr[data-key="C"]')).to_have_count(0)
    # Each side's settings in the list's words, the pin that makes them differ marked.
    expect(page.locator("[data-settings-differ]")).to_contain_text("pinned out")
    expect(page.locator("mark.setting-differs", has_text="pinned out A")).to_be_visible()
    expect(page.locator("mark.setting-differs", has_text="none pinned out")).to_be_visible()
    screenshot(page, "plan-compare")
    wide = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(page, options={"runOnly": wcag}).response["violations"] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size(wide)

    # Tidy up: rename one, delete the other.
    page.goto(f"{live_server.url}/plan/scenarios/")
    row = page.locator('tr[data-scenario="Without A"]')
    row.locator("summary", has_text="Rename").click()
    row.get_by_label("New name of “Without A”").fill("Lean without A")
    row.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Scenario “Without A” renamed “Lean without A”.")).to_be_visible()
    row = page.locator('tr[data-scenario="Best value"]')
    row.locator("summary", has_text="Delete").click()
    screenshot(page, "plan-scenario-delete")
    row.get_by_role("button", name="Delete “Best value”").click()
    expect(page.get_by_text("Scenario “Best value” deleted.")).to_be_visible()
    assert list(Scenario.objects.values_list("name", flat=True)) == ["Lean without A"]


def test_the_plan_fits_a_phone(page, live_server, login, bob):
    candidate("A", value=400, ask=80)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/plan/?budget=100&as_of={PLAN_AS_OF}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
