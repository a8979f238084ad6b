"""Shortcuts for the portfolio view tests: move a project through the gates."""

from __future__ import annotations

from decimal import Decimal

from gates.models import ArchitectureEstimate, BusinessCase, FeasibilityStudy, Gate
from gates.services import Score, record_decision


def decide(project, gate: int, decision: str, actor, **kw):
    """Record a decision; a go answers every must-meet criterion with yes."""
    gate_obj = Gate.objects.get(number=gate)
    scores = [Score(criterion=c, met=True) for c in gate_obj.criteria.filter(kind="must")]
    if decision in ("kill", "hold"):
        kw.setdefault("rationale", "Recorded by a test.")
    return record_decision(
        project=project, gate=gate_obj, decision=decision, actor=actor, scores=scores, **kw
    )


def feasibility_study(project, author):
    return FeasibilityStudy.objects.create(
        project=project,
        author=author,
        findings="It works.",
        hypothesis_held="yes",
        evidence="A pilot.",
        confidence="high",
        recommended_next_step="continue",
    )


def architecture_estimate(project, author):
    return ArchitectureEstimate.objects.create(
        project=project,
        author=author,
        build_cost=Decimal(1000),
        monthly_run_cost=Decimal(10),
        retraining_cadence="none",
    )


def business_case(project, author):
    return BusinessCase.objects.create(
        project=project, author=author, customer_problem="Slow.", value_rationale="Cheaper."
    )


def greenlight(project, pm, architect):
    """Take a project at gate 1 through all four gates, on the day it was submitted."""
    on = project.submitted_on
    decide(project, 1, "go", pm, decided_on=on)
    feasibility_study(project, project.researcher)
    decide(project, 2, "go", pm, decided_on=on)
    architecture_estimate(project, architect)
    decide(project, 3, "go", pm, decided_on=on)
    business_case(project, pm)
    decide(project, 4, "go", pm, decided_on=on)
    project.refresh_from_db()
    return project
