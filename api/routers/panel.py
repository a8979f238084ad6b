"""The decision panel: the open review (blind votes), casting a vote, and kill criteria.

Everything goes through the panel's services (``gates.services``: ``cast_vote``,
``gatekeepers``, ``open_votes``, ``pending_kill_criteria``) and keeps its rules:
the votes of an open review are shown only to someone who has voted (as on the
gate review page), and a vote arriving after the decision is refused.

Your vote's GET and PUT carry an ``ETag``, and a PUT sent with ``If-Match`` is refused
(412) when the vote was cast or changed since (``api.concurrency``), as the review page
refuses a vote from a page drawn before another tab saved it.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import Field

from api import concurrency, problems, schemas
from api.common import (
    decimal_text,
    kill_marks,
    may_change,
    permitted_project,
    person,
    project_for,
    require,
    scorecard_scores,
)
from gates import services
from gates.models import KillCriterion, Vote
from gates.models.panel import COMMENT_MAX
from gates.services.votes import VOTE_ACTIONS
from portfolio import process

router = Router(tags=["decision panel"])

Recommendation = schemas.DecisionKind


# --- Documents ------------------------------------------------------------------------------


class KillMarkOut(Schema):
    criterion: int
    met: bool
    note: str


class VoteOut(Schema):
    voter: schemas.Person
    gate: int
    recommendation: Recommendation | None
    probability_of_success: str | None
    comment: str
    scorecard_total: str | None
    voted_at: datetime.datetime | None
    scores: list[schemas.ScoreOut]
    kill_marks: list[KillMarkOut]


class KillCriterionOut(Schema):
    id: int
    gate: int = Field(description="The gate whose review judges it.")
    statement: str
    comparison: schemas.Comparison
    target: str | None
    registered_by_decision: int
    verdict: KillMarkOut | None = Field(
        description="The chair's, with the decision; null while pending."
    )


class GatekeeperOut(Schema):
    person: schemas.Person
    is_chair: bool
    has_voted: bool


class ReviewOut(Schema):
    gate: int | None = Field(description="The gate under review; null once the process ended.")
    review_round: int = Field(description="Decisions so far: send it with a vote.")
    gatekeepers: list[GatekeeperOut]
    votes_visible: bool = Field(description="Votes are blind until you have voted.")
    my_vote: VoteOut | None
    votes: list[VoteOut]
    pending_kill_criteria: list[KillCriterionOut]


class KillMarkIn(schemas.Input):
    criterion: schemas.IdIn = Field(description="A pending kill criterion's id.")
    met: bool
    note: schemas.TextIn = Field("", max_length=2_000)


class VoteIn(schemas.Input):
    gate: schemas.IntIn = Field(ge=process.FIRST_GATE, le=process.LAST_GATE)
    recommendation: Recommendation
    probability_of_success: schemas.ProbabilityIn | None = None
    comment: schemas.TextIn = Field("", max_length=COMMENT_MAX)  # the model's, as the form's
    scores: list[schemas.ScoreIn] = Field(default_factory=list, max_length=100)
    kill_marks: list[KillMarkIn] = Field(default_factory=list, max_length=20)
    review_round: schemas.IntIn | None = Field(
        None, ge=0, description="The review_round you saw: refused if a decision came since."
    )


# --- Serializing ----------------------------------------------------------------------------


def vote_out(vote: Vote) -> dict:
    return {
        "voter": person(vote.voter),
        "gate": vote.gate.number,
        "recommendation": vote.recommendation or None,
        "probability_of_success": decimal_text(vote.probability_of_success),
        "comment": vote.comment,
        "scorecard_total": decimal_text(vote.scorecard_total),
        "voted_at": vote.voted_at,
        "scores": [
            {
                "criterion": s.criterion_id,
                "criterion_name": s.criterion.name,
                "met": s.met,
                "score": s.score,
                "weight": str(s.weight),
            }
            for s in vote.scores.all()
        ],
        "kill_marks": [
            {"criterion": m.criterion_id, "met": m.met, "note": m.note}
            for m in vote.kill_marks.all()
        ],
    }


def kill_criterion_out(criterion: KillCriterion) -> dict:
    verdict = getattr(criterion, "verdict", None) if hasattr(criterion, "verdict") else None
    return {
        "id": criterion.pk,
        "gate": criterion.gate.number,
        "statement": criterion.statement,
        "comparison": criterion.comparison,
        "target": decimal_text(criterion.target),
        "registered_by_decision": criterion.decision_id,
        "verdict": (
            {"criterion": criterion.pk, "met": verdict.met, "note": verdict.note}
            if verdict is not None
            else None
        ),
    }


def _votes(project):
    return (
        services.open_votes(project)
        .exclude(recommendation="")
        .select_related("voter", "gate")
        .prefetch_related("scores__criterion", "kill_marks")
    )


# --- Endpoints ------------------------------------------------------------------------------


@router.get("/projects/{key}/review", response={200: ReviewOut, **schemas.ERRORS})
def get_review(request: HttpRequest, key: str):
    """The open gate review: its gatekeepers, the votes (once you have voted), pending kill criteria.

    For those who decide the project's gates and the review's gatekeepers.
    """
    project = project_for(request, key)
    require(
        services.may_open_review(request.user, project),
        "The review is for those who decide the project's gates and its gatekeepers.",
    )
    gate = services.review_gate(project)
    votes = list(_votes(project)) if gate is not None else []
    by_voter = {v.voter_id: v for v in votes}
    mine = by_voter.get(request.user.pk)
    people = services.gatekeepers(project, gate) if gate is not None else []
    pending = services.pending_kill_criteria(project) if gate is not None else []
    return {
        "gate": gate.number if gate is not None else None,
        "review_round": project.decisions_count,
        "gatekeepers": [
            {
                "person": person(p),
                "is_chair": p.pk == project.product_manager_id,
                "has_voted": p.pk in by_voter,
            }
            for p in people
        ],
        "votes_visible": mine is not None,
        "my_vote": vote_out(mine) if mine is not None else None,
        "votes": [vote_out(v) for v in votes] if mine is not None else [],
        "pending_kill_criteria": [kill_criterion_out(c) for c in pending],
    }


def vote_refusal(user, project) -> str | None:
    """Why ``user`` may not vote in the project's open review, or None: its gatekeepers vote
    (once the process has ended, the service says the votes are closed)."""
    if not services.may_open_review(user, project):
        return "Only the gatekeepers of the open review vote on it."
    review = services.review_gate(project)
    if review is not None and not services.is_gatekeeper(user, project, review):
        return f"Only the gatekeepers of {review} vote on it."
    return None


def _tagged(response: HttpResponse, vote: Vote) -> dict:
    """``vote_out(vote)``, its ETag made from the vote as stored (the page's digest)."""
    concurrency.tagged(response, services.vote_values(vote))
    return vote_out(vote)


@router.get("/projects/{key}/review/vote", response={200: VoteOut, **schemas.ERRORS})
def get_vote(request: HttpRequest, key: str, response: HttpResponse):
    """Your vote in the open review (404 before you have cast one), its ``ETag`` for the
    ``If-Match`` of the PUT."""
    project = project_for(request, key)
    require(
        services.may_open_review(request.user, project),
        "The review is for those who decide the project's gates and its gatekeepers.",
    )
    mine = services.my_open_vote(project, request.user)
    if mine is None:
        raise problems.not_found(f"You have cast no vote in the open review of {project.key}.")
    return _tagged(response, _votes(project).get(pk=mine.pk))


@router.put(
    "/projects/{key}/review/vote",
    response={200: VoteOut, **concurrency.PUT_ERRORS},
    openapi_extra=concurrency.IF_MATCH,
    auth=may_change(lambda user, project: vote_refusal(user, project)),
)
def put_vote(request: HttpRequest, key: str, payload: VoteIn, response: HttpResponse):
    """Cast or change your vote in the open review: the review's gatekeepers only. Send the
    ETag of your GET of it in ``If-Match``: a 412 (nothing saved) if it changed since."""
    project = permitted_project(request)
    scores = scorecard_scores(payload.scores)
    marks = kill_marks(project, payload.kill_marks, "kill_marks")
    seen = concurrency.seen(request)
    with concurrency.precondition(
        "your vote",
        (),
        actions=VOTE_ACTIONS,
        absent=(
            "You have no vote in the open review (none cast yet, or a decision recorded "
            "since closed the review you read it in)"
        ),
    ):
        vote = services.cast_vote(
            project=project,
            gate=payload.gate,
            actor=request.user,
            recommendation=payload.recommendation,
            probability_of_success=payload.probability_of_success,
            comment=payload.comment,
            scores=scores,
            kill_marks=marks,
            review_round=payload.review_round,
            seen=seen,
        )
    return _tagged(response, _votes(project).get(pk=vote.pk))


@router.get(
    "/projects/{key}/kill-criteria", response={200: list[KillCriterionOut], **schemas.ERRORS}
)
def list_kill_criteria(request: HttpRequest, key: str):
    """Every kill criterion registered for the project, with the chair's verdict once judged."""
    project = project_for(request, key)
    rows = (
        KillCriterion.objects.filter(project=project)
        .select_related("gate", "verdict")
        .order_by("decision__sequence", "position")
    )
    return [kill_criterion_out(c) for c in rows]


__all__ = ["kill_criterion_out", "router", "vote_out"]
