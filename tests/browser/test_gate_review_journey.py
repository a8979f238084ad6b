"""A product manager's gate reviews, in a real browser: score and go with funding, then a kill."""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail

from gates.services import NewKillCriterion, record_decision
from portfolio.models import Project, Status
from tests.browser.expect import expect
from tests.builders import PASSWORD, add_study, full_marks, make_project

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The four gates, which a data migration seeds and the previous live-server test's flush removed.

    Serialized rollback does not bring them back here: once Playwright's event loop runs,
    Django hands this thread new connection objects, without the saved snapshot.
    """
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_a_pm_scores_and_records_a_go_then_kills_another_project(
    page, live_server, login, screenshot, alice, bob
):
    triage = make_project(
        key="TRIAGE-7",
        title="Triage support tickets automatically",
        researcher=alice,
        product_manager=bob,
        spend_total=Decimal("18250"),
    )
    record_decision(
        project=triage,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 12),
        funding_granted=Decimal("30000"),
        probability_of_success=Decimal("0.45"),
        rationale="Worth a feasibility study.",
        scores=full_marks(1, score=7),
        kill_criteria=[NewKillCriterion("A labelled sample of 2,000 tickets")],
    )
    add_study(triage, alice)
    churn = make_project(
        key="CHURN-9", title="Predict churn a month ahead", researcher=alice, product_manager=bob
    )
    mail.outbox.clear()

    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/TRIAGE-7/gate-review/")
    expect(page.get_by_role("heading", name="Gate review: Gate 2: Feasibility")).to_be_visible()
    expect(page.locator(".deliverable-required")).to_contain_text("✓ present")

    # Score: every must-meet met; the weighted total follows each answer.
    total = page.get_by_test_id("scorecard-total")
    expect(total).to_have_text("0")
    for row in page.locator("tr.must").all():
        row.get_by_label("Yes").check()
    expect(page.get_by_text("Must-meet: 2 of 2 met")).to_be_visible()
    scores = page.locator("tr.should select")
    scores.nth(0).select_option("8")  # strength of the evidence, weight 3
    expect(total).to_have_text("24")
    scores.nth(1).select_option("7")  # confidence, weight 1
    scores.nth(2).select_option("5")  # reuse, weight 1
    expect(total).to_have_text("36")

    # The go judges the kill criterion gate 1 set, and sets the next review's.
    page.get_by_role("radiogroup", name="A labelled sample of 2,000 tickets").get_by_label(
        "Met", exact=True
    ).check()
    page.locator("input[name=decision][value=go]").check()
    page.get_by_label("Kill criterion 1").fill("Triage accuracy on last month's tickets")
    page.get_by_label("Funding granted").fill("50000")
    page.get_by_label("Updated probability of success (%)").fill("60")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Record decision").click()

    expect(
        page.get_by_role("status").filter(has_text="Go at Gate 2: Feasibility recorded")
    ).to_be_visible()
    assert page.evaluate("window.stillTheSamePage === true"), (
        "the page reloaded instead of updating"
    )
    expect(page.get_by_role("heading", name="Gate review: Gate 3: Research")).to_be_visible()
    # Not the next gate's form at once: what gate 3 needs, and the next review waiting.
    needs = page.locator(".after-decision")
    expect(needs.get_by_role("heading", name="What Gate 3: Research needs")).to_be_visible()
    expect(needs).to_contain_text("Architecture estimate missing: written by the architect")
    expect(
        needs.get_by_role("link", name="Review CHURN-9: Predict churn a month ahead")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    latest = page.locator(".decisions-table tbody tr").first
    expect(latest).to_contain_text("Go")
    expect(latest).to_contain_text("50,000")
    expect(latest).to_contain_text("60%")
    expect(latest).to_contain_text("36")
    expect(page.locator(".tile", has_text="Spend to date")).to_contain_text("of EUR 80,000 funding")
    triage.refresh_from_db()
    assert (triage.status, triage.current_gate) == (Status.ACTIVE, 3)
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    screenshot(page, "gate_review_go_recorded")

    # The next review in the queue, its proposal in view.
    needs.get_by_role("link", name="Review CHURN-9: Predict churn a month ahead").click()
    expect(page.locator(".evidence-proposal")).to_have_attribute("open", "")
    expect(page.locator(".evidence-proposal")).to_contain_text("Case for the research")
    # A kill needs a rationale: the first try says so beside the field.
    expect(page.get_by_role("heading", name="Gate review: Gate 1: Exploration")).to_be_visible()
    page.locator("input[name=decision][value=kill]").check()
    page.get_by_role("button", name="Record decision").click()
    rationale_field = page.locator("#field-rationale")
    expect(rationale_field).to_contain_text("Give the rationale for a kill or a hold.")
    expect(page.get_by_role("textbox", name="Rationale")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("input[name=decision][value=kill]")).to_be_checked()
    assert Project.objects.get(pk=churn.pk).status == Status.ACTIVE
    screenshot(page, "gate_review_kill_needs_rationale")

    page.get_by_role("textbox", name="Rationale").fill(
        "Churn data is owned by a vendor we cannot share it with."
    )
    page.get_by_role("button", name="Record decision").click()
    # A kill cannot be undone: the page asks to confirm it, and nothing is recorded yet.
    confirm = page.get_by_role("group", name="Kill CHURN-9 for good?")
    expect(confirm).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    assert Project.objects.get(pk=churn.pk).status == Status.ACTIVE
    screenshot(page, "gate_review_kill_to_confirm")
    confirm.get_by_label("Yes, kill CHURN-9").check()
    page.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_role("status").filter(has_text="Kill at Gate 1: Exploration recorded")
    ).to_be_visible()
    expect(page.locator(".final-state")).to_contain_text("Killed")
    expect(page.locator(".final-state")).to_contain_text("cannot share it with")
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(page.locator(".page-header .badge")).to_have_text("Killed")
    assert Project.objects.get(pk=churn.pk).status == Status.KILLED
    screenshot(page, "gate_review_killed")

    # Reloading shows the same final state, without a form.
    page.reload()
    expect(page.locator(".final-state")).to_contain_text("Killed")
    expect(page).to_have_url(re.compile(r"/projects/CHURN-9/gate-review/(\?recorded=1)?$"))


def test_a_refused_go_points_at_each_unmet_must_meet_row(
    page, live_server, login, screenshot, alice, bob
):
    make_project(key="ROWS-1", title="Forecast demand", researcher=alice, product_manager=bob)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/ROWS-1/gate-review/")
    rows = page.locator("tr.must")
    rows.nth(0).get_by_label("No").check()
    page.locator("input[name=decision][value=go]").check()
    page.get_by_role("button", name="Record decision").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # Each unmet row once, first as on the page: no line naming them all linking to the
    # scorecard, which takes no focus.
    expect(summary).not_to_contain_text("A go needs every must-meet criterion met")
    expect(summary.get_by_role("link").nth(0)).to_contain_text("Not met: a go needs it met.")
    for n in range(rows.count()):
        expect(rows.nth(n)).to_have_class(re.compile("row-error"))
        group = rows.nth(n).get_by_role("radiogroup")
        expect(group).to_have_attribute("aria-invalid", "true")
    expect(rows.nth(0)).to_contain_text("Not met: a go needs it met.")
    expect(rows.nth(1)).to_contain_text("Not answered: a go needs it met.")
    # The decision options are not outlined as if they were wrong.
    expect(page.locator("#field-decision")).not_to_have_class(re.compile("field-error"))
    screenshot(page, "gate_review_go_refused_rows")

    # The summary's link takes the keyboard to the unanswered row.
    summary.get_by_role("link").nth(1).click()
    expect(rows.nth(1).get_by_label("Yes")).to_be_focused()
