"""Without JavaScript, "Update the total" on the gate review redraws the page with everything
typed in "Decide" kept, the kill criteria's verdicts and the next review's kill criteria
included (they came back empty), and records nothing: one more click records it all."""

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

SAMPLE = "A labelled sample of 1,000 claims"
AGREEMENT = "Signed data-access agreement"


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The gates, which the previous live-server test's flush removed."""
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_update_the_total_keeps_the_kill_criteria_work(browser, live_server, login, alice, bob):
    project = make_project(
        key="LABEL-3", title="Label claims", researcher=alice, product_manager=bob
    )
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[NewKillCriterion(SAMPLE), NewKillCriterion(AGREEMENT)],
    )
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        login(page, live_server, bob.email, PASSWORD)
        page.goto(f"{live_server.url}/projects/LABEL-3/gate-review/")
        form = page.locator("section.decision-card form")
        form.locator("input[name=decision][value=go]").check()
        sample = form.locator(".kill-mark-row").filter(has_text=SAMPLE)
        sample.get_by_label("Met", exact=True).check()
        sample.get_by_label("Note").fill("1,204 claims, two annotators each")
        form.get_by_label("Kill criterion 1").fill("Labelled claims in the training set")
        form.locator("select[name=next-kc1_comparison]").select_option(label="at least (≥)")
        form.locator("input[name=next-kc1_target]").fill("1000")
        musts = form.locator("#scorecard tr.must")
        musts.first.get_by_label("Yes").check()
        form.get_by_label("Funding granted").fill("250000")
        form.get_by_role("textbox", name="Rationale").fill("The sample is in.")

        form.get_by_role("button", name="Update the total").click()

        form = page.locator("section.decision-card form")
        expect(form.get_by_test_id("scorecard-total")).to_be_visible()
        expect(form).to_contain_text(f"Must-meet: 1 of {musts.count()} met")
        expect(page.locator(".error-summary")).to_have_count(0)
        sample = form.locator(".kill-mark-row").filter(has_text=SAMPLE)
        expect(sample.get_by_label("Met", exact=True)).to_be_checked()
        expect(sample.get_by_label("Note")).to_have_value("1,204 claims, two annotators each")
        agreement = form.locator(".kill-mark-row").filter(has_text=AGREEMENT)
        expect(agreement.get_by_label("Met", exact=True)).not_to_be_checked()
        expect(agreement.get_by_label("Not met")).not_to_be_checked()
        expect(form.get_by_label("Kill criterion 1")).to_have_value(
            "Labelled claims in the training set"
        )
        expect(form.locator("select[name=next-kc1_comparison]")).to_have_value(">=")
        expect(form.locator("input[name=next-kc1_target]")).to_have_value("1000")
        expect(musts.first.get_by_label("Yes")).to_be_checked()
        expect(form.get_by_label("Funding granted")).to_have_value("250000")
        expect(form.get_by_role("textbox", name="Rationale")).to_have_value("The sample is in.")
        expect(form.locator("input[name=decision][value=go]")).to_be_checked()
        assert GateDecision.objects.count() == 1

        # What was kept is what is recorded, with the rest answered.
        agreement.get_by_label("Met", exact=True).check()
        for row in range(musts.count()):
            musts.nth(row).get_by_label("Yes").check()
        form.get_by_role("button", name="Record decision").click()
        expect(page.get_by_role("status").filter(has_text="Go at Gate 1")).to_be_visible()
        decision = GateDecision.objects.get(sequence=2)
        assert sorted(
            (v.criterion.statement, v.met, v.note) for v in decision.kill_verdicts.all()
        ) == [
            (SAMPLE, True, "1,204 claims, two annotators each"),
            (AGREEMENT, True, ""),
        ]
        new = decision.kill_criteria.get()
        assert (new.statement, new.comparison, new.target) == (
            "Labelled claims in the training set",
            ">=",
            1000,
        )
        assert decision.funding_granted == 250000
    finally:
        context.close()
