"""The dashboard's numbers: ``portfolio.metrics.compute``, the engine behind /api/metrics.

The body is what /api/metrics answers (the shape of the metrics spec, with the
same parameters), plus the portfolio's ``currency``. An ``ETag`` names the data
version and the filters, so ``If-None-Match`` answers 304 without computing
anything while nothing has changed.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field, field_validator

from api import problems, schemas
from api.common import may
from background.cache import computed_once
from portfolio import versioning
from portfolio.access import can_view_dashboard
from portfolio.dashboard.forms import product_manager_problem
from portfolio.dashboard.views import FILTERS  # /api/metrics's parameters, the same here
from portfolio.metrics import (
    AS_OF_RANGE_MESSAGE,
    EARLIEST_AS_OF,
    LATEST_AS_OF,
    MetricsFilterError,
    compute,
)

router = Router(tags=["metrics"])
CACHE_SECONDS = 600


class MetricsFilters(Schema):
    """The parameters of /api/metrics, read as it reads them: a blank one is no filter (today
    for ``as_of``), and a date is written YYYY-MM-DD, nothing else (not 0, not a timestamp)."""

    as_of: datetime.date | None = Field(
        None, description="Numbers as they stood at the end of this day; today when left out."
    )
    bucket: schemas.Bucket | None = None
    research_type: schemas.ResearchType | None = None
    product_manager: schemas.LineIn | None = Field(
        None, max_length=254, description="An e-mail address."
    )

    @field_validator(*FILTERS, mode="before")
    @classmethod
    def _blank_is_no_filter(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("as_of", mode="before")
    @classmethod
    def _date_as_written(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None  # (before-validators run last to first: this one sees the blank)
        if value is not None and not (
            isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
        ):
            raise ValueError("give a date as YYYY-MM-DD.")
        return value


class MetricsOut(Schema):
    # The engine's shape (the metrics spec); keys it gains later pass through.
    model_config = ConfigDict(extra="allow")

    currency: str
    as_of: datetime.date
    headline: dict[str, Any]
    funnel: list[dict[str, Any]]
    series: list[dict[str, Any]]
    buckets: list[dict[str, Any]]
    outcomes: dict[str, int]
    calibration: dict[str, Any]


def _etag(version: int, filters: dict) -> str:
    text = "|".join([str(version)] + [f"{k}={filters[k] or ''}" for k in sorted(filters)])
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "/metrics",
    response={200: MetricsOut, 304: None, **schemas.ERRORS},
    auth=may(
        can_view_dashboard, "The portfolio metrics are for executives, product managers and admins."
    ),
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "schema": {"type": "string"},
                "description": "The ETag of an earlier answer: 304 while the numbers are the same.",
            }
        ]
    },
)
def get_metrics(request: HttpRequest, filters: Query[MetricsFilters]):
    """Every dashboard number as of a date, for the whole portfolio or a slice of it.

    For executives, product managers, admins and holders of the dashboard permission.
    """
    # A misspelt filter must not give the whole portfolio's numbers as if it applied.
    if unknown := sorted(set(request.GET) - set(FILTERS)):
        raise problems.ApiProblem(
            400,
            "invalid-input",
            "Invalid input",
            f"{unknown[0]}: unknown parameter; use {', '.join(FILTERS)}.",
            field=unknown[0],
        )
    as_of = filters.as_of or timezone.localdate()
    if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
        raise problems.ApiProblem(
            400, "invalid-input", "Invalid input", f"as_of: {AS_OF_RANGE_MESSAGE}", field="as_of"
        )
    if problem := product_manager_problem(filters.product_manager):
        # As the dashboard says it: no numbers for nobody (they were all zeros).
        raise problems.ApiProblem(
            400,
            "invalid-input",
            "Invalid input",
            f"product_manager: {problem}",
            field="product_manager",
        )
    chosen = {
        "as_of": as_of,
        "bucket": filters.bucket,
        "research_type": filters.research_type,
        "product_manager": (filters.product_manager or "").strip().lower() or None,
    }
    version = versioning.current()
    etag = _etag(version, chosen)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"] = etag
        patch_vary_headers(not_modified, ["Authorization"])
        return not_modified
    key = "greenlight:api-v1-metrics:" + etag.strip('"')
    try:
        # The shared cache, computed by one process at a time per version and filters.
        result = computed_once(key, lambda: compute(**chosen), CACHE_SECONDS)
    except MetricsFilterError as error:
        raise problems.ApiProblem(400, "invalid-input", "Invalid input", str(error)) from None
    # Serialized as /api/metrics serializes it, every section included (MetricsOut names
    # the main ones for the schema; the engine's later sections pass through).
    answer = JsonResponse({"currency": settings.CURRENCY, **result})
    answer["ETag"] = etag
    answer["Cache-Control"] = "private, no-cache"
    patch_vary_headers(answer, ["Authorization"])
    return answer
