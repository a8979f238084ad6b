"""A researcher's first proposal, in a real browser: write it, save a draft, submit it."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from portfolio.models import Project, Status
from tests.browser.expect import expect
from tests.builders import PASSWORD

# Live-server tests commit for real; the database is flushed after each (roles and the
# default gates come back through post_migrate).
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_researcher_writes_saves_and_submits_a_proposal(
    page, live_server, login, screenshot, alice, bob
):
    login(page, live_server, alice.email, PASSWORD)
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_text("You have no proposals yet.")).to_be_visible()

    page.get_by_role("link", name="Write your first proposal").click()
    expect(page.get_by_role("heading", name="New proposal")).to_be_visible()

    # A first try with the range upside down: the server says which field is wrong.
    page.get_by_label("Key").fill("CHURN-26")
    page.get_by_label("Title").fill("Predict churn a month ahead")
    page.get_by_label("Applied").check()
    page.get_by_label("Strategic bucket").select_option("revenue")
    page.get_by_label("Product manager").select_option(label="Bob Product (bob@example.com)")
    page.get_by_label("Revenue", exact=True).check()
    page.get_by_label("Low").fill("300000")
    page.get_by_label("Expected").fill("250000")
    page.get_by_label("High").fill("400000")
    page.get_by_label("Probability of success").fill("0.35")
    page.get_by_role("button", name="Save draft").click()
    expect(
        page.locator("#field-projected_low").get_by_text(
            "The low projection cannot be above the expected value."
        )
    ).to_be_visible()
    expect(page.get_by_label("Low")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "researcher_proposal_errors")

    page.get_by_label("Low").fill("100000")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/projects/CHURN-26/$"))
    expect(page.get_by_text("Draft CHURN-26 saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="This proposal is a draft")).to_be_visible()
    assert Project.objects.get(key="CHURN-26").status == Status.DRAFT

    # Submitting needs the business case and the hypothesis: the form shows where.
    page.get_by_role("button", name="Submit for gate 1").click()
    expect(page.get_by_text("The proposal was not submitted")).to_be_visible()
    expect(page.get_by_label("Business case")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Business case").fill("Churn costs us 4M a year; saving a tenth pays back.")
    page.get_by_label("Hypothesis").fill("Usage drops predict churn 30 days ahead with AUC > 0.8.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft CHURN-26 saved.")).to_be_visible()
    screenshot(page, "researcher_draft")

    mail.outbox.clear()
    page.get_by_role("button", name="Submit for gate 1").click()
    expect(page.get_by_text("is submitted and waits at gate 1")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Active · gate 1")
    project = Project.objects.get(key="CHURN-26")
    assert project.status == Status.ACTIVE and project.current_gate == 1
    assert [message.to for message in mail.outbox] == [["bob@example.com"]]
    assert "CHURN-26" in mail.outbox[0].subject
    screenshot(page, "researcher_submitted")

    page.get_by_role("link", name="My work").click()
    row = page.locator("tr", has_text="CHURN-26")
    expect(row).to_contain_text("Active · gate 1")
    expect(row).to_contain_text("The gate review by Bob Product")
    screenshot(page, "researcher_home")
