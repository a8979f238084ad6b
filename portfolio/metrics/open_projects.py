"""The projects still in the process as of A: risk and reward, and zombies.

- risk and reward: each project active as of A, with its latest probability
  of success, projected expected value and spend to date;
- zombies: projects active or on hold as of A whose latest decision (or, with
  none, their submission) is at least 180 days before A, with spend in the 90
  days up to A, and the spend since that decision.

Both read one query. The zombie figures are computed only for the idle
projects: whole months from the monthly rollup, entries only for the partial
months at either end of each window.
"""

from __future__ import annotations

import datetime

from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import money, probability
from portfolio.metrics.scope import SPEND, Scope, date_params, first_month_start_after

# Zombies: open projects with no decision for this long, yet spend in the recent window.
ZOMBIE_IDLE_DAYS = 180
ZOMBIE_RECENT_SPEND_DAYS = 90


def _windows(scope: Scope) -> dict:
    """The dates bounding the zombie windows."""
    month_start = scope.as_of.replace(day=1)
    recent_after = scope.as_of - datetime.timedelta(days=ZOMBIE_RECENT_SPEND_DAYS)
    return date_params(
        next_month_start=first_month_start_after(month_start),
        idle_cutoff=scope.as_of - datetime.timedelta(days=ZOMBIE_IDLE_DAYS),
        # The 90-day window is (recent_after, A]: its first whole month starts here.
        recent_after=recent_after,
        recent_months_from=first_month_start_after(recent_after),
    )


OPEN_PROJECTS = CTE("open_projects", "SELECT * FROM state WHERE status IN ({active}, {on_hold})")
LATEST_PROBABILITY = CTE(
    "latest_probability",
    """
    SELECT d.project_id, d.probability,
           ROW_NUMBER() OVER (
               PARTITION BY d.project_id ORDER BY d.decided_on DESC, d.sequence DESC
           ) AS recency
    FROM dec d
    JOIN open_projects o ON o.id = d.project_id
    WHERE d.probability IS NOT NULL
    """,
    needs=(OPEN_PROJECTS,),
)
IDLE = CTE(
    "idle",
    """
    SELECT id, last_decision_on, {next_month:last_decision_on} AS after_month
    FROM open_projects
    WHERE COALESCE(last_decision_on, submitted_on) <= %(idle_cutoff)s
    """,
    needs=(OPEN_PROJECTS,),
)
# Spend after A in A's month, taken off the rollup's months (usually none: A is today).
AFTER_AS_OF = CTE(
    "after_as_of",
    """
    SELECT e.project_id, {cents:e.amount} AS c
    FROM {spend} e
    JOIN idle i ON i.id = e.project_id
    WHERE e.spent_on > %(as_of)s AND e.spent_on < %(next_month_start)s
    """,
    needs=(IDLE,),
)
# Spend in the last 90 days and since the last decision, of the idle projects: whole months
# from the rollup, and entries only in the partial months (each branch a range). An idle
# project's last decision is at least 180 days old, so before A's month.
IDLE_SPEND = CTE(
    "idle_spend",
    """
    SELECT project_id, SUM(recent_c) AS recent_c, SUM(since_c) AS since_c FROM (
        SELECT m.project_id,
               CASE WHEN m.month >= %(recent_months_from)s THEN {cents:m.amount}
                    ELSE 0 END AS recent_c,
               CASE WHEN i.last_decision_on IS NULL OR m.month >= i.after_month
                    THEN {cents:m.amount} ELSE 0 END AS since_c
        FROM {spend_month} m
        JOIN idle i ON i.id = m.project_id
        WHERE m.month <= %(month_start)s
        UNION ALL
        SELECT project_id, -c, -c FROM after_as_of
        UNION ALL
        SELECT e.project_id, {cents:e.amount}, 0
        FROM {spend} e
        JOIN idle i ON i.id = e.project_id
        WHERE e.spent_on > %(recent_after)s AND e.spent_on < %(recent_months_from)s
        UNION ALL
        SELECT e.project_id, 0, {cents:e.amount}
        FROM {spend} e
        JOIN idle i ON i.id = e.project_id
        WHERE e.spent_on > i.last_decision_on AND e.spent_on < i.after_month
          AND e.spent_on < %(month_start)s
    ) parts
    GROUP BY project_id
    """,
    needs=(IDLE, AFTER_AS_OF),
)

OPEN_PROJECTS_QUERY = Query(
    "open_projects",
    (OPEN_PROJECTS, LATEST_PROBABILITY, SPEND, IDLE, IDLE_SPEND),
    """
    SELECT o.key, o.title, o.bucket, o.research_type, o.pm_email, o.status, o.current_gate,
           o.last_decision_on, o.submitted_on,
           COALESCE(lp.probability, o.probability), o.expected_c, COALESCE(sp.spend_c, 0),
           i.id IS NOT NULL, ip.recent_c, ip.since_c
    FROM open_projects o
    LEFT JOIN latest_probability lp ON lp.project_id = o.id AND lp.recency = 1
    LEFT JOIN spend sp ON sp.project_id = o.id
    LEFT JOIN idle i ON i.id = o.id
    LEFT JOIN idle_spend ip ON ip.project_id = o.id
    ORDER BY o.key
    """,
    (
        "key",
        "title",
        "bucket",
        "research_type",
        "pm_email",
        "status",
        "current_gate",
        "last_decision_on",
        "submitted_on",
        "probability",
        "expected_c",
        "spend_c",
        "idle",
        "recent_c",
        "since_c",
    ),
    params=_windows,
)


def _date(value) -> datetime.date | None:
    """A date column from raw SQL or JSON (text on SQLite and in the PostgreSQL statement)."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


# --- Risk and reward ------------------------------------------------------------------------------

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


def _risk(rows, scope) -> list[dict]:
    return [
        {
            "key": row["key"],
            "title": row["title"],
            "bucket": row["bucket"],
            "research_type": row["research_type"],
            "product_manager": row["pm_email"],
            "current_gate": int(row["current_gate"]),
            "probability": probability(row["probability"]),
            "projected_expected": money(row["expected_c"]),
            "spend_to_date": money(row["spend_c"]),
        }
        for row in rows["open_projects"]
        if row["status"] == "active"
    ]


RISK = Section(
    "risk",
    (OPEN_PROJECTS_QUERY,),
    _risk,
    csv=(CsvTable("risk", RISK_COLUMNS),),
)

# --- Zombies ---------------------------------------------------------------------------------------

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


def _zombies(rows, scope) -> list[dict]:
    """Idle open projects with spend in the last 90 days; largest spend since the decision first."""
    result = []
    for row in rows["open_projects"]:
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
                "days_without_decision": (scope.as_of - idle_since).days,
                "spend_last_90_days": money(row["recent_c"]),
                "spend_since_decision": money(row["since_c"]),
            }
        )
    result.sort(key=lambda z: (-z["spend_since_decision"], z["key"]))
    return result


ZOMBIES = Section(
    "zombies",
    (OPEN_PROJECTS_QUERY,),
    _zombies,
    csv=(CsvTable("zombies", ZOMBIE_COLUMNS),),
)
