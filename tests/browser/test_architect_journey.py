"""An architect estimates the cost to reach and stay in production, in a real browser."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from gates.models import ArchitectureEstimate
from tests.browser.expect import expect
from tests.builders import PASSWORD, decide, make_project

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The four gates, which a data migration seeds and the previous live-server test's flush removed.

    Serialized rollback does not bring them back here: once Playwright's event loop runs,
    Django hands this thread new connection objects, without the saved snapshot.
    """
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_an_architect_adds_an_estimate_and_sees_the_three_year_total(
    page, live_server, login, screenshot, alice, bob, carol
):
    project = make_project(
        key="VISION-3", title="Read meter photos", researcher=alice, product_manager=bob
    )
    decide(project, 1, "go")  # the estimate is asked for from gate 2
    login(page, live_server, carol.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/VISION-3/architecture-estimate/")
    expect(page.get_by_role("heading", name="Architecture estimate")).to_be_visible()
    total = page.get_by_test_id("three-year-total")
    expect(total).to_have_text("—")

    # The total follows the numbers as they are typed, before anything is saved, and says
    # what it still waits for (the costs typed, the cadence not chosen yet).
    page.get_by_label("Build cost").fill("100000")
    page.get_by_label("Monthly run cost").fill("2000")
    page.get_by_label("Cost per retraining").fill("5000")
    expect(page.get_by_test_id("three-year-missing")).to_have_text(
        "Choose how often it is retrained to see it."
    )
    page.get_by_label("How often it is retrained").select_option("quarterly")
    expect(total).to_have_text("EUR 232,000")  # 100000 + 36 × 2000 + 3 × 4 × 5000
    assert not ArchitectureEstimate.objects.exists()
    page.get_by_label("Platform reused").fill("Shared GPU inference cluster")

    # A negative cost: the server refuses it beside the field (not a browser tooltip).
    page.get_by_label("Monthly run cost").fill("-2000")
    expect(page.get_by_test_id("three-year-missing")).to_have_text(
        "Correct the monthly run cost to see it."
    )
    page.get_by_role("button", name="Save estimate").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Monthly run cost: Enter an amount of at least 0.")
    expect(page.locator("#field-monthly_run_cost")).to_contain_text(
        "Enter an amount of at least 0."
    )
    expect(page.get_by_label("Monthly run cost")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "architect_estimate_refused")
    assert not ArchitectureEstimate.objects.exists()
    page.get_by_label("Monthly run cost").fill("2000")
    expect(total).to_have_text("EUR 232,000")

    page.get_by_role("button", name="Save estimate").click()
    expect(page.get_by_text("Architecture estimate saved.")).to_be_visible()
    expect(page.get_by_test_id("three-year-total")).to_have_text("EUR 232,000")
    estimate = ArchitectureEstimate.objects.get(project=project)
    assert estimate.author == carol
    assert estimate.three_year_total == Decimal("232000")

    # A revision: the total moves with the run cost.
    page.get_by_label("Monthly run cost").fill("2500")
    expect(page.get_by_test_id("three-year-total")).to_have_text("EUR 250,000")
    page.get_by_role("button", name="Save revision").click()
    expect(page.get_by_text("Architecture estimate revised.")).to_be_visible()
    expect(page.get_by_test_id("three-year-total")).to_have_text("EUR 250,000")
    screenshot(page, "architect_estimate_saved")
