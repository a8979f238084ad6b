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

Three queries, whatever the portfolio size, each a set of common table
expressions: the projects in scope, their latest decision as of A (a window
function, so no per-project subquery), and from those their status. Spend to
date reads the monthly rollup (SpendMonth) for the months before A's and the
entries of A's own month only, so its cost grows with projects × months, not
with spend rows. Money is summed as integer cents and probabilities as integer
ten-thousandths: SQLite stores decimals as REAL, and sums of those drift.

``portfolio`` must not import ``gates``: decisions and gates are read by table
name, through the app registry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db import connection
from django.utils import timezone

from portfolio import process
from portfolio.metrics import MetricsFilterError
from portfolio.models import (
    Bucket,
    Outcome,
    Project,
    ResearchType,
    SpendEntry,
    SpendMonth,
    User,
)

# As-of dates the dashboard answers for: a far date would only build a series of
# thousands of empty months (and the date arithmetic would leave the calendar).
EARLIEST_AS_OF = datetime.date(1900, 1, 1)
LATEST_AS_OF = datetime.date(2100, 12, 31)
AS_OF_RANGE_MESSAGE = (
    f"choose a date between {EARLIEST_AS_OF.isoformat()} and {LATEST_AS_OF.isoformat()}."
)
ZOMBIE_IDLE_DAYS = 180
ZOMBIE_RECENT_SPEND_DAYS = 90
RELIABILITY_BINS = 10
PROBABILITY_SCALE = 10_000  # probabilities have 4 decimal places
CENT = Decimal("0.01")

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
        as_of = as_of or timezone.localdate()
        if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
            raise MetricsFilterError(f"As of: {AS_OF_RANGE_MESSAGE}")
        return cls(as_of, bucket, research_type, product_manager)

    def where(self) -> tuple[str, dict]:
        """The SQL condition on ``p`` (projects) and ``u`` (their product manager), with parameters."""
        clauses = ["p.submitted_on IS NOT NULL", "p.submitted_on <= %(as_of)s"]
        params: dict = {"as_of": _date_param(self.as_of)}
        if self.bucket:
            clauses.append("p.bucket = %(bucket)s")
            params["bucket"] = self.bucket
        if self.research_type:
            clauses.append("p.research_type = %(research_type)s")
            params["research_type"] = self.research_type
        if self.product_manager:
            # E-mails are stored lower-case, so plain equality ignores case and keeps the index.
            clauses.append("u.email = %(product_manager)s")
            params["product_manager"] = self.product_manager
        return " AND ".join(clauses), params


