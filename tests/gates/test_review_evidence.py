"""The gate review shows the evidence it judges: the proposal, the deliverables, the decision before."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.services import NewKillCriterion
from tests.builders import add_estimate, add_study, decide, make_project

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return reverse("gate_review", args=[project.key])


def test_gate_1_shows_the_proposal_itself(client, project, bob):
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    start = body.index('id="evidence"')
    evidence = body[start : body.index("</section>", start)]
    assert '<details class="evidence-item evidence-proposal" open>' in evidence
    assert "Case for the research" in evidence
    assert "Cut the cost of manual review." in evidence
    assert "A model can triage 60% of cases." in evidence
    assert "100,000" in evidence and "250,000" in evidence and "400,000" in evidence
    assert "40%" in evidence  # the probability estimated at submission


def test_a_later_gate_folds_the_deliverables_content_and_shows_the_decision_before(
    client, alice, bob, carol
):
    project = make_project(researcher=alice, product_manager=bob)
    decide(
        project,
        1,
        "go",
        decided_on=datetime.date(2026, 1, 6),
        rationale="Worth a study: the review backlog doubles each year.",
        kill_criteria=[NewKillCriterion("precision on the 2025 hold-out", ">=", Decimal("0.8"))],
    )
    add_study(project, alice, findings="Triage worked on two pilots.")
    add_estimate(project, carol, platform_reused="Shared inference cluster")
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    # The proposal is still there, folded; each deliverable folds its content.
    assert '<details class="evidence-item evidence-proposal">' in body
    assert '<details class="evidence-item evidence-feasibility_study">' in body
    assert "Triage worked on two pilots." in body
    assert "Shared inference cluster" in body
    assert "Three-year cost" in body
    # The decision before: its rationale and the conditions it set.
    previous = body[body.index("The decision before") :]
    assert "Go at Gate 1: Exploration" in previous[:200]
    assert "Worth a study: the review backlog doubles each year." in previous
    assert "precision on the 2025 hold-out" in previous


def test_a_decision_without_kill_criteria_says_so(client, project, bob):
    # A hold registers none (a go or a recycle must register one at least).
    decide(project, 1, "hold", decided_on=datetime.date(2026, 1, 6), rationale="Sharpen it.")
    client.force_login(bob)
    body = client.get(url(project)).content.decode()
    assert "Sharpen it." in body
    # Any criteria set before it still hold: the page says so rather than "none".
    assert "A hold sets no kill criteria of its own: those set before it still apply" in body


def test_an_imported_projects_missing_proposal_text_says_why(client, bob):
    imported = make_project(product_manager=bob, business_case="", hypothesis="")
    client.force_login(bob)
    body = client.get(url(imported)).content.decode()
    start = body.index('id="evidence"')
    evidence = body[start : body.index("</section>", start)]
    assert evidence.count("Not recorded: the project came in by an import") == 2
    assert "Not written." not in evidence
