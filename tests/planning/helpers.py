"""Builders for a hand-made portfolio: projects with asks, estimates and decisions."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

from django.core.management import call_command

from gates.models import ArchitectureEstimate, Gate, GateDecision
from portfolio.models import Project, User
from tests.builders import make_project

AS_OF = "2026-06-30"


def candidate(key: str, *, value, ask, probability="0.5", bucket="efficiency", **kw) -> Project:
    """An active project submitted in January 2026 (waiting at gate 1)."""
    return make_project(
        key=key,
        projected_low=Decimal(0),
        projected_expected=Decimal(str(value)),
        projected_high=Decimal(str(value)) * 2,
        probability_of_success=Decimal(probability),
        next_stage_ask=None if ask is None else Decimal(str(ask)),
        bucket=bucket,
        **kw,
    )


def decide(project: Project, gate: int, decision: str, *, on: str, probability=None) -> None:
    """A decision written as an import writes history (no deliverables or scorecard)."""
    GateDecision.objects.create(
        project=project,
        gate=Gate.objects.get(number=gate),
        decision=decision,
        decided_by=project.product_manager,
        decided_on=datetime.date.fromisoformat(on),
        sequence=project.decisions.count() + 1,
        probability_of_success=None if probability is None else Decimal(probability),
    )


def estimate(project: Project, **kw) -> ArchitectureEstimate:
    author = User.objects.filter(email="carol@example.com").first() or project.product_manager
    fields = {
        "build_cost": Decimal(0),
        "monthly_run_cost": Decimal(0),
        "retraining_cadence": "none",
        "cost_per_retrain": Decimal(0),
    }
    fields.update({k: Decimal(str(v)) if k != "retraining_cadence" else v for k, v in kw.items()})
    return ArchitectureEstimate.objects.create(project=project, author=author, **fields)


def plan(*args: str, simple: bool = True) -> dict:
    """portfolio_plan's JSON; ``simple``: one year, no discounting (ECV = p·V − ask, no estimate)."""
    base = ["--as-of", AS_OF]
    if simple:
        base += ["--horizon", "1", "--discount-rate", "0"]
    out = io.StringIO()
    call_command("portfolio_plan", *base, *args, stdout=out)
    return json.loads(out.getvalue())


def rows(result: dict) -> dict[str, dict]:
    return {p["key"]: p for p in result["projects"]}
