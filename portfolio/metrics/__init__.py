"""The portfolio metrics of spec/metrics.md, computed in the database, exact to the cent.

This module is the only place these numbers are computed: the dashboard, the
JSON API and ``manage.py portfolio_metrics`` all call :func:`compute`.

How it stays exact and fast:

- Money is summed as integer cents and probabilities as integer ten-thousandths,
  so no float ever enters a sum (SQLite stores decimals as REAL; summing those
  would drift). Ratios are formed from those integers and rounded once, half
  away from zero, with integer arithmetic.
- A fixed number of queries (five), whatever the size of the portfolio. Each
  one starts from the same common table expressions: the projects in scope,
  their decisions up to the as-of date, and each project's state as of that
  date (its latest decision, found with a window function). The queries return
  grouped rows (by bucket and status, by gate, by month, by product manager),
  never spend rows.

The gates app depends on this one, never the reverse, so decisions and gates
are read by table name (resolved through the app registry), not by import.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.utils import timezone

from portfolio import process
from portfolio.models import (
    Bucket,
    Outcome,
    Project,
    ResearchType,
    SpendEntry,
    SpendMonth,
    User,
)

GATES = process.GATES
CENTS = 100
PROBABILITY_SCALE = 10_000  # probabilities are stored with 4 decimal places


class MetricsFilterError(ValueError):
    """A filter the metrics cannot apply (an unknown bucket or research type)."""


# --- Exact rounding ---------------------------------------------------------------


def _round_ratio(numerator: int, denominator: int, places: int) -> float:
    """numerator / denominator rounded to ``places`` decimals, halves away from zero.

    Integer arithmetic throughout, so an exact tie (0.21675) is seen as one.
    """
    scale = 10**places
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator) * scale, abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    if negative:
        quotient = -quotient
    return float(Decimal(quotient).scaleb(-places))


def _money(cents: int) -> float:
    return _round_ratio(cents, CENTS, 2)


def _rate(numerator: int, denominator: int) -> float | None:
    return _round_ratio(numerator, denominator, 4) if denominator else None


# --- SQL -------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    decision = apps.get_model("gates", "GateDecision")
    gate = apps.get_model("gates", "Gate")
    return {
        "project": Project._meta.db_table,
        "user": User._meta.db_table,
        "spend": SpendEntry._meta.db_table,
        "spend_month": SpendMonth._meta.db_table,
        "outcome": Outcome._meta.db_table,
        "decision": decision._meta.db_table,
        "gate": gate._meta.db_table,
    }


class _Dialect:
    """The few expressions SQLite and PostgreSQL spell differently."""

    def __init__(self, vendor: str):
        self.postgres = vendor == "postgresql"

    def month_index(self, column: str) -> str:
        """Months since year 0 (year × 12 + month − 1): consecutive months differ by 1."""
        if self.postgres:
            return (
                f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12"
                f" + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"
            )
        # SQLite keeps dates as 'YYYY-MM-DD' text.
        return (
            f"(CAST(substr({column}, 1, 4) AS INTEGER) * 12"
            f" + CAST(substr({column}, 6, 2) AS INTEGER) - 1)"
        )

    @staticmethod
    def cents(column: str) -> str:
        """One money value as integer cents (SQLite hands back a REAL; round it first)."""
        return f"CAST(ROUND({column} * 100) AS BIGINT)"

    def sum_cents(self, column: str) -> str:
        if self.postgres:
            # numeric sums are exact; convert once per group rather than once per row.
            return f"CAST(SUM({column}) * 100 AS BIGINT)"
        return f"SUM(CAST(ROUND({column} * 100) AS INTEGER))"

    @staticmethod
    def probability(column: str) -> str:
        return f"CAST(ROUND({column} * 10000) AS BIGINT)"


def _common_tables(t: dict[str, str], sql: _Dialect, where: str) -> str:
    """scope (the projects), dec (their decisions up to A), state (each one's status at A)."""
    state = process.state_sql("r.decision", "r.gate", "r.decided_on")
    return f"""
    scope AS (
        SELECT p.id, p.bucket, LOWER(u.email) AS pm_email, p.submitted_on,
               {sql.cents("p.projected_low")} AS low_c,
               {sql.cents("p.projected_expected")} AS expected_c,
               {sql.cents("p.projected_high")} AS high_c,
               {sql.probability("p.probability_of_success")} AS probability
        FROM {t["project"]} p
        JOIN {t["user"]} u ON u.id = p.product_manager_id
        WHERE p.submitted_on IS NOT NULL AND p.submitted_on <= %(as_of)s {where}
    ),
    dec AS (
        SELECT d.project_id, g.number AS gate, d.decision, d.decided_on, d.sequence,
               {sql.cents("d.funding_granted")} AS funding_c,
               {sql.probability("d.probability_of_success")} AS probability
        FROM {t["decision"]} d
        JOIN scope s ON s.id = d.project_id
        JOIN {t["gate"]} g ON g.id = d.gate_id
        WHERE d.decided_on <= %(as_of)s
    ),
    ranked AS (
        SELECT project_id, gate, decision, decided_on,
               ROW_NUMBER() OVER (
                   PARTITION BY project_id ORDER BY decided_on DESC, sequence DESC
               ) AS recency
        FROM dec
    ),
    state AS (
        SELECT s.id, s.bucket, s.pm_email, s.low_c, s.expected_c, s.high_c, s.probability,
               {state["status"]} AS status,
               {state["current_gate"]} AS current_gate,
               {state["closed_gate"]} AS closed_gate,
               {state["closed_on"]} AS closed_on
        FROM scope s
        LEFT JOIN ranked r ON r.project_id = s.id AND r.recency = 1
    )"""


def _queries(t: dict[str, str], sql: _Dialect, where: str) -> dict[str, str]:
    common = _common_tables(t, sql, where)
    # Spend up to A: whole months before A's month from the monthly rollup (its size grows
    # with projects × months, not with entries), and the entries of A's own month.
    rollup_before_month = f"""
        FROM {t["spend_month"]} sm JOIN scope s ON s.id = sm.project_id
        WHERE sm.month < %(month_start)s"""
    entries_in_month = f"""
        FROM {t["spend"]} e JOIN scope s ON s.id = e.project_id
        WHERE e.spent_on >= %(month_start)s AND e.spent_on <= %(as_of)s"""
    return {
        # Counts and sums by (bucket, status, gate of closing): at most a few dozen rows,
        # from which the headline, the bucket rows and the funnel's kills are added up.
        "groups": f"""
        WITH {common},
        spend_parts AS (
            SELECT sm.project_id, {sql.sum_cents("sm.amount")} AS spend_c {rollup_before_month}
            GROUP BY sm.project_id
            UNION ALL
            SELECT e.project_id, {sql.sum_cents("e.amount")} {entries_in_month}
            GROUP BY e.project_id
        ),
        spend AS (
            SELECT project_id, SUM(spend_c) AS spend_c FROM spend_parts GROUP BY project_id
        ),
        funding AS (SELECT project_id, SUM(funding_c) AS funding_c FROM dec GROUP BY project_id)
        SELECT st.bucket, st.status, st.closed_gate, COUNT(*),
               COALESCE(SUM(sp.spend_c), 0), COALESCE(SUM(f.funding_c), 0),
               COALESCE(SUM(st.expected_c), 0)
        FROM state st
        LEFT JOIN spend sp ON sp.project_id = st.id
        LEFT JOIN funding f ON f.project_id = st.id
        GROUP BY st.bucket, st.status, st.closed_gate
        """,
        "funnel": f"""
        WITH {common},
        counts AS (
            SELECT gate,
                   SUM(CASE WHEN decision = 'go' THEN 1 ELSE 0 END) AS go,
                   SUM(CASE WHEN decision = 'kill' THEN 1 ELSE 0 END) AS kill,
                   SUM(CASE WHEN decision = 'hold' THEN 1 ELSE 0 END) AS hold,
                   SUM(CASE WHEN decision = 'recycle' THEN 1 ELSE 0 END) AS recycle,
                   COUNT(DISTINCT CASE WHEN decision = 'go' THEN project_id END) AS go_projects
            FROM dec GROUP BY gate
        ),
        reach AS (
            SELECT project_id, gate FROM dec
            UNION
            SELECT id, current_gate FROM state WHERE current_gate IS NOT NULL
        ),
        reached AS (SELECT gate, COUNT(*) AS projects FROM reach GROUP BY gate)
        SELECT r.gate, r.projects, COALESCE(c.go, 0), COALESCE(c.kill, 0),
               COALESCE(c.hold, 0), COALESCE(c.recycle, 0), COALESCE(c.go_projects, 0)
        FROM reached r LEFT JOIN counts c ON c.gate = r.gate
        """,
        # One row per month from the first activity to A's month, running totals by window.
        "series": f"""
        WITH RECURSIVE {common},
        spend_m_parts AS (
            SELECT {sql.month_index("sm.month")} AS m, {sql.sum_cents("sm.amount")} AS spend_c
            {rollup_before_month}
            GROUP BY {sql.month_index("sm.month")}
            UNION ALL
            SELECT %(as_of_month)s, {sql.sum_cents("e.amount")} {entries_in_month}
            HAVING COUNT(*) > 0
        ),
        spend_m AS (SELECT m, SUM(spend_c) AS spend_c FROM spend_m_parts GROUP BY m),
        closed_m AS (
            SELECT {sql.month_index("closed_on")} AS m,
                   SUM(CASE WHEN status = 'greenlit' THEN 1 ELSE 0 END) AS greenlit,
                   SUM(CASE WHEN status = 'killed' THEN 1 ELSE 0 END) AS killed
            FROM state WHERE closed_on IS NOT NULL
            GROUP BY {sql.month_index("closed_on")}
        ),
        firsts AS (
            SELECT MIN({sql.month_index("submitted_on")}) AS m FROM scope
            UNION ALL SELECT MIN({sql.month_index("decided_on")}) FROM dec
            UNION ALL SELECT MIN(m) FROM spend_m
        ),
        months(m) AS (
            SELECT first_month.m FROM (SELECT MIN(m) AS m FROM firsts) first_month
            WHERE first_month.m IS NOT NULL
            UNION ALL
            SELECT m + 1 FROM months WHERE m < %(as_of_month)s
        )
        SELECT months.m,
               SUM(COALESCE(sm.spend_c, 0)) OVER running,
               SUM(COALESCE(cm.greenlit, 0)) OVER running,
               SUM(COALESCE(cm.killed, 0)) OVER running
        FROM months
        LEFT JOIN spend_m sm ON sm.m = months.m
        LEFT JOIN closed_m cm ON cm.m = months.m
        WINDOW running AS (ORDER BY months.m)
        ORDER BY months.m
        """,
        # Annualized value against the projected range, compared as integers:
        # 12 × total / months < low  ⇔  12 × total < low × months.
        "outcomes": f"""
        WITH {common},
        realized AS (
            SELECT o.project_id, {sql.sum_cents("o.realized_value")} AS value_c,
                   COUNT(*) AS months
            FROM {t["outcome"]} o JOIN scope s ON s.id = o.project_id
            WHERE o.month <= %(as_of)s
            GROUP BY o.project_id
        ),
        judged AS (
            SELECT rz.value_c,
                CASE
                    WHEN st.status <> 'greenlit' THEN NULL
                    WHEN 12 * rz.value_c < st.low_c * rz.months THEN 'under'
                    WHEN 12 * rz.value_c > st.high_c * rz.months THEN 'over'
                    ELSE 'within'
                END AS verdict
            FROM realized rz JOIN state st ON st.id = rz.project_id
        )
        SELECT COALESCE(SUM(value_c), 0),
               COALESCE(SUM(CASE WHEN verdict = 'under' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN verdict = 'within' THEN 1 ELSE 0 END), 0),
               COALESCE(SUM(CASE WHEN verdict = 'over' THEN 1 ELSE 0 END), 0)
        FROM judged
        """,
        # Squared errors in ten-thousandths squared: exact integers.
        "calibration": f"""
        WITH {common},
        closed AS (
            SELECT id, pm_email, probability,
                   CASE WHEN status = 'greenlit' THEN {PROBABILITY_SCALE} ELSE 0 END AS outcome
            FROM state WHERE status IN ('greenlit', 'killed')
        ),
        forecasts AS (
            SELECT pm_email, probability, outcome FROM closed
            UNION ALL
            SELECT c.pm_email, d.probability, c.outcome
            FROM dec d JOIN closed c ON c.id = d.project_id
            WHERE d.probability IS NOT NULL
        ),
        managers AS (SELECT DISTINCT pm_email FROM scope)
        SELECT m.pm_email, COUNT(f.probability),
               COALESCE(SUM((f.probability - f.outcome) * (f.probability - f.outcome)), 0)
        FROM managers m LEFT JOIN forecasts f ON f.pm_email = m.pm_email
        GROUP BY m.pm_email
        """,
    }


# Columns of each query's result, for the combined form below.
_COLUMNS = {"groups": 7, "funnel": 7, "series": 4, "outcomes": 4, "calibration": 3}
_FINAL_SELECT = re.compile(r"\n {8}SELECT ")


def _combined(queries: dict[str, str], common: str) -> str:
    """The five queries as one PostgreSQL statement returning one JSON object.

    PostgreSQL materializes a CTE that is referenced more than once, so the
    projects' state as of A (scope, dec, ranked, state) is worked out once
    instead of once per query. Values travel as JSON integers and strings:
    money is already in integer cents, so nothing is lost.
    """
    ctes, selects = [], []
    for name, query in queries.items():
        body = query.split(common + ",", 1)[1]
        final = list(_FINAL_SELECT.finditer(body))[-1].start()
        ctes.append(body[:final].strip().rstrip(","))
        columns = [f"c{i}" for i in range(_COLUMNS[name])]
        row = ", ".join(f"q.{c}" for c in columns)
        selects.append(
            f"'{name}', (SELECT COALESCE(json_agg(json_build_array({row}) ORDER BY {row}), '[]')"
            f" FROM ({body[final:]}) AS q({', '.join(columns)}))"
        )
    return (
        f"WITH RECURSIVE {common}, {', '.join(ctes)} SELECT json_build_object({', '.join(selects)})"
    )


# --- The public function --------------------------------------------------------------


def _clean_filter(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def compute(
    *,
    as_of: datetime.date | None = None,
    bucket: str | None = None,
    research_type: str | None = None,
    product_manager: str | None = None,
) -> dict:
    """Every metric of spec/metrics.md as of ``as_of`` (default today), in its JSON shape.

    Raises MetricsFilterError for an unknown bucket or research type. An unknown
    product manager is not an error: the filter simply leaves no project.
    """
    as_of = as_of or timezone.localdate()
    bucket = _clean_filter(bucket)
    research_type = _clean_filter(research_type)
    product_manager = _clean_filter(product_manager)
    if bucket is not None and bucket not in Bucket.values:
        raise MetricsFilterError(f"Unknown bucket {bucket!r}: use {', '.join(Bucket.values)}.")
    if research_type is not None and research_type not in ResearchType.values:
        raise MetricsFilterError(
            f"Unknown research type {research_type!r}: use {', '.join(ResearchType.values)}."
        )

    sql = _Dialect(connection.vendor)
    params: dict[str, object] = {
        "as_of": connection.ops.adapt_datefield_value(as_of),
        "as_of_month": as_of.year * 12 + as_of.month - 1,
        "month_start": connection.ops.adapt_datefield_value(as_of.replace(day=1)),
    }
    where = ""
    if bucket is not None:
        where += " AND p.bucket = %(bucket)s"
        params["bucket"] = bucket
    if research_type is not None:
        where += " AND p.research_type = %(research_type)s"
        params["research_type"] = research_type
    if product_manager is not None:
        where += " AND LOWER(u.email) = %(product_manager)s"
        params["product_manager"] = product_manager.lower()

    queries = _queries(_tables(), sql, where)
    rows = {}
    with connection.cursor() as cursor:
        if sql.postgres:
            query = _combined(queries, _common_tables(_tables(), sql, where))
            cursor.execute(query, params)
            rows = {
                name: [tuple(row) for row in result]
                for name, result in cursor.fetchone()[0].items()
            }
        else:
            for name, query in queries.items():
                # Each query names only some of the parameters; pass just those.
                cursor.execute(query, {k: v for k, v in params.items() if f"%({k})s" in query})
                rows[name] = cursor.fetchall()

    return {
        "as_of": as_of.isoformat(),
        **_assemble(rows),
    }


def _assemble(rows: dict[str, list[tuple]]) -> dict:
    groups = [
        (bucket, status, closed_gate, int(n), int(spend), int(funding), int(expected))
        for bucket, status, closed_gate, n, spend, funding, expected in rows["groups"]
    ]

    def total(column: int, *, status: str | None = None, bucket: str | None = None) -> int:
        return sum(
            row[column]
            for row in groups
            if (status is None or row[1] == status) and (bucket is None or row[0] == bucket)
        )

    projects, spend, funding, expected = 3, 4, 5, 6
    greenlit = total(projects, status="greenlit")
    killed = total(projects, status="killed")
    cumulative_spend = total(spend)
    realized_c, under, within, over = (int(v) for v in rows["outcomes"][0])

    headline = {
        "projects": total(projects),
        "active": total(projects, status="active"),
        "on_hold": total(projects, status="on_hold"),
        "greenlit": greenlit,
        "killed": killed,
        "cumulative_spend": _money(cumulative_spend),
        "funding_granted": _money(total(funding)),
        "success_rate": _rate(greenlit, greenlit + killed),
        "spend_per_success": _round_ratio(cumulative_spend, CENTS * greenlit, 2)
        if greenlit
        else None,
        "killed_spend": _money(total(spend, status="killed")),
        "projected_value_greenlit": _money(total(expected, status="greenlit")),
        "realized_value": _money(realized_c),
        "realized_roi": _rate(realized_c, cumulative_spend),
    }

    by_gate = {int(row[0]): [int(v) for v in row[1:]] for row in rows["funnel"]}
    funnel = []
    for gate in GATES:
        reached, go, kill, hold, recycle, go_projects = by_gate.get(gate, [0] * 6)
        killed_here = sum(r[3] for r in groups if r[1] == "killed" and r[2] == gate)
        sunk = sum(r[4] for r in groups if r[1] == "killed" and r[2] == gate)
        funnel.append(
            {
                "gate": gate,
                "reached": reached,
                "go": go,
                "kill": kill,
                "hold": hold,
                "recycle": recycle,
                "killed_here": killed_here,
                "pass_rate": _rate(go_projects, go_projects + killed_here),
                "sunk_spend_killed_here": _money(sunk),
            }
        )

    series = []
    for month_index, spend_c, greenlit_then, killed_then in rows["series"]:
        year, month = divmod(int(month_index), 12)
        greenlit_then, killed_then = int(greenlit_then), int(killed_then)
        series.append(
            {
                "month": f"{year:04d}-{month + 1:02d}",
                "cumulative_spend": _money(int(spend_c)),
                "greenlit": greenlit_then,
                "killed": killed_then,
                "success_rate": _rate(greenlit_then, greenlit_then + killed_then),
            }
        )

    buckets = []
    for bucket in Bucket.values:
        count = total(projects, bucket=bucket)
        if not count:
            continue
        bucket_greenlit = total(projects, status="greenlit", bucket=bucket)
        bucket_killed = total(projects, status="killed", bucket=bucket)
        buckets.append(
            {
                "bucket": bucket,
                "projects": count,
                "greenlit": bucket_greenlit,
                "killed": bucket_killed,
                "success_rate": _rate(bucket_greenlit, bucket_greenlit + bucket_killed),
                "cumulative_spend": _money(total(spend, bucket=bucket)),
            }
        )

    scale_squared = PROBABILITY_SCALE**2
    # Sorted here, not in SQL: database collations order e-mail punctuation differently.
    managers = sorted((email, int(n), int(squares)) for email, n, squares in rows["calibration"])
    forecasts = sum(n for _, n, _ in managers)
    squares = sum(s for _, _, s in managers)
    calibration = {
        "forecasts": forecasts,
        "brier": _rate(squares, forecasts * scale_squared),
        "by_product_manager": [
            {"product_manager": email, "forecasts": n, "brier": _rate(s, n * scale_squared)}
            for email, n, s in managers
        ],
    }

    return {
        "headline": headline,
        "funnel": funnel,
        "series": series,
        "buckets": buckets,
        "outcomes": {"under": under, "within": within, "over": over},
        "calibration": calibration,
    }


# --- A summary for a terminal ---------------------------------------------------------


SERIES_MONTHS_SHOWN = 12


def _fmt_money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _fmt_rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for i, row in enumerate([header, *rows]):
        cells = [
            str(cell).ljust(width) if j == 0 else str(cell).rjust(width)
            for j, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return lines


def to_text(metrics: dict, *, filters: dict[str, str] | None = None) -> str:
    """The metrics as a summary a person reads in a terminal."""
    h = metrics["headline"]
    scope = ", ".join(f"{name} {value}" for name, value in (filters or {}).items() if value)
    title = f"Portfolio metrics as of {metrics['as_of']}" + (f" ({scope})" if scope else "")
    decided = h["greenlit"] + h["killed"]
    lines = [
        title,
        "=" * len(title),
        f"Projects           {h['projects']}: {h['active']} active, {h['on_hold']} on hold, "
        f"{h['greenlit']} greenlit, {h['killed']} killed",
        f"Success rate       {_fmt_rate(h['success_rate'])}"
        f" ({h['greenlit']} greenlit of {decided} decided)",
        f"Cumulative spend   {_fmt_money(h['cumulative_spend'])}"
        f" (of which on killed projects: {_fmt_money(h['killed_spend'])})",
        f"Funding granted    {_fmt_money(h['funding_granted'])}",
        f"Spend per success  {_fmt_money(h['spend_per_success'])}",
        f"Projected value    {_fmt_money(h['projected_value_greenlit'])} a year (greenlit projects)",
        f"Realized value     {_fmt_money(h['realized_value'])}"
        f" (return on spend: {_fmt_rate(h['realized_roi'])})",
        "",
        "Funnel",
    ]
    lines += _table(
        ["Gate", "Reached", "Go", "Kill", "Hold", "Recycle", "Killed here", "Pass rate", "Sunk"],
        [
            [
                str(row["gate"]),
                str(row["reached"]),
                str(row["go"]),
                str(row["kill"]),
                str(row["hold"]),
                str(row["recycle"]),
                str(row["killed_here"]),
                _fmt_rate(row["pass_rate"]),
                _fmt_money(row["sunk_spend_killed_here"]),
            ]
            for row in metrics["funnel"]
        ],
    )
    lines += ["", "By strategic bucket"]
    if metrics["buckets"]:
        lines += _table(
            ["Bucket", "Projects", "Greenlit", "Killed", "Success", "Spend"],
            [
                [
                    row["bucket"],
                    str(row["projects"]),
                    str(row["greenlit"]),
                    str(row["killed"]),
                    _fmt_rate(row["success_rate"]),
                    _fmt_money(row["cumulative_spend"]),
                ]
                for row in metrics["buckets"]
            ],
        )
    else:
        lines.append("  No projects.")
    series = metrics["series"][-SERIES_MONTHS_SHOWN:]
    hidden = len(metrics["series"]) - len(series)
    lines += [
        "",
        "Success rate against cumulative spend, month by month"
        + (f" (the last {len(series)}; --format json has all)" if hidden else ""),
    ]
    if series:
        lines += _table(
            ["Month", "Cumulative spend", "Greenlit", "Killed", "Success"],
            [
                [
                    row["month"],
                    _fmt_money(row["cumulative_spend"]),
                    str(row["greenlit"]),
                    str(row["killed"]),
                    _fmt_rate(row["success_rate"]),
                ]
                for row in series
            ],
        )
    else:
        lines.append("  No activity yet.")
    o = metrics["outcomes"]
    c = metrics["calibration"]
    brier = "—" if c["brier"] is None else f"{c['brier']:.4f}"
    lines += [
        "",
        f"Outcome against projection: {o['under']} under, {o['within']} within, {o['over']} over",
        "",
        f"Forecast calibration: Brier {brier} over {c['forecasts']} forecasts"
        " (0 is perfect; always 50% scores 0.25)",
    ]
    if c["by_product_manager"]:
        lines += _table(
            ["Product manager", "Forecasts", "Brier"],
            [
                [
                    row["product_manager"],
                    str(row["forecasts"]),
                    "—" if row["brier"] is None else f"{row['brier']:.4f}",
                ]
                for row in c["by_product_manager"]
            ],
        )
    return "\n".join(lines) + "\n"
