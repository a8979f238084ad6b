"""The plan (planning.md): which open projects a budget funds, from ``planning.engine``.

The parameters are the planning page's (``planning.inputs.from_query``), so a plan
URL of the page and of the API ask the same question; the answer is the JSON of
``manage.py portfolio_plan``, with the portfolio's ``currency``. Setting a
project's next-stage ask goes through ``planning.services.set_next_stage_ask``.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Schema
from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter, WithJsonSchema

from api import concurrency, problems, schemas
from api.common import may, may_change, money, permitted_project, project_for, unless
from planning import engine, inputs
from planning import services as planning_services
from planning.models import PlanSettings
from portfolio import access, edits
from portfolio.errors import DomainError, PermissionDenied

router = Router(tags=["plan"])


def check_horizon(value: int) -> int:
    low, high = inputs.HORIZON_RANGE
    if not low <= value <= high:
        raise ValueError(inputs.HORIZON_MESSAGE)
    return value


def check_probabilities(value: str) -> str:
    if value not in inputs.PROBABILITY_MODES:
        raise ValueError(inputs.unknown_probabilities_message(value))
    return value


# The horizon's range and the probabilities' modes are refused in the planning page's words
# ("Horizon: a whole number of years from 1 to 10."), not pydantic's ("Input should be less
# than or equal to 10", "Input should be 'raw' or 'calibrated'"); the schema still documents
# them. A horizon written with an exponent (1e1) gets the page's example: 3, not 1000000.
HorizonIn = Annotated[
    schemas.IntIn,
    AfterValidator(check_horizon),
    schemas.plain_digits_as(
        inputs.WRITTEN["horizon"].example, inputs.WRITTEN["horizon"].with_exponent
    ),
    WithJsonSchema(
        TypeAdapter(
            Annotated[schemas.IntIn, Field(ge=inputs.HORIZON_RANGE[0], le=inputs.HORIZON_RANGE[1])]
        ).json_schema()
    ),
]
ProbabilitiesIn = Annotated[
    schemas.LineIn,
    AfterValidator(check_probabilities),
    WithJsonSchema(TypeAdapter(Literal[inputs.PROBABILITY_MODES]).json_schema()),
]


class PlanQuery(Schema):
    budget: schemas.LineIn | None = Field(
        None, description="Money for the next round; the plan settings' when left out."
    )
    as_of: schemas.DateIn | None = Field(
        None, description="Projects active on this day; today when left out."
    )
    horizon: HorizonIn | None = Field(None, description="Years of value counted.")
    discount_rate: schemas.LineIn | None = Field(None, description="0 ≤ r < 1.")
    probabilities: ProbabilitiesIn | None = None
    target: list[schemas.LineIn] = Field(
        default_factory=list, description="BUCKET=SHARE, repeated."
    )
    pin_in: list[schemas.LineIn] = Field(
        default_factory=list, description="Project keys funded whatever their rank."
    )
    pin_out: list[schemas.LineIn] = Field(
        default_factory=list, description="Project keys never funded."
    )


class PlanProject(Schema):
    key: str
    bucket: str
    gate: int | None
    probability: float
    ask: float
    ecv: float | None
    pi: float | None
    rank: int | None
    funded: bool
    reason: str
    why_not_funded: str = Field(
        description="Why the plan leaves the project out, as the planning page says it: for "
        "one that does not fit, its ask and the money left at its turn (and the projects "
        "ranked below it funded first); else its reason (pinned out, ECV not above 0, no "
        "ask). Empty when funded."
    )
    no_estimate: bool


class PlanOut(Schema):
    model_config = ConfigDict(extra="allow")

    currency: str
    as_of: datetime.date
    budget: float
    funded_ask: float
    unspent: float
    buckets: list[dict[str, Any]]
    projects: list[PlanProject]


class AskIn(schemas.Input):
    next_stage_ask: schemas.MoneyIn | None = Field(
        description="null when the project asks nothing."
    )


class AskOut(Schema):
    next_stage_ask: schemas.Money | None


# What the ask's ETag is the digest of: the field its page's form edits.
ASK_FIELDS = ("next_stage_ask",)


@router.get(
    "/plan",
    response={200: PlanOut, **schemas.ERRORS},
    auth=may(access.can_plan, "Planning is for product managers, executives and admins."),
)
def get_plan(request: HttpRequest, query: Query[PlanQuery]):
    """Rank the open projects by productivity index and fund them until the budget runs out.

    For product managers, executives and admins (as the planning page).
    """
    try:
        # A misspelt parameter must not give the default plan as if it applied.
        inputs.check_parameters(request.GET)
        plan_request = inputs.from_query(
            request.GET, defaults=inputs.defaults_from(PlanSettings.load())
        )
        plan = engine.compute(plan_request)
    except PermissionDenied:
        raise
    except DomainError as error:
        # The question is malformed (a budget that is no number, an unknown pin): input, not a rule.
        field = _parameter(error.field, error.message, request.GET)
        message = error.message
        if error.field == "targets" and message.startswith("Targets:"):
            # The page's word for its target fields; here, the parameter sent.
            message = f"{field}:{message.removeprefix('Targets:')}"
        raise problems.ApiProblem(
            400, "invalid-input", "Invalid input", message, field=field
        ) from None
    return JsonResponse({"currency": settings.CURRENCY, **plan.as_json()})


def _parameter(field: str | None, message: str, query) -> str | None:
    """The query parameter a refusal is about, named as the request sent it.

    The planning parser calls the bucket targets ``targets`` (the page marks its
    ``target_BUCKET`` inputs from that); here they come as ``target=BUCKET=SHARE``
    (or ``target_BUCKET=SHARE``, which the page's links use), so the problem names
    the one sent: ``target_revenue`` for "Target for revenue: …" when that was sent,
    else ``target``.
    """
    if field != "targets" or field in query:  # (``targets`` sent: an unknown parameter)
        return field
    for name in query:
        if not name.startswith(inputs.TARGET_PREFIX):
            continue
        bucket = name[len(inputs.TARGET_PREFIX) :]
        if message.startswith(f"Target for {bucket}:") or f"bucket “{bucket}”" in message:
            return name
    if "target" in query:
        return "target"
    # Only target_BUCKET parameters, the problem about them all (shares over 1): the first.
    sent = [name for name in query if name.startswith(inputs.TARGET_PREFIX)]
    return sent[0] if sent else "target"


@router.get(
    "/projects/{key}/next-stage-ask", response={200: AskOut, **schemas.ERRORS}, tags=["plan"]
)
def get_next_stage_ask(request: HttpRequest, key: str, response: HttpResponse):
    """The money the project asks for its next stage (null: nothing), its ``ETag`` for the
    ``If-Match`` of the PUT."""
    project = project_for(request, key)
    concurrency.tagged(response, edits.values_of(project, ASK_FIELDS))
    return {"next_stage_ask": money(project.next_stage_ask)}


@router.put(
    "/projects/{key}/next-stage-ask",
    response={200: schemas.ProjectDetail, **concurrency.PUT_ERRORS},
    openapi_extra=concurrency.IF_MATCH,
    tags=["plan"],
    auth=may_change(
        unless(
            access.can_set_next_stage_ask,
            "Only the project's researcher or product manager sets its ask, until the process "
            "ends.",
        )
    ),
)
def put_next_stage_ask(request: HttpRequest, key: str, payload: AskIn, response: HttpResponse):
    """Set the money the project asks for its next stage: its researcher or product manager.
    Send the ETag of ``GET …/next-stage-ask`` in ``If-Match``: a 412 (nothing saved) if the
    ask changed since; the answer's ETag is the ask's as saved."""
    from api.routers.projects import project_detail

    project = permitted_project(request)
    seen = concurrency.seen(request)
    with concurrency.precondition("the next-stage ask", ASK_FIELDS):
        planning_services.set_next_stage_ask(
            project=project, ask=payload.next_stage_ask, actor=request.user, seen=seen
        )
    saved = project_for(request, key)
    concurrency.tagged(response, edits.values_of(saved, ASK_FIELDS))
    return project_detail(saved)
