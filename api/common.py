"""What every endpoint shares: the project lookup, money, people and pagination."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from api import problems
from api.auth import TokenAuth
from api.schemas import IntIn
from gates import services
from gates.models import Criterion
from gates.services.scorecards import answer_problem
from portfolio import access
from portfolio.models import Project, User

MAX_PER_PAGE = 100


def project_for(request: HttpRequest, key: str) -> Project:
    """The project if the token's person may see it (drafts stay their author's): else 404.
    The key is taken in any letter case (``gl-0071`` is ``GL-0071``); what is answered
    names the project by its stored key."""
    try:
        return access.get_project_for_user(request.user, key)
    except access.KeyInOtherCase as other_case:
        return other_case.project


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise problems.forbidden(message)


# --- Permission before input -------------------------------------------------------------
# An operation's permission is checked with its token (``auth=may(...)``), before its query
# and body are read: an architect's empty body to the feasibility study is the 403 a full
# one gets, not a 400 listing the fields they may not write anyway.


def may(allowed: Callable[[User], bool], message: str) -> TokenAuth:
    """``auth=`` for an operation ``allowed(user)`` may call; a 403 saying ``message`` else."""

    def check(request: HttpRequest) -> None:
        require(allowed(request.user), message)

    return TokenAuth(permission=check)


def may_change(refusal: Callable[[User, Project], str | None]) -> TokenAuth:
    """``auth=`` for a change to the project of the path's ``key``: the 404 of a project the
    person does not see, else the 403 saying ``refusal(user, project)`` when it says
    anything; the project is then ``permitted_project(request)``."""

    def check(request: HttpRequest) -> None:
        project = project_for(request, request.resolver_match.kwargs["key"])
        refused = refusal(request.user, project)
        require(refused is None, refused or "")
        request.api_project = project

    return TokenAuth(permission=check)


def unless(allowed: Callable[[User, Project], bool], message: str):
    """A refusal for ``may_change``: ``message`` unless ``allowed(user, project)``."""
    return lambda user, project: None if allowed(user, project) else message


def permitted_project(request: HttpRequest) -> Project:
    """The project ``may_change`` let the person change."""
    return request.api_project


def money(value: Decimal | None) -> dict | None:
    if value is None:
        return None
    return {"amount": f"{Decimal(value):.2f}", "currency": settings.CURRENCY}


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"email": user.email, "name": user.display_name}


class Paging(Schema):
    page: IntIn = Field(1, ge=1, le=1_000_000)
    per_page: IntIn = Field(25, ge=1, le=MAX_PER_PAGE)


PagingQuery = Query[Paging]


def paginate(request: HttpRequest, rows: QuerySet, paging: Paging, serialize) -> dict:
    """One page of ``rows`` (already in a stable order), with links to its neighbours."""
    count = rows.count()
    pages = max(1, math.ceil(count / paging.per_page))
    start = (paging.page - 1) * paging.per_page
    items = [serialize(row) for row in rows[start : start + paging.per_page]]

    def link(page: int) -> str:
        query = request.GET.copy()
        query["page"] = str(page)
        query["per_page"] = str(paging.per_page)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    return {
        "count": count,
        "page": paging.page,
        "per_page": paging.per_page,
        "pages": pages,
        "next": link(paging.page + 1) if paging.page < pages else None,
        "previous": link(min(paging.page - 1, pages)) if paging.page > 1 else None,
        "results": items,
    }


def scorecard_scores(answers) -> list:
    """A posted scorecard (``criterion``, ``met``, ``score`` each) as the services take it;
    a criterion scored twice is a 400 and an unknown one a 422, naming ``scores[i].criterion``
    (a repeat was a 500: the scores' UNIQUE constraint), and an answer of the wrong kind (a
    score for a must-meet criterion, met for a should-meet one, both or neither) a 400
    naming ``scores[i]``, before anything is saved."""
    criteria = Criterion.objects.in_bulk([answer.criterion for answer in answers])
    scores = []
    seen = set()
    for index, answer in enumerate(answers):
        if answer.criterion in seen:
            raise invalid(
                f"criterion {answer.criterion} is scored twice.", f"scores[{index}].criterion"
            )
        seen.add(answer.criterion)
        criterion = criteria.get(answer.criterion)
        if criterion is None:
            raise _refused(
                f"There is no criterion {answer.criterion}.", f"scores[{index}].criterion"
            )
        score = services.Score(criterion=criterion, met=answer.met, score=answer.score)
        wrong = answer_problem(score)
        if wrong:
            # The services' rule (check_scores), said here as wrong input about the item.
            raise invalid(wrong, f"scores[{index}]")
        scores.append(score)
    return scores


def kill_marks(project, marks, field: str) -> list:
    """Posted judgements of the kill criteria the review holds ``project`` to; one it does not
    judge is a 422 and one judged twice a 400, naming ``field[i].criterion``."""
    pending = {c.pk: c for c in services.pending_kill_criteria(project)}
    judged = []
    seen = set()
    for index, mark in enumerate(marks):
        if mark.criterion in seen:
            raise invalid(
                f"kill criterion {mark.criterion} is judged twice.", f"{field}[{index}].criterion"
            )
        seen.add(mark.criterion)
        criterion = pending.get(mark.criterion)
        if criterion is None:
            raise _refused(
                f"{mark.criterion} is not a kill criterion this review judges.",
                f"{field}[{index}].criterion",
            )
        judged.append(services.KillMark(criterion=criterion, met=mark.met, note=mark.note))
    return judged


def invalid(detail: str, field: str) -> problems.ApiProblem:
    """Wrong input (400) about one field, said ``field: detail``."""
    return problems.ApiProblem(
        400,
        "invalid-input",
        "Invalid input",
        f"{field}: {detail}",
        field=field,
        errors=[{"field": field, "message": detail}],
    )


def _refused(detail: str, field: str) -> problems.ApiProblem:
    return problems.ApiProblem(422, "rule", "Refused by the process rules", detail, field=field)
