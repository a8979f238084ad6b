"""A decision the process rules refuse for several reasons is answered with every one of them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from gates.models import GateDecision, KillCriterion, KillCriterionVerdict
from gates.services import NewKillCriterion, record_decision
from portfolio.models import AuditEntry, DataVersion
from tests.builders import make_project

SAMPLE = "A labelled sample of 1,000 tickets"
AGREEMENT = "Signed data-access agreement"
PRECISION = "Precision on the 2025 hold-out"


@pytest.fixture
def recycled(alice, bob):
    """Recycled at gate 1: the second round is held to three kill criteria."""
    project = make_project(key="RE", researcher=alice, product_manager=bob)
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[
            NewKillCriterion(SAMPLE),
            NewKillCriterion(AGREEMENT),
            NewKillCriterion(PRECISION, ">=", Decimal("0.8")),
        ],
    )
    return project


def _snapshot():
    return (
        GateDecision.objects.count(),
        KillCriterion.objects.count(),
        KillCriterionVerdict.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
        list(DataVersion.objects.values_list("number", flat=True)),
    )


def test_every_problem_of_a_decision_is_in_one_answer(api_as, bob, recycled):
    api = api_as(bob)
    precision = KillCriterion.objects.get(statement=PRECISION)
    before = _snapshot()
    answer = api.post(
        "/api/v1/projects/RE/decisions",
        {
            "gate": 1,
            "decision": "recycle",
            "decided_on": "2026-01-10",
            "decisions_seen": 1,
            "kill_verdicts": [{"criterion": precision.pk, "met": False, "note": "0.74"}],
            "kill_criteria": [
                {"statement": "Signed agreement"},
                {"statement": "Recall on the 2025 tickets", "comparison": ">="},
            ],
        },
    )
    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    expected = [
        {
            "field": "kill_verdicts",
            "message": f"Mark the kill criterion “{SAMPLE}” met or not met.",
        },
        {
            "field": "kill_verdicts",
            "message": f"Mark the kill criterion “{AGREEMENT}” met or not met.",
        },
        {
            "field": "rationale",
            "message": "A recycle with a kill criterion not met keeps alive a project it would "
            "kill: give the rationale for another round.",
        },
        {
            # The second criterion of the list, named as the 400s name a nested field.
            "field": "kill_criteria[1].target",
            "message": "Kill criterion 2: a number needs a comparison, and a comparison a number.",
        },
    ]
    assert problem["type"] == "urn:greenlight:problem:rule"
    assert problem["status"] == 422
    assert problem["errors"] == expected
    assert problem["field"] == "kill_verdicts"
    # The detail says them all, for a script that shows a person only the detail.
    assert problem["detail"] == " ".join(e["message"] for e in expected)
    assert _snapshot() == before


def test_a_decision_with_one_problem_is_answered_as_before(api_as, bob, recycled):
    api = api_as(bob)
    verdicts = [{"criterion": c.pk, "met": True} for c in KillCriterion.objects.all()]
    answer = api.post(
        "/api/v1/projects/RE/decisions",
        {"gate": 1, "decision": "recycle", "decided_on": "2026-01-10", "kill_verdicts": verdicts},
    )
    assert answer.status_code == 422, answer.content
    message = (
        "A recycle registers one to five kill criteria: the evidence that would kill the "
        "project at the next round's review at gate 1."
    )
    assert answer.json()["detail"] == message
    assert answer.json()["field"] == "kill_criteria"
    assert answer.json()["errors"] == [{"field": "kill_criteria", "message": message}]
