"""The feedback loop in a real browser: a proposal builds on a killed project's data set, the
product is greenlit, its PM records outcomes and adoption, the executive sees the score,
the salvage and the minutes saved."""

from __future__ import annotations

import datetime
import re

import pytest

from portfolio import services
from portfolio.models import Project
from tests.browser.expect import expect
from tests.builders import PASSWORD, decide, greenlight, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def killed_data_set(rita, bob):
    dead = make_project(
        key="DEAD",
        title="Claims triage study",
        researcher=rita,
        product_manager=bob,
        submitted_on=datetime.date(2024, 1, 8),
    )
    data_set = services.register_artifact(
        project=dead,
        actor=rita,
        kind="dataset",
        name="Labelled claims 2023",
        key="AR-0001",
        created_on=datetime.date(2024, 2, 1),
    )
    decide(dead, 1, "kill", bob, decided_on=datetime.date(2024, 3, 1))
    return data_set


def test_research_builds_on_salvage_and_its_outcome_is_scored(
    page, live_server, login, screenshot, alice, bob, carol, erin, killed_data_set
):

    # The researcher proposes a project that builds on the killed project's data set.
    login(page, live_server, alice.email, PASSWORD)
    page.goto(live_server.url + "/proposals/new/")
    page.get_by_label("Key").fill("FRAUD-1")
    page.get_by_label("Title").fill("Flag fraudulent claims")
    page.get_by_label("Applied").check()
    page.get_by_label("Strategic bucket").select_option("efficiency")
    page.get_by_label("Product manager").select_option(label="Bob Product")
    page.get_by_label("Cost savings").check()
    page.get_by_label("Low").fill("100000")
    page.get_by_label("Expected").fill("200000")
    page.get_by_label("High").fill("400000")
    page.get_by_label("Probability of success (%)").fill("40")
    page.get_by_label("Case for the research").fill(
        "Fraud costs 2M a year; a tenth caught pays back."
    )
    page.get_by_label("Hypothesis").fill("Last year's labelled claims predict fraud, AUC > 0.8.")
    page.get_by_label("Builds on").select_option(
        label="AR-0001 Labelled claims 2023 (Data set, DEAD, killed)"
    )
    page.get_by_role("button", name="Submit for gate 1").click()  # saved and submitted at once
    expect(page.get_by_text("is submitted and waits at gate 1")).to_be_visible()
    expect(page.locator("#artifacts-heading")).to_be_visible()
    expect(page.get_by_text("salvaged from a killed project")).to_be_visible()
    screenshot(page, "feedback_proposal_builds_on_salvage")

    # Time passes: the project went through its gates last year and is on the roadmap.
    project = Project.objects.get(key="FRAUD-1")
    Project.objects.filter(pk=project.pk).update(submitted_on=datetime.date(2025, 5, 5))
    project.refresh_from_db()
    greenlight(project, bob, carol)

    # Its product manager records three months of outcomes and a month of adoption.
    page.context.clear_cookies()
    login(page, live_server, bob.email, PASSWORD)
    page.goto(live_server.url + "/projects/FRAUD-1/outcomes/")
    expect(page.locator("#projected-range")).to_contain_text(
        "low EUR 100,000.00, expected EUR 200,000.00, high EUR 400,000.00"
    )
    # A slip (1,500,000 for 15,000) is above the year's high projection: asked to confirm.
    page.get_by_label("Month").fill("2025-06")
    page.get_by_label("Realized value").fill("1500000")
    page.get_by_role("button", name="Record outcome").click()
    tick = page.get_by_label("Yes, this amount is right")
    expect(tick).not_to_be_checked()
    # The long message beside the value does not push the month out of line: one field a row.
    month_box = page.get_by_label("Month").bounding_box()
    value_box = page.get_by_label("Realized value").bounding_box()
    assert month_box["x"] == value_box["x"] and month_box["y"] < value_box["y"]
    # Ticked, then the amount changed: the tick was for 1,500,000, so it is taken off and
    # the new amount asked about.
    tick.check()
    page.get_by_label("Realized value").fill("1600000")
    expect(tick).not_to_be_checked()
    page.get_by_role("button", name="Record outcome").click()
    expect(page.get_by_label("Yes, this amount is right")).not_to_be_checked()
    expect(page.locator("#field-confirm_value")).to_contain_text("EUR 1,600,000.00 in one month")
    screenshot(page, "feedback_outcome_confirm_again")
    assert not project.outcomes.exists()
    # The slip corrected: recorded without a tick.
    page.get_by_label("Realized value").fill("15000")
    page.get_by_role("button", name="Record outcome").click()
    expect(page).to_have_url(re.compile(r"/projects/FRAUD-1/$"))
    for month in ("2025-07", "2025-08"):
        page.goto(live_server.url + "/projects/FRAUD-1/outcomes/")
        page.get_by_label("Month").fill(month)
        page.get_by_label("Realized value").fill("15000")
        page.get_by_role("button", name="Record outcome").click()
        expect(page).to_have_url(re.compile(r"/projects/FRAUD-1/$"))
    page.get_by_role("link", name="Record adoption").click()
    expect(page.get_by_text("The first month you can record is June 2025")).to_be_visible()
    page.get_by_label("Month").fill("2025-06")
    page.get_by_label("Active users").fill("40")
    page.get_by_label("Tasks completed").fill("1000")
    page.get_by_label("Minutes per task", exact=True).fill("7.5")
    page.get_by_label("Baseline minutes per task").fill("10")
    page.get_by_role("button", name="Record adoption").click()
    expect(page.get_by_text("Recorded 40 active users")).to_be_visible()

    # The executive sees the score on the project, and the loop on the dashboard.
    page.context.clear_cookies()
    login(page, live_server, erin.email, PASSWORD)
    page.goto(live_server.url + "/projects/FRAUD-1/")
    # R = 12 × 15,000 = 180,000 between L and E: 40 + 30 × 80,000 ÷ 100,000 = 64.
    expect(page.locator("#score-heading")).to_contain_text("64.00")
    expect(page.get_by_text("2,500 minutes saved")).to_be_visible()
    screenshot(page, "feedback_project_score")

    today = datetime.date.today().isoformat()
    page.goto(f"{live_server.url}/dashboard/?as_of={today}")
    panel = page.locator("#decision-quality")
    expect(panel.locator('[data-metric="decision_quality.mean_outcome_score"]')).to_have_text(
        "64.00"
    )
    expect(panel).to_contain_text("Bob Product")  # the decider, by name
    assets = page.locator("#research-assets")
    expect(assets.locator('[data-metric="assets.salvaged_from_killed"]')).to_have_text("1")
    adoption = page.locator("#adoption")
    expect(adoption.locator('[data-metric="adoption.minutes_saved"]')).to_have_attribute(
        "data-value", "2500.0"
    )
    assets.scroll_into_view_if_needed()
    screenshot(page, "feedback_dashboard_panels")

    # The data set's lineage: made by a killed project, reused by a greenlit one.
    page.goto(live_server.url + "/artifacts/AR-0001/")
    expect(page.get_by_text("Salvaged from a killed project")).to_be_visible()
    expect(page.locator("table")).to_contain_text("FRAUD-1")
    expect(page.locator("table")).to_contain_text("45,000")