def _date_param(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


def _date(value) -> datetime.date | None:
    """A date column from raw SQL (SQLite hands back text)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def _first_month_start_after(day: datetime.date) -> datetime.date:
    """The first day of the first whole month after ``day``."""
    following = day + datetime.timedelta(days=1)
    if following.day == 1:
        return following
    return (following.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _next_month(column: str) -> str:
    """The first day of the month after the date in ``column`` (NULL stays NULL)."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) + interval '1 month' AS date)"
    # SQLite keeps dates as 'YYYY-MM-DD' text.
    return f"date({column}, 'start of month', '+1 month')"


def _cents(column: str) -> str:
    """One money value as integer cents (SQLite hands back a REAL: round it first)."""
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _probability(column: str) -> str:
    return f"CAST(ROUND({column} * {PROBABILITY_SCALE}) AS BIGINT)"


def _money(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(CENT)


def _probability_value(ten_thousandths: int | None) -> Decimal | None:
    if ten_thousandths is None:
        return None
    return (Decimal(ten_thousandths) / PROBABILITY_SCALE).normalize()


def _tables() -> dict[str, str]:
    return {
        "project": Project._meta.db_table,
        "user": User._meta.db_table,
        "spend": SpendEntry._meta.db_table,
        "spend_month": SpendMonth._meta.db_table,
        "outcome": Outcome._meta.db_table,
        "decision": apps.get_model("gates", "GateDecision")._meta.db_table,
        "gate": apps.get_model("gates", "Gate")._meta.db_table,
    }


def _state(t: dict[str, str], where: str) -> str:
    """scope (the projects), latest (each one's latest decision as of A), state (its status)."""
    return f"""
    scope AS (
        SELECT p.id, p.key, p.title, p.bucket, p.research_type, p.value_kind, p.submitted_on,
               u.email AS pm_email,
               {_probability("p.probability_of_success")} AS probability,
               {_cents("p.projected_low")} AS low_c,
               {_cents("p.projected_expected")} AS expected_c,
               {_cents("p.projected_high")} AS high_c
        FROM {t["project"]} p
        JOIN {t["user"]} u ON u.id = p.product_manager_id
        WHERE {where}
    ),
    ranked AS (
        SELECT d.project_id, d.decision, g.number AS gate, d.decided_on,
               ROW_NUMBER() OVER (
                   PARTITION BY d.project_id ORDER BY d.decided_on DESC, d.sequence DESC
               ) AS recency
        FROM {t["decision"]} d
        JOIN scope s ON s.id = d.project_id
        JOIN {t["gate"]} g ON g.id = d.gate_id
        WHERE d.decided_on <= %(as_of)s
    ),
    state AS (
        SELECT s.*, r.decision AS latest_kind, r.gate AS latest_gate,
               r.decided_on AS last_decision_on,
               {process.state_sql("r.decision", "r.gate", "r.decided_on")["status"]} AS status
        FROM scope s
        LEFT JOIN ranked r ON r.project_id = s.id AND r.recency = 1
    )"""


def _fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- Open projects: risk and reward, zombies -----------------------------------------------------


def _open_projects(scope: Scope) -> list[dict]:
    """Projects active or on hold as of A, with what the risk chart and the zombie list need.

    Spend to date: the rollup's months up to A's, less the entries dated after
    A in A's month (none when A is today, the usual case). The zombie figures are computed only for the projects
    idle for 180 days, the same way: whole months from the rollup, entries for
    the partial months at either end of each window.
    """
    t = _tables()
    where, params = scope.where()
    as_of = scope.as_of
    month_start = as_of.replace(day=1)
    recent_after = as_of - datetime.timedelta(days=ZOMBIE_RECENT_SPEND_DAYS)
    params |= {
        "month_start": _date_param(month_start),
        "next_month_start": _date_param(_first_month_start_after(month_start)),
        "idle_cutoff": _date_param(as_of - datetime.timedelta(days=ZOMBIE_IDLE_DAYS)),
        # The 90-day window is (recent_after, A]: its first whole month starts here.
        "recent_after": _date_param(recent_after),
        "recent_months_from": _date_param(_first_month_start_after(recent_after)),
    }
    sql = f"""
    WITH {_state(t, where)},
    open_projects AS (
        SELECT * FROM state WHERE status IN ('active', 'on_hold')
    ),
    latest_probability AS (
        SELECT d.project_id, {_probability("d.probability_of_success")} AS probability,
               ROW_NUMBER() OVER (
                   PARTITION BY d.project_id ORDER BY d.decided_on DESC, d.sequence DESC
               ) AS recency
        FROM {t["decision"]} d
        JOIN open_projects o ON o.id = d.project_id
        WHERE d.decided_on <= %(as_of)s AND d.probability_of_success IS NOT NULL
    ),
    -- Spend after A in A's month, taken off the rollup's months (usually none: A is today).
    after_as_of AS (
        SELECT e.project_id, {_cents("e.amount")} AS c
        FROM {t["spend"]} e
        JOIN open_projects o ON o.id = e.project_id
        WHERE e.spent_on > %(as_of)s AND e.spent_on < %(next_month_start)s
    ),
    spend_to_date AS (
        SELECT project_id, SUM(c) AS c FROM (
            SELECT m.project_id, {_cents("m.amount")} AS c
            FROM {t["spend_month"]} m
            JOIN open_projects o ON o.id = m.project_id
            WHERE m.month <= %(month_start)s
            UNION ALL
            SELECT project_id, -c FROM after_as_of
        ) spend
        GROUP BY project_id
    ),
    idle AS (
        SELECT id, last_decision_on, {_next_month("last_decision_on")} AS after_month
        FROM open_projects
        WHERE COALESCE(last_decision_on, submitted_on) <= %(idle_cutoff)s
    ),
    -- Spend in the last 90 days and since the last decision, of the idle projects: whole
    -- months from the rollup, and entries only in the partial months (each branch a range).
    -- An idle project's last decision is at least 180 days old, so before A's month.
    idle_spend AS (
        SELECT project_id, SUM(recent_c) AS recent_c, SUM(since_c) AS since_c FROM (
            SELECT m.project_id,
                   CASE WHEN m.month >= %(recent_months_from)s THEN {_cents("m.amount")}
                        ELSE 0 END AS recent_c,
                   CASE WHEN i.last_decision_on IS NULL OR m.month >= i.after_month
                        THEN {_cents("m.amount")} ELSE 0 END AS since_c
            FROM {t["spend_month"]} m
            JOIN idle i ON i.id = m.project_id
            WHERE m.month <= %(month_start)s
            UNION ALL
            SELECT a.project_id, -a.c, -a.c
            FROM after_as_of a
            JOIN idle i ON i.id = a.project_id
            UNION ALL
            SELECT e.project_id, {_cents("e.amount")}, 0
            FROM {t["spend"]} e
            JOIN idle i ON i.id = e.project_id
            WHERE e.spent_on > %(recent_after)s AND e.spent_on < %(recent_months_from)s
            UNION ALL
            SELECT e.project_id, 0, {_cents("e.amount")}
            FROM {t["spend"]} e
            JOIN idle i ON i.id = e.project_id
            WHERE e.spent_on > i.last_decision_on AND e.spent_on < i.after_month
              AND e.spent_on < %(month_start)s
        ) parts
        GROUP BY project_id
    )
    SELECT o.key, o.title, o.bucket, o.research_type, o.pm_email, o.status,
           o.latest_kind, o.latest_gate, o.last_decision_on, o.submitted_on,
           COALESCE(lp.probability, o.probability) AS probability,
           o.expected_c, COALESCE(sp.c, 0) AS spend_c,
           i.id IS NOT NULL AS idle, ip.recent_c, ip.since_c
    FROM open_projects o
    LEFT JOIN latest_probability lp ON lp.project_id = o.id AND lp.recency = 1
    LEFT JOIN spend_to_date sp ON sp.project_id = o.id
    LEFT JOIN idle i ON i.id = o.id
    LEFT JOIN idle_spend ip ON ip.project_id = o.id
    ORDER BY o.key
    """
    return _fetch(sql, params)


def _current_gate(latest_kind: str | None, latest_gate: int | None) -> int:
    """The gate of the next decision of an open project (metrics.md)."""
    if latest_kind is None:
        return 1
    if latest_kind == "go":
        return latest_gate + 1
    return latest_gate


def _risk_rows(open_projects: list[dict]) -> list[dict]:
    return [
        {
            "key": row["key"],
            "title": row["title"],
            "bucket": row["bucket"],
            "research_type": row["research_type"],
            "product_manager": row["pm_email"],
            "current_gate": _current_gate(row["latest_kind"], row["latest_gate"]),
            "probability": _probability_value(row["probability"]),
            "projected_expected": _money(row["expected_c"]),
            "spend_to_date": _money(row["spend_c"]),
        }
        for row in open_projects
        if row["status"] == "active"
    ]


def _zombie_rows(open_projects: list[dict], as_of: datetime.date) -> list[dict]:
    result = []
    for row in open_projects:
        if not row["idle"] or not row["recent_c"]:
            continue
        last_decision_on = _date(row["last_decision_on"])
        idle_since = last_decision_on or _date(row["submitted_on"])
        result.append(
            {
                "key": row["key"],
                "title": row["title"],
                "bucket": row["bucket"],
                "product_manager": row["pm_email"],
                "status": row["status"],
                "last_decision_on": last_decision_on,
                "days_without_decision": (as_of - idle_since).days,
                "spend_last_90_days": _money(row["recent_c"]),
                "spend_since_decision": _money(row["since_c"]),
            }
        )
    result.sort(key=lambda z: (-z["spend_since_decision"], z["key"]))
    return result


def risk_reward(scope: Scope) -> list[dict]:
    """Projects active as of A: latest probability, projected expected value, spend to date."""
    return _risk_rows(_open_projects(scope))


def zombies(scope: Scope) -> list[dict]:
    """Open projects with no decision for 180 days but spend in the last 90 (as of A).

    A project with no decision yet counts from its submission. Spend since the
    last decision is the spend dated after it, up to A. Largest spend first.
    """
    return _zombie_rows(_open_projects(scope), scope.as_of)


# --- Reliability diagram ---------------------------------------------------------------------


def reliability(scope: Scope) -> list[dict]:
    """Forecasts of greenlit and killed projects (as for the Brier score), in ten bins.

    Bin i holds forecasts in [i/10, (i+1)/10); the last also holds 1. Each bin:
    its bounds, how many forecasts, their mean, and the share of them whose
    project was greenlit. A well-calibrated forecaster's points lie on the
    diagonal. Bins without forecasts are included, with nulls.
    """
    t = _tables()
    where, params = scope.where()
    width = PROBABILITY_SCALE // RELIABILITY_BINS
    sql = f"""
    WITH {_state(t, where)},
    decided AS (
        SELECT id, probability, CASE WHEN status = 'greenlit' THEN 1 ELSE 0 END AS outcome
        FROM state WHERE status IN ('greenlit', 'killed')
    ),
    forecasts AS (
        SELECT probability, outcome FROM decided
        UNION ALL
        SELECT {_probability("d.probability_of_success")}, c.outcome
        FROM {t["decision"]} d
        JOIN decided c ON c.id = d.project_id
        WHERE d.decided_on <= %(as_of)s AND d.probability_of_success IS NOT NULL
    )
    SELECT CASE WHEN probability >= {PROBABILITY_SCALE} THEN {RELIABILITY_BINS - 1}
                ELSE probability / {width} END AS bin,
           COUNT(*) AS forecasts, SUM(probability) AS total, SUM(outcome) AS successes
    FROM forecasts
    GROUP BY 1
    """
    bins = {row["bin"]: row for row in _fetch(sql, params)}
    result = []
    for i in range(RELIABILITY_BINS):
        row = bins.get(i, {"forecasts": 0, "total": 0, "successes": 0})
        forecasts, successes = row["forecasts"], int(row["successes"])
        result.append(
            {
                "bin": i,
                "low": Decimal(i) / RELIABILITY_BINS,
                "high": Decimal(i + 1) / RELIABILITY_BINS,
                "forecasts": forecasts,
                "successes": successes,
                "mean_forecast": _ratio(int(row["total"]), forecasts * PROBABILITY_SCALE),
                "observed_rate": _ratio(successes, forecasts),
            }
        )
    return result


def _ratio(numerator: int, denominator: int) -> float | None:
    if not denominator:
        return None
    return float((Decimal(numerator) / denominator).quantize(Decimal("0.0001"), ROUND_HALF_UP))


# --- Outcome against projection --------------------------------------------------------------


def outcome_details(scope: Scope) -> list[dict]:
    """Greenlit projects with outcome months: annualized value against the projected range.

    Annualized value is 12 × the mean monthly realized value (metrics.md); it
    is compared with the range exactly, in cents (12 × total against bound × months).
    """
    t = _tables()
    where, params = scope.where()
    sql = f"""
    WITH {_state(t, where)},
    realized AS (
        SELECT o.project_id, COUNT(*) AS months, SUM({_cents("o.realized_value")}) AS realized_c
        FROM {t["outcome"]} o
        JOIN state s ON s.id = o.project_id AND s.status = 'greenlit'
        WHERE o.month <= %(as_of)s
        GROUP BY o.project_id
    )
    SELECT s.key, s.title, s.bucket, s.pm_email, s.value_kind, s.low_c, s.expected_c, s.high_c,
           r.months, r.realized_c
    FROM state s
    JOIN realized r ON r.project_id = s.id
    ORDER BY s.key
    """
    result = []
    for row in _fetch(sql, params):
        twelve_total, months = 12 * row["realized_c"], row["months"]
        if twelve_total < row["low_c"] * months:
            verdict = "under"
        elif twelve_total > row["high_c"] * months:
            verdict = "over"
        else:
            verdict = "within"
        result.append(
            {
                "key": row["key"],
                "title": row["title"],
                "bucket": row["bucket"],
                "product_manager": row["pm_email"],
                "value_kind": row["value_kind"],
                "projected_low": _money(row["low_c"]),
                "projected_expected": _money(row["expected_c"]),
                "projected_high": _money(row["high_c"]),
                "months": months,
                "realized_value": _money(row["realized_c"]),
                "annualized_value": (Decimal(twelve_total) / months / 100).quantize(
                    CENT, ROUND_HALF_UP
                ),
                "verdict": verdict,
            }
        )
    return result


def dashboard_extras(scope: Scope) -> dict:
    """Everything above, for one page: three queries."""
    open_projects = _open_projects(scope)
    return {
        "risk": _risk_rows(open_projects),
        "zombies": _zombie_rows(open_projects, scope.as_of),
        "reliability": reliability(scope),
        "outcomes": outcome_details(scope),
    }


__all__ = [
    "OUTCOME_COLUMNS",
    "RELIABILITY_COLUMNS",
    "RISK_COLUMNS",
    "ZOMBIE_COLUMNS",
    "Scope",
    "dashboard_extras",
    "outcome_details",
    "reliability",
    "risk_reward",
    "zombies",
]
