"""A criterion repeated in a decision's or a vote's lists is a 400 naming the repeat, nothing
written: it was a 500 (IntegrityError, UNIQUE constraint on the criterion's score)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from gates.models import Gate, GateDecision, KillCriterion, Vote
from gates.services import NewKillCriterion, record_decision
from portfolio.models import AuditEntry
from tests.builders import make_project


def _snapshot():
    return (
        GateDecision.objects.count(),
        Vote.objects.exclude(recommendation="").count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    )


@pytest.fixture
def recycled(alice, bob):
    """Recycled at gate 1: its second review judges a kill criterion."""
    project = make_project(key="RC", researcher=alice, product_manager=bob)
    record_decision(
        project=project,
        gate=1,
        decision="recycle",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        kill_criteria=[NewKillCriterion("Precision on the hold-out", ">=", Decimal("0.8"))],
    )
    return project


def _criterion() -> int:
    return Gate.objects.get(number=1).criteria.filter(kind="must", is_active=True).first().pk


def _refused(answer, field: str, message: str) -> None:
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field
    assert problem["detail"] == f"{field}: {message}"


def test_a_decision_scoring_a_criterion_twice(api_as, bob, recycled):
    criterion = _criterion()
    api = api_as(bob)
    before = _snapshot()
    answer = api.post(
        "/api/v1/projects/RC/decisions",
        {
            "gate": 1,
            "decision": "hold",
            "rationale": "Wait.",
            "scores": [
                {"criterion": criterion, "met": True},
                {"criterion": criterion, "met": False},
            ],
        },
    )
    _refused(answer, "scores[1].criterion", f"criterion {criterion} is scored twice.")
    assert _snapshot() == before


def test_a_decision_judging_a_kill_criterion_twice(api_as, bob, recycled):
    pending = KillCriterion.objects.get().pk
    api = api_as(bob)
    before = _snapshot()
    answer = api.post(
        "/api/v1/projects/RC/decisions",
        {
            "gate": 1,
            "decision": "hold",
            "rationale": "Wait.",
            "kill_verdicts": [
                {"criterion": pending, "met": True},
                {"criterion": pending, "met": False},
            ],
        },
    )
    _refused(answer, "kill_verdicts[1].criterion", f"kill criterion {pending} is judged twice.")
    assert _snapshot() == before


@pytest.mark.parametrize("repeated", ["scores", "kill_marks"])
def test_a_vote_repeating_a_criterion(api_as, bob, recycled, repeated):
    if repeated == "scores":
        criterion = _criterion()
        items = [{"criterion": criterion, "met": True}, {"criterion": criterion, "met": True}]
        message = f"criterion {criterion} is scored twice."
    else:
        criterion = KillCriterion.objects.get().pk
        items = [{"criterion": criterion, "met": True}, {"criterion": criterion, "met": False}]
        message = f"kill criterion {criterion} is judged twice."
    api = api_as(bob)
    before = _snapshot()
    answer = api.put(
        "/api/v1/projects/RC/review/vote",
        {"gate": 1, "recommendation": "hold", repeated: items},
    )
    _refused(answer, f"{repeated}[1].criterion", message)
    assert _snapshot() == before


def test_the_services_refuse_a_repeat_too(bob, recycled):
    """Whatever calls them (the pages cannot repeat a criterion: a field each)."""
    from gates.services import KillMark, Score, cast_vote
    from portfolio.errors import DomainError

    criterion = Gate.objects.get(number=1).criteria.filter(kind="must", is_active=True).first()
    pending = KillCriterion.objects.get()
    before = _snapshot()
    with pytest.raises(DomainError, match="is scored twice"):
        record_decision(
            project=recycled,
            gate=1,
            decision="hold",
            actor=bob,
            rationale="Wait.",
            scores=[Score(criterion, met=True), Score(criterion, met=False)],
        )
    with pytest.raises(DomainError, match="is marked twice"):
        cast_vote(
            project=recycled,
            gate=1,
            actor=bob,
            recommendation="hold",
            kill_marks=[KillMark(pending, True), KillMark(pending, False)],
        )
    assert _snapshot() == before
