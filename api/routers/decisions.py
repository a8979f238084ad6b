"""Gate decisions: the history of a project, and recording one (``gates.services.record_decision``)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Status

from api import schemas
from api.common import (
    PagingQuery,
    decimal_text,
    kill_marks,
    may_change,
    money,
    paginate,
    permitted_project,
    person,
    project_for,
    scorecard_scores,
    unless,
)
from gates import services
from gates.models import CriterionScore, GateDecision
from portfolio import access

router = Router(tags=["decisions"])


def decision_out(decision: GateDecision) -> dict:
    return {
        "id": decision.pk,
        "sequence": decision.sequence,
        "gate": decision.gate.number,
        "decision": decision.decision,
        "decided_on": decision.decided_on,
        "decided_by": person(decision.decided_by),
        "funding_granted": money(decision.funding_granted),
        "probability_of_success": decimal_text(decision.probability_of_success),
        "rationale": decision.rationale,
        "scorecard_total": decimal_text(decision.scorecard_total),
        "recorded_at": decision.recorded_at,
        "scores": [
            {
                "criterion": s.criterion_id,
                "criterion_name": s.criterion.name,
                "met": s.met,
                "score": s.score,
                "weight": str(s.weight),
            }
            for s in decision.scores.all()
        ],
    }


@router.get("/projects/{key}/decisions", response={200: schemas.DecisionPage, **schemas.ERRORS})
def list_decisions(request: HttpRequest, key: str, paging: PagingQuery):
    """The project's gate decisions in the order they were recorded (never edited)."""
    project = project_for(request, key)
    rows = (
        GateDecision.objects.filter(project=project)
        .select_related("gate", "decided_by")
        .prefetch_related(Prefetch("scores", CriterionScore.objects.select_related("criterion")))
        .order_by("sequence")
    )
    return paginate(request, rows, paging, decision_out)


@router.post(
    "/projects/{key}/decisions",
    response={201: schemas.DecisionOut, **schemas.WRITE_ERRORS},
    auth=may_change(
        unless(
            access.can_decide,
            "Only the project's product manager or an executive decides its gates.",
        )
    ),
)
def record_decision(request: HttpRequest, key: str, payload: schemas.DecisionIn):
    """Record a decision at the gate the project waits at: the same rules as the gate review.

    The project's product manager or an executive decides. A go needs the gate's
    deliverables and every must-meet criterion met; a kill or a hold needs a rationale.
    """
    project = permitted_project(request)
    scores = scorecard_scores(payload.scores)
    verdicts = kill_marks(project, payload.kill_verdicts, "kill_verdicts")
    decision = services.record_decision(
        project=project,
        gate=payload.gate,
        decision=payload.decision,
        actor=request.user,
        decided_on=payload.decided_on,
        funding_granted=payload.funding_granted,
        probability_of_success=payload.probability_of_success,
        rationale=payload.rationale,
        scores=scores,
        kill_criteria=[
            services.NewKillCriterion(
                statement=c.statement, comparison=c.comparison, target=c.target
            )
            for c in payload.kill_criteria
        ],
        kill_verdicts=verdicts,
        decisions_seen=payload.decisions_seen,
    )
    decision = (
        GateDecision.objects.select_related("gate", "decided_by")
        .prefetch_related(Prefetch("scores", CriterionScore.objects.select_related("criterion")))
        .get(pk=decision.pk)
    )
    return Status(201, decision_out(decision))
