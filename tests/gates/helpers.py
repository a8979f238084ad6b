"""Small builders shared by the gate tests: deliverables, scorecards, decisions."""

from __future__ import annotations

from decimal import Decimal

from gates.models import ArchitectureEstimate, BusinessCase, Criterion, FeasibilityStudy, Gate
from gates.services import Score
from portfolio.models import Project, User


def add_study(project: Project, author: User) -> FeasibilityStudy:
    return FeasibilityStudy.objects.create(
        project=project,
        author=author,
        findings="The model triages 64% of cases.",
        hypothesis_held="yes",
        evidence="Two pilots on 2,000 cases.",
        confidence="high",
        recommended_next_step="continue",
    )


def add_estimate(project: Project, author: User, **kw) -> ArchitectureEstimate:
    fields = {
        "build_cost": Decimal("100000"),
        "monthly_run_cost": Decimal("2000"),
        "retraining_cadence": "quarterly",
        "cost_per_retrain": Decimal("5000"),
    }
    fields.update(kw)
    return ArchitectureEstimate.objects.create(project=project, author=author, **fields)


def add_business_case(project: Project, author: User) -> BusinessCase:
    return BusinessCase.objects.create(
        project=project,
        author=author,
        customer_problem="Reviewers drown in cases.",
        value_rationale="Hours saved × cost per hour.",
    )


def criteria(gate_number: int) -> list[Criterion]:
    return list(Criterion.objects.filter(gate__number=gate_number, is_active=True))


def full_marks(gate_number: int, *, met: bool = True, score: int = 8) -> list[Score]:
    """Every criterion answered: must-meet ``met``, should-meet ``score``."""
    return [
        Score(criterion=c, met=met) if c.is_must_meet else Score(criterion=c, score=score)
        for c in criteria(gate_number)
    ]


def scorecard_post(gate_number: int, *, met: str = "yes", score: int = 8) -> dict:
    """The scorecard fields of the gate review form, every criterion answered."""
    data = {}
    for c in criteria(gate_number):
        if c.is_must_meet:
            data[f"must_{c.pk}"] = met
        else:
            data[f"score_{c.pk}"] = str(score)
    return data


def gate(number: int) -> Gate:
    return Gate.objects.get(number=number)
