"""The decision panel in a real browser: blind votes, a decision against the majority, kill
criteria held to at the next review, an override, and the dashboard's decision-quality panel."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from gates.defaults import create_default_gatekeepers
from gates.models import Gate, Gatekeeper
from gates.services import KillMark, NewKillCriterion, record_decision
from tests.browser.expect import expect
from tests.builders import (
    PASSWORD,
    add_business_case,
    add_estimate,
    add_study,
    full_marks,
    make_project,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The gates and their gatekeepers, which the previous live-server test's flush removed."""
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)
    create_default_gatekeepers(Gate, Gatekeeper)


def vote(page, base: str, recommendation: str, comment: str) -> None:
    page.goto(f"{base}/projects/ALPHA/gate-review/")
    form = page.locator("form.vote-form")
    form.locator(f"input[name=vote-recommendation][value={recommendation}]").check()
    for row in form.locator(".kill-mark-row").all():  # gate 2's kill criterion
        row.get_by_label("Met", exact=True).check()
    form.get_by_label("Your probability of success (%)").fill("30")
    form.get_by_label("Comment").fill(comment)
    form.get_by_role("button", name="Cast my vote").click()
    expect(page.locator("ul.messages")).to_contain_text("vote is recorded")


def test_three_gatekeepers_vote_the_chair_overrules_them_then_overrides_a_kill_criterion(
    page, live_server, login, screenshot, browser, alice, bob, carol, erin
):
    alpha = make_project(key="ALPHA", title="Triage claims", researcher=alice, product_manager=bob)
    day = datetime.date(2026, 1, 10)
    sample = NewKillCriterion("A labelled sample of 1,000 claims")
    first = record_decision(
        project=alpha,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=day,
        scores=full_marks(1),
        kill_criteria=[sample],
    )
    add_study(alpha, alice)
    record_decision(
        project=alpha,
        gate=2,
        decision="go",
        actor=bob,
        decided_on=day,
        scores=full_marks(2),
        kill_verdicts=[KillMark(c, True) for c in first.kill_criteria.all()],
        kill_criteria=[NewKillCriterion("Recall on last year's claims", ">=", Decimal("0.7"))],
    )
    add_estimate(alpha, carol)
    add_business_case(alpha, bob)
    # An admin has made Erin a gatekeeper of gate 3: three judges with Bob and Carol.
    Gatekeeper.objects.create(gate=Gate.objects.get(number=3), kind="person", person=erin)
    base = live_server.url

    # Carol votes first.
    login(page, live_server, carol.email, PASSWORD)
    vote(page, base, "kill", "Running it costs more than it saves.")

    # Erin cannot see Carol's vote before voting; after, she sees it.
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    erin_page = other.new_page()
    login(erin_page, live_server, erin.email, PASSWORD)
    erin_page.goto(f"{base}/projects/ALPHA/gate-review/")
    panel = erin_page.locator("#panel")
    expect(panel).to_contain_text("1 of 3 gatekeepers has voted")
    expect(panel).to_contain_text("you see the others' votes once you have cast yours")
    expect(erin_page.get_by_text("Running it costs more than it saves.")).to_have_count(0)
    vote(erin_page, base, "kill", "Agree with Carol.")
    expect(erin_page.locator("#panel")).to_contain_text("Running it costs more than it saves.")
    other.close()

    # Bob, the chair, votes go, sees the majority for kill, and decides go against it.
    page.context.clear_cookies()
    login(page, live_server, bob.email, PASSWORD)
    vote(page, base, "go", "The pilot customer has signed.")
    expect(page.locator("#panel")).to_contain_text("majority: kill")
    decision = page.locator("section.decision-card form")
    for row in decision.locator("tr.must").all():
        row.get_by_label("Yes").check()
    for row in decision.locator(".kill-mark-row").all():
        row.get_by_label("Met", exact=True).check()
    decision.locator("input[name=decision][value=go]").check()
    decision.get_by_label("Kill criterion 1").fill("Precision on the 2025 hold-out")
    decision.locator("select[name=next-kc1_comparison]").select_option(">=")
    decision.locator("input[name=next-kc1_target]").fill("0.8")
    decision.get_by_role("button", name="Record decision").click()
    expect(page.locator("#field-rationale")).to_contain_text("deciding against it")
    decision = page.locator("section.decision-card form")
    decision.get_by_role("textbox", name="Rationale").fill(
        "The pilot customer's contract changes the case."
    )
    decision.get_by_role("button", name="Record decision").click()
    history = page.locator("table.decisions-table")
    expect(history).to_contain_text("decided against the majority")
    expect(history).to_contain_text("(dissent)")

    # The gate 4 review lists the kill criterion first; Bob goes ahead although it is not met.
    page.goto(f"{base}/projects/ALPHA/gate-review/")
    criteria = page.locator("section.kill-criteria-review")
    expect(criteria).to_contain_text("Precision on the 2025 hold-out ≥ 0.8")
    decision = page.locator("section.decision-card form")
    for row in decision.locator("tr.must").all():
        row.get_by_label("Yes").check()
    decision.get_by_role("radiogroup", name="Precision on the 2025 hold-out").get_by_label(
        "Not met"
    ).check()
    decision.locator("input[name=decision][value=go]").check()
    decision.get_by_role("textbox", name="Rationale").fill(
        "0.78 is close enough for the first release."
    )
    decision.get_by_role("button", name="Record decision").click()
    expect(page.locator("table.decisions-table")).to_contain_text("override of a kill criterion")
    screenshot(page, "decision-panel-review")

    page.goto(f"{base}/projects/ALPHA/")
    expect(page.locator(".override-flag")).to_contain_text("overrode a kill criterion")

    # The dashboard's decision-quality panel counts the override.
    page.goto(f"{base}/dashboard/")
    quality = page.locator("section.dash-decision-panel")
    expect(quality.locator('[data-quality="decision_panel.overrides.count"]')).to_have_text("1")
    quality.get_by_text("Data table: go decisions that overrode").click()
    expect(quality).to_contain_text("ALPHA")
    screenshot(page, "decision-panel-dashboard")
