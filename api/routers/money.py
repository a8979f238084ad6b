"""Spend going in and value coming out: lists, and recording through the portfolio services."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from ninja import Router, Status

from api import schemas
from api.common import (
    PagingQuery,
    may_change,
    money,
    paginate,
    permitted_project,
    person,
    project_for,
    unless,
)
from portfolio import access, services
from portfolio.models import Outcome, SpendEntry

router = Router(tags=["spend and outcomes"])

# The end of the 422 for a month above a year's high projection: what to send, where the
# pages say what to tick.
SEND_TO_CONFIRM = 'send it again with "confirm_value": true'


def spend_out(entry: SpendEntry) -> dict:
    return {
        "id": entry.pk,
        "spent_on": entry.spent_on,
        "amount": money(entry.amount),
        "category": entry.category,
        "note": entry.note,
        "recorded_by": person(entry.recorded_by),
        "recorded_at": entry.recorded_at,
    }


def outcome_out(outcome: Outcome) -> dict:
    return {
        "id": outcome.pk,
        "month": f"{outcome.month:%Y-%m}",
        "realized_value": money(outcome.realized_value),
        "recorded_by": person(outcome.recorded_by),
        "recorded_at": outcome.recorded_at,
    }


@router.get("/projects/{key}/spend", response={200: schemas.SpendPage, **schemas.ERRORS})
def list_spend(request: HttpRequest, key: str, paging: PagingQuery):
    """Spend entries, oldest first."""
    project = project_for(request, key)
    rows = (
        SpendEntry.objects.filter(project=project)
        .select_related("recorded_by")
        .order_by("spent_on", "id")
    )
    return paginate(request, rows, paging, spend_out)


@router.post(
    "/projects/{key}/spend",
    response={201: schemas.SpendOut, **schemas.WRITE_ERRORS},
    auth=may_change(
        unless(
            access.can_record_spend,
            "Only the project's researcher, its product manager or an admin records spend.",
        )
    ),
)
def record_spend(request: HttpRequest, key: str, payload: schemas.SpendIn):
    """Record spend: the project's researcher, its product manager or an admin."""
    project = permitted_project(request)
    entry = services.record_spend(project=project, actor=request.user, **payload.dict())
    return Status(201, spend_out(entry))


@router.get("/projects/{key}/outcomes", response={200: schemas.OutcomePage, **schemas.ERRORS})
def list_outcomes(request: HttpRequest, key: str, paging: PagingQuery):
    """Value realized by a greenlit project, month by month."""
    project = project_for(request, key)
    rows = Outcome.objects.filter(project=project).select_related("recorded_by").order_by("month")
    return paginate(request, rows, paging, outcome_out)


@router.post(
    "/projects/{key}/outcomes",
    response={201: schemas.OutcomeOut, **schemas.WRITE_ERRORS},
    auth=may_change(
        unless(
            access.can_record_outcome,
            "Outcomes are recorded for greenlit projects by their product manager or an executive.",
        )
    ),
)
def record_outcome(request: HttpRequest, key: str, payload: schemas.OutcomeIn):
    """Record a month's realized value: greenlit projects, their product manager or an executive.

    A month above the project's high projection for a whole year is recorded only with
    ``"confirm_value": true``."""
    project = permitted_project(request)
    year, month = (int(part) for part in payload.month.split("-"))
    outcome = services.record_outcome(
        project=project,
        actor=request.user,
        month=datetime.date(year, month, 1),
        realized_value=payload.realized_value,
        confirm_value=payload.confirm_value,
        how_to_confirm=SEND_TO_CONFIRM,
    )
    return Status(201, outcome_out(outcome))
