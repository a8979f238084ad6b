"""Scorecards: one answer per criterion, their weighted total, and the checks on them.

Shared by the chair's decision and each gatekeeper's vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gates.models import Criterion, DecisionKind, Gate
from portfolio.errors import DomainError


@dataclass(frozen=True)
class Score:
    """One answer on a scorecard: ``met`` for must-meet, ``score`` 0–10 for should-meet."""

    criterion: Criterion
    met: bool | None = None
    score: int | None = None


def scorecard_total(scores: list[Score]) -> Decimal:
    """Sum of should-meet score × weight."""
    return sum(
        (
            Decimal(s.score) * s.criterion.weight
            for s in scores
            if s.score is not None and not s.criterion.is_must_meet
        ),
        Decimal(0),
    )


def scorecard_maximum(criteria) -> Decimal:
    return sum((10 * c.weight for c in criteria if not c.is_must_meet), Decimal(0))


def check_scores(gate: Gate, scores: list[Score], decision: str) -> None:
    for s in scores:
        if s.criterion.gate_id != gate.pk:
            raise DomainError(f"{s.criterion.name} is not a criterion of {gate}.", field="scores")
        if s.score is not None and not (0 <= s.score <= 10):
            raise DomainError(f"{s.criterion.name}: a score is from 0 to 10.", field="scores")
    if decision != DecisionKind.GO:
        return
    answered = {s.criterion.pk: s for s in scores}
    for criterion in gate.criteria.filter(is_active=True):
        answer = answered.get(criterion.pk)
        if criterion.is_must_meet and (answer is None or answer.met is not True):
            raise DomainError(
                f"A go needs every must-meet criterion met: “{criterion.name}” is not.",
                field="decision",
            )
