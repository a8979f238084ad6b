"""A researcher's first proposal, in a real browser: the offered key, a percentage, a draft,
then "Submit for gate 1" from the same form; and a draft deleted after a confirmation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail

from portfolio.models import AuditEntry, Project, Status
from tests.browser.expect import expect
from tests.builders import PASSWORD

# Live-server tests commit for real; the database is flushed after each (roles and the
# default gates come back through post_migrate).
pytestmark = pytest.mark.django_db(transaction=True)


def focused_id(page) -> str:
    return page.evaluate(
        "document.activeElement.closest('[data-error-summary]') ? 'summary' : "
        "document.activeElement.id"
    )


def test_a_researcher_writes_a_draft_then_submits_it_from_the_same_form(
    page, live_server, login, screenshot, alice, bob
):
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    expect(page.get_by_text("You have no proposals yet.")).to_be_visible()

    page.get_by_role("link", name="Write your first proposal").click()
    expect(page.get_by_role("heading", name="New proposal")).to_be_visible()
    # The key is offered; the product manager is chosen by name.
    expect(page.get_by_label("Key")).to_have_value("PR-0001")
    expect(page.get_by_label("Title")).to_have_attribute("required", "")
    expect(page.get_by_label("Product manager")).to_contain_text("Bob Product")

    # A first try with the range upside down: the server says which field is wrong.
    page.get_by_label("Title").fill("Predict churn a month ahead")
    page.get_by_label("Applied").check()
    page.get_by_label("Strategic bucket").select_option("revenue")
    page.get_by_label("Product manager").select_option(label="Bob Product")
    page.get_by_label("Revenue", exact=True).check()
    page.get_by_label("Low").fill("300000")
    page.get_by_label("Expected").fill("250000")
    page.get_by_label("High").fill("400000")
    page.get_by_label("Probability of success (%)").fill("35")
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^Low: The low projection"))).to_be_visible()
    expect(page.get_by_label("Low")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Probability of success (%)")).to_have_value("35")
    screenshot(page, "researcher_proposal_errors")

    page.get_by_label("Low").fill("100000")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/projects/PR-0001/$"))
    expect(page.get_by_text("Draft PR-0001 saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="This proposal is a draft")).to_be_visible()
    draft = Project.objects.get(key="PR-0001")
    assert draft.status == Status.DRAFT
    assert draft.probability_of_success == Decimal("0.35")

    # Submitting from the form, without the hypothesis: refused, nothing changes.
    page.get_by_role("link", name="Edit the draft").click()
    expect(page.get_by_label("Probability of success (%)")).to_have_value("35")
    page.get_by_label("Case for the research").fill(
        "Churn costs us 4M a year; saving a tenth pays back."
    )
    page.get_by_role("button", name="Submit for gate 1").click()
    expect(page.get_by_text("The proposal was not submitted")).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label("Hypothesis")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-hypothesis")).to_contain_text(
        "Write the hypothesis before submitting."
    )
    assert Project.objects.get(key="PR-0001").business_case == ""
    screenshot(page, "researcher_submit_refused")

    mail.outbox.clear()
    page.get_by_label("Hypothesis").fill("Usage drops predict churn 30 days ahead with AUC > 0.8.")
    page.get_by_role("button", name="Submit for gate 1").click()
    expect(page.get_by_text("is submitted and waits at gate 1")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Active · gate 1")
    project = Project.objects.get(key="PR-0001")
    assert project.status == Status.ACTIVE and project.current_gate == 1
    assert project.business_case.startswith("Churn costs us")
    assert [message.to for message in mail.outbox] == [["bob@example.com"]]
    screenshot(page, "researcher_submitted")

    page.get_by_role("link", name="My work").click()
    row = page.locator("tr", has_text="PR-0001")
    expect(row).to_contain_text("Active · gate 1")
    expect(row).to_contain_text("The gate review by Bob Product")
    screenshot(page, "researcher_home")


def test_a_researcher_deletes_a_draft_after_confirming(
    page, live_server, login, screenshot, alice, bob
):
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/proposals/new/")
    page.get_by_label("Key").fill("IDEA-1")
    page.get_by_label("Title").fill("A half-formed idea")
    page.get_by_label("Science").check()
    page.get_by_label("Strategic bucket").select_option("new_category")
    page.get_by_label("Product manager").select_option(label="Bob Product")
    page.get_by_label("Revenue", exact=True).check()
    for label, amount in (("Low", "0"), ("Expected", "10"), ("High", "20")):
        page.get_by_label(label).fill(amount)
    page.get_by_label("Probability of success (%)").fill("5")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft IDEA-1 saved.")).to_be_visible()

    page.get_by_role("link", name="Delete draft").click()
    expect(page.get_by_role("heading", name="Delete draft IDEA-1?")).to_be_visible()
    screenshot(page, "researcher_delete_draft")
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("heading", name="This proposal is a draft")).to_be_visible()
    assert Project.objects.filter(key="IDEA-1").exists()

    page.get_by_role("link", name="Delete draft").click()
    page.get_by_role("button", name="Delete the draft").click()
    expect(page.get_by_text("Draft IDEA-1 deleted.")).to_be_visible()
    expect(page.get_by_role("heading", name="My work")).to_be_visible()
    assert not Project.objects.filter(key="IDEA-1").exists()
    assert AuditEntry.objects.filter(action="proposal.deleted", actor=alice).exists()
