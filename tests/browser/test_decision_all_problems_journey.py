"""A refused decision in a real browser: every problem at once, each beside its row, then one
more submit records it (the recycle a tester needed five submits for)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from gates.models import GateDecision
from gates.services import NewKillCriterion, record_decision
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The gates, which the previous live-server test's flush removed."""
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_a_recycle_with_four_problems_is_corrected_in_one_more_submit(
    page, live_server, login, screenshot, alice, bob
):
    project = make_project(
        key="LABEL-3", title="Label claims", researcher=alice, product_manager=bob
    )
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[
            NewKillCriterion("A labelled sample of 1,000 claims"),
            NewKillCriterion("Signed data-access agreement"),
            NewKillCriterion("Two annotators per claim"),
        ],
    )
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/LABEL-3/gate-review/")
    form = page.locator("section.decision-card form")
    form.locator("input[name=decision][value=recycle]").check()
    form.get_by_role("radiogroup", name="Two annotators per claim").get_by_label("Not met").check()
    form.get_by_label("Kill criterion 2").fill("Recall on last year's claims")
    form.locator("select[name=next-kc2_comparison]").select_option(">=")
    form.get_by_role("button", name="Record decision").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_count(4)
    rows = page.locator("#kill-verdicts .kill-mark-row")
    for n, statement in enumerate(
        ["A labelled sample of 1,000 claims", "Signed data-access agreement"]
    ):
        expect(rows.nth(n)).to_contain_text(
            f"Mark the kill criterion “{statement}” met or not met."
        )
        expect(rows.nth(n).get_by_role("radiogroup")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-next-kc2_target")).to_contain_text(
        "Kill criterion 2: a number needs a comparison, and a comparison a number."
    )
    expect(page.locator("#field-rationale")).to_contain_text("give the rationale for another round")
    # What was typed is still there.
    expect(form.get_by_label("Kill criterion 2")).to_have_value("Recall on last year's claims")
    expect(
        form.get_by_role("radiogroup", name="Two annotators per claim").get_by_label("Not met")
    ).to_be_checked()
    assert GateDecision.objects.count() == 1
    screenshot(page, "decision_every_problem_at_once")

    # The summary's link to the half-typed criterion takes the keyboard to its number.
    summary.get_by_role("link", name="Kill criterion 2").click()
    expect(page.locator("input[name=next-kc2_target]")).to_be_focused()
    page.keyboard.type("0.7")
    form = page.locator("section.decision-card form")
    for n in range(2):
        rows.nth(n).get_by_label("Met", exact=True).check()
    form.get_by_role("textbox", name="Rationale").fill("Two annotators start in March.")
    form.get_by_role("button", name="Record decision").click()
    expect(
        page.get_by_role("status").filter(has_text="Recycle at Gate 1: Exploration recorded")
    ).to_be_visible()
    assert GateDecision.objects.count() == 2
