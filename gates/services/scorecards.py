"""Scorecards: one answer per criterion, their weighted total, and the checks on them.

Shared by the chair's decision and each gatekeeper's vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gates.models import Criterion, DecisionKind, Gate
from portfolio.errors import Problems


@dataclass(frozen=True)
class Score:
    """One answer on a scorecard: ``met`` for must-meet, ``score`` 0–10 for should-meet."""

    criterion: Criterion
    met: bool | None = None
    score: int | None = None


def answer_problem(answer: Score) -> str | None:
    """What is wrong with the kind of ``answer``, or None: a must-meet criterion is answered
    by ``met`` (yes or no) and a should-meet one by a ``score`` (0 to 10), one of the two,
    never both, never neither. A wrong one was kept as an answer holding nothing (met and
    score null): said here, for the API (which names the list's item) and every caller."""
    criterion = answer.criterion
    if criterion.is_must_meet:
        kind, wanted, other = "must-meet", "met (true or false)", "a score"
        given, extra = answer.met is not None, answer.score is not None
    else:
        kind, wanted, other = "should-meet", "a score (0 to 10)", "met"
        given, extra = answer.score is not None, answer.met is not None
    said = f"criterion {criterion.pk} is {kind}: send {wanted}"
    if given and extra:
        return f"{said} only, not {other} as well."
    if extra:
        return f"{said}, not {other}."
    if not given:
        return f"{said}."
    return None


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
    """Refuse a scorecard with every problem it has (one ``DomainError`` names them all)."""
    problems = Problems()
    seen = set()
    for item, s in enumerate(scores, start=1):
        if s.criterion.pk in seen:
            # Twice would break the one-score-per-criterion constraint (a 500, not a message).
            problems.add(f"{s.criterion.name} is scored twice.", field="scores")
            continue
        seen.add(s.criterion.pk)
        if s.criterion.gate_id != gate.pk:
            problems.add(f"{s.criterion.name} is not a criterion of {gate}.", field="scores")
        elif wrong := answer_problem(s):
            problems.add(wrong, field="scores", item=item)
        elif s.score is not None and not (0 <= s.score <= 10):
            problems.add(f"{s.criterion.name}: a score is from 0 to 10.", field="scores")
    if decision == DecisionKind.GO:
        unmet = unmet_must_meet(gate.criteria.filter(is_active=True), scores)
        if unmet:
            # The criteria are the subject: a form marks each one's row with the problem.
            problems.add(unmet_message(unmet), field="scores", subject=unmet)
    problems.raise_any()


def unmet_must_meet(criteria, scores: list[Score]) -> list[Criterion]:
    """The must-meet criteria a go would leave unmet (not answered, or answered no)."""
    met = {s.criterion.pk for s in scores if s.met is True}
    return [c for c in criteria if c.is_must_meet and c.pk not in met]


def unmet_message(unmet: list[Criterion]) -> str:
    """Names every unmet must-meet criterion, so one refusal says all that a go lacks."""
    names = [f"“{c.name}”" for c in unmet]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    verb = "is" if len(names) == 1 else "are"
    return f"A go needs every must-meet criterion met: {listed} {verb} not."
