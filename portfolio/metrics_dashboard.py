"""The dashboard's numbers beyond metrics.md, computed in the database.

``portfolio.metrics.compute`` gives the headline, funnel, series, buckets,
outcome counts and Brier scores. The dashboard also shows, for the same as-of
date and filters:

- risk and reward: each project active as of A, with its latest probability
  of success, projected expected value and spend to date;
- zombies: projects active or on hold as of A whose latest decision (or, with
  none, their submission) is at least 180 days before A, with spend in the 90
  days up to A, and the spend since that decision;
- the reliability diagram: the forecasts behind the Brier score, in ten
  probability bins, against the observed success rate;
- the outcome details behind the under / within / over counts.

Every function runs a fixed number of queries whatever the portfolio size:
statuses as of A come from one correlated subquery on the latest decision,
spend from correlated sums over the entries of the projects shown. ``portfolio``
must not import ``gates``, so decisions are reached through the app registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio.metrics import MetricsFilterError
from portfolio.models import MONEY, Bucket, Project, ResearchType, SpendEntry

ZOMBIE_IDLE_DAYS = 180
ZOMBIE_RECENT_SPEND_DAYS = 90
RELIABILITY_BINS = 10

ACTIVE, ON_HOLD, GREENLIT, KILLED = "active", "on_hold", "greenlit", "killed"
LAST_GATE = 4
ZERO = Decimal(0)
CENT = Decimal("0.01")
MONEY_FIELD = DecimalField(**MONEY)


# The keys of each row, in order (the CSV downloads' columns).
RISK_COLUMNS = (
    "key",
    "title",
    "bucket",
    "research_type",
    "product_manager",
    "current_gate",
    "probability",
    "projected_expected",
    "spend_to_date",
)
ZOMBIE_COLUMNS = (
    "key",
    "title",
    "bucket",
    "product_manager",
    "status",
    "last_decision_on",
    "days_without_decision",
    "spend_last_90_days",
    "spend_since_decision",
)
RELIABILITY_COLUMNS = (
    "bin",
    "low",
    "high",
    "forecasts",
    "successes",
    "mean_forecast",
    "observed_rate",
)
OUTCOME_COLUMNS = (
    "key",
    "title",
    "bucket",
    "product_manager",
    "value_kind",
    "projected_low",
    "projected_expected",
    "projected_high",
    "months",
    "realized_value",
    "annualized_value",
    "verdict",
)


@dataclass(frozen=True)
class Scope:
    """An as-of date and the dashboard's filters, checked like the metrics engine's."""

    as_of: datetime.date
    bucket: str | None = None
    research_type: str | None = None
    product_manager: str | None = None

    @classmethod
    def of(
        cls,
        *,
        as_of: datetime.date | None = None,
        bucket: str | None = None,
        research_type: str | None = None,
        product_manager: str | None = None,
    ) -> Scope:
        bucket = bucket or None
        research_type = research_type or None
        product_manager = (product_manager or "").strip().lower() or None
        if bucket is not None and bucket not in Bucket.values:
            raise MetricsFilterError(f"Unknown bucket “{bucket}”: use {', '.join(Bucket.values)}.")
        if research_type is not None and research_type not in ResearchType.values:
            raise MetricsFilterError(
                f"Unknown research type “{research_type}”: use {', '.join(ResearchType.values)}."
            )
        return cls(as_of or timezone.localdate(), bucket, research_type, product_manager)

    def projects(self) -> QuerySet[Project]:
        """The projects that exist as of A and pass the filters."""
        projects = Project.objects.filter(submitted_on__lte=self.as_of)
        if self.bucket:
            projects = projects.filter(bucket=self.bucket)
        if self.research_type:
            projects = projects.filter(research_type=self.research_type)
        if self.product_manager:
            # E-mails are stored lower-case, so equality keeps the index usable.
            projects = projects.filter(product_manager__email=self.product_manager)
        return projects


def _money(value: Decimal | None) -> Decimal:
    """To the cent, whatever the database returned (SQLite drops trailing zeros)."""
    return (value or ZERO).quantize(CENT)


def _decisions():
    return apps.get_model("gates", "GateDecision").objects


def _latest_decisions(as_of: datetime.date, project: OuterRef) -> QuerySet:
    return (
        _decisions()
        .filter(project=project, decided_on__lte=as_of)
        .order_by("-decided_on", "-sequence")
    )


def _status_as_of(as_of: datetime.date, project: OuterRef | None = None) -> Coalesce:
    """A project's status as of A, from its latest decision on or before A.

    A kill or a go at the last gate ends a project, so the latest decision alone
    tells the status: no history scan is needed.
    """
    latest = _latest_decisions(as_of, project or OuterRef("pk")).annotate(
        status_tag=Case(
            When(decision="kill", then=Value(KILLED)),
            When(decision="go", gate__number=LAST_GATE, then=Value(GREENLIT)),
            When(decision="hold", then=Value(ON_HOLD)),
            default=Value(ACTIVE),
            output_field=CharField(),
        )
    )
    return Coalesce(
        Subquery(latest.values("status_tag")[:1], output_field=CharField()),
        Value(ACTIVE),
        output_field=CharField(),
    )


def _spend_to_date(as_of: datetime.date) -> Coalesce:
    """Spend on or before A, summed over the project's entries (index on project, spent_on).

    Not from the SpendMonth rollup: the importer's bulk path does not keep it,
    and a dashboard number that depends on how the data arrived would not be trusted.
    """
    return Coalesce(_spend_between(datetime.date.min, as_of), Value(ZERO), output_field=MONEY_FIELD)


def _spend_between(after, until: datetime.date) -> Subquery:
    """Spend dated after ``after`` (a date or an expression) and on or before ``until``."""
    entries = (
        SpendEntry.objects.filter(project=OuterRef("pk"), spent_on__gt=after, spent_on__lte=until)
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(entries, output_field=MONEY_FIELD)


# --- Risk and reward -------------------------------------------------------------------------


def risk_reward(scope: Scope) -> list[dict]:
    """Projects active as of A: latest probability, projected expected value, spend to date."""
    as_of = scope.as_of
    latest = _latest_decisions(as_of, OuterRef("pk"))
    rows = (
        scope.projects()
        .annotate(status_as_of=_status_as_of(as_of))
        .filter(status_as_of=ACTIVE)
        .annotate(
            probability=Coalesce(
                Subquery(
                    latest.filter(probability_of_success__isnull=False).values(
                        "probability_of_success"
                    )[:1]
                ),
                "probability_of_success",
            ),
            latest_gate=Subquery(latest.values("gate__number")[:1]),
            latest_kind=Subquery(latest.values("decision")[:1]),
            spend_to_date=_spend_to_date(as_of),
        )
        .values(
            "key",
            "title",
            "bucket",
            "research_type",
            "product_manager__email",
            "projected_expected",
            "probability",
            "latest_gate",
            "latest_kind",
            "spend_to_date",
        )
        .order_by("key")
    )
    return [
        {
            "key": row["key"],
            "title": row["title"],
            "bucket": row["bucket"],
            "research_type": row["research_type"],
            "product_manager": row["product_manager__email"],
            "current_gate": _current_gate(row["latest_kind"], row["latest_gate"]),
            "probability": row["probability"],
            "projected_expected": row["projected_expected"],
            "spend_to_date": _money(row["spend_to_date"]),
        }
        for row in rows
    ]


def _current_gate(latest_kind: str | None, latest_gate: int | None) -> int:
    """The gate of the next decision of an active project (metrics.md)."""
    if latest_kind is None:
        return 1
    if latest_kind == "go":
        return latest_gate + 1
    return latest_gate


# --- Zombies ----------------------------------------------------------------------------------


def zombies(scope: Scope) -> list[dict]:
    """Open projects with no decision for 180 days but spend in the last 90 (as of A).

    A project with no decision yet counts from its submission. Spend since the
    last decision is the spend dated after it, up to A. Largest spend first.
    """
    as_of = scope.as_of
    idle_since = as_of - datetime.timedelta(days=ZOMBIE_IDLE_DAYS)
    recent_after = as_of - datetime.timedelta(days=ZOMBIE_RECENT_SPEND_DAYS)
    latest = _latest_decisions(as_of, OuterRef("pk"))
    recent_spend = SpendEntry.objects.filter(
        project=OuterRef("pk"), spent_on__gt=recent_after, spent_on__lte=as_of
    )
    rows = (
        scope.projects()
        .annotate(last_decision_as_of=Subquery(latest.values("decided_on")[:1]))
        .annotate(
            idle_since=Coalesce("last_decision_as_of", "submitted_on"),
            status_as_of=_status_as_of(as_of),
        )
        .filter(
            idle_since__lte=idle_since,
            status_as_of__in=[ACTIVE, ON_HOLD],
        )
        .filter(Exists(recent_spend))
        .annotate(
            spend_last_90_days=_spend_between(recent_after, as_of),
            # With no decision, everything since submission (spend is never dated before it).
            spend_since_decision=_spend_between(
                Coalesce(
                    OuterRef("last_decision_as_of"),
                    Value(datetime.date.min),
                    output_field=DateField(),
                ),
                as_of,
            ),
        )
        .values(
            "key",
            "title",
            "bucket",
            "product_manager__email",
            "status_as_of",
            "last_decision_as_of",
            "submitted_on",
            "idle_since",
            "spend_last_90_days",
            "spend_since_decision",
        )
    )
    result = [
        {
            "key": row["key"],
            "title": row["title"],
            "bucket": row["bucket"],
            "product_manager": row["product_manager__email"],
            "status": row["status_as_of"],
            "last_decision_on": row["last_decision_as_of"],
            "days_without_decision": (as_of - row["idle_since"]).days,
            "spend_last_90_days": _money(row["spend_last_90_days"]),
            "spend_since_decision": _money(row["spend_since_decision"]),
        }
        for row in rows
    ]
    result.sort(key=lambda z: (-z["spend_since_decision"], z["key"]))
    return result


# --- Reliability diagram ---------------------------------------------------------------------


def _bin(field: str) -> Case:
    """Bin i holds forecasts in [i/10, (i+1)/10); the last bin also holds 1.

    Exact comparisons with decimal bounds, not floor(p × 10), which binary
    floating point (SQLite) can push across a bound.
    """
    whens = [
        When(**{f"{field}__lt": Decimal(i + 1) / RELIABILITY_BINS}, then=Value(i))
        for i in range(RELIABILITY_BINS - 1)
    ]
    return Case(*whens, default=Value(RELIABILITY_BINS - 1), output_field=IntegerField())


def _outcome(status_field: str) -> Case:
    return Case(When(**{status_field: GREENLIT}, then=Value(1)), default=Value(0))


def reliability(scope: Scope) -> list[dict]:
    """Forecasts of greenlit and killed projects (as for the Brier score), in ten bins.

    Each bin: its bounds, how many forecasts, their mean, and the share of them
    whose project was greenlit. A well-calibrated forecaster's points lie on
    the diagonal. Bins without forecasts are included with nulls.
    """
    as_of = scope.as_of
    decided = [GREENLIT, KILLED]
    own = (
        scope.projects()
        .annotate(status_as_of=_status_as_of(as_of))
        .filter(status_as_of__in=decided)
        .annotate(bin=_bin("probability_of_success"))
        .values("bin")
        .annotate(
            forecasts=Count("pk"),
            total=Sum("probability_of_success"),
            successes=Sum(_outcome("status_as_of")),
        )
        .order_by()
    )
    in_scope = scope.projects().filter(pk=OuterRef("project"))
    at_decisions = (
        _decisions()
        .filter(decided_on__lte=as_of, probability_of_success__isnull=False)
        .filter(Exists(in_scope))
        .annotate(status_as_of=_status_as_of(as_of, OuterRef("project")))
        .filter(status_as_of__in=decided)
        .annotate(bin=_bin("probability_of_success"))
        .values("bin")
        .annotate(
            forecasts=Count("pk"),
            total=Sum("probability_of_success"),
            successes=Sum(_outcome("status_as_of")),
        )
        .order_by()
    )
    bins = {i: [0, ZERO, 0] for i in range(RELIABILITY_BINS)}
    for row in [*own, *at_decisions]:
        counts = bins[row["bin"]]
        counts[0] += row["forecasts"]
        counts[1] += Decimal(row["total"])
        counts[2] += row["successes"]
    result = []
    for i, (forecasts, total, successes) in bins.items():
        result.append(
            {
                "bin": i,
                "low": Decimal(i) / RELIABILITY_BINS,
                "high": Decimal(i + 1) / RELIABILITY_BINS,
                "forecasts": forecasts,
                "successes": successes,
                "mean_forecast": _ratio(total, forecasts),
                "observed_rate": _ratio(Decimal(successes), forecasts),
            }
        )
    return result


def _ratio(numerator: Decimal, denominator: int) -> float | None:
    if not denominator:
        return None
    return round(float(numerator / denominator), 4)


# --- Outcome against projection --------------------------------------------------------------


def outcome_details(scope: Scope) -> list[dict]:
    """Greenlit projects with outcome months: annualized value against the projected range.

    Annualized value is 12 × the mean monthly realized value (metrics.md); it
    is compared with the range exactly (12 × total against bound × months).
    """
    as_of = scope.as_of
    in_range = Q(outcomes__month__lte=as_of)
    rows = (
        scope.projects()
        .annotate(status_as_of=_status_as_of(as_of))
        .filter(status_as_of=GREENLIT)
        .annotate(
            months=Count("outcomes", filter=in_range),
            realized=Sum("outcomes__realized_value", filter=in_range),
        )
        .filter(months__gt=0)
        .values(
            "key",
            "title",
            "bucket",
            "product_manager__email",
            "value_kind",
            "projected_low",
            "projected_expected",
            "projected_high",
            "months",
            "realized",
        )
        .order_by("key")
    )
    result = []
    for row in rows:
        twelve_total, months = 12 * row["realized"], row["months"]
        if twelve_total < row["projected_low"] * months:
            verdict = "under"
        elif twelve_total > row["projected_high"] * months:
            verdict = "over"
        else:
            verdict = "within"
        result.append(
            {
                "key": row["key"],
                "title": row["title"],
                "bucket": row["bucket"],
                "product_manager": row["product_manager__email"],
                "value_kind": row["value_kind"],
                "projected_low": row["projected_low"],
                "projected_expected": row["projected_expected"],
                "projected_high": row["projected_high"],
                "months": months,
                "realized_value": _money(row["realized"]),
                "annualized_value": (twelve_total / months).quantize(CENT, ROUND_HALF_UP),
                "verdict": verdict,
            }
        )
    return result


def dashboard_extras(scope: Scope) -> dict:
    """Everything above, for one page: five queries."""
    return {
        "risk": risk_reward(scope),
        "zombies": zombies(scope),
        "reliability": reliability(scope),
        "outcomes": outcome_details(scope),
    }


__all__ = [
    "Scope",
    "dashboard_extras",
    "outcome_details",
    "reliability",
    "risk_reward",
    "zombies",
]
