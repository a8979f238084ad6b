"""Outcome against projection: the counts of metrics.md, and each greenlit project behind them.

Annualized value is 12 × the mean realized value of a project's outcome
months; it is compared with the projected range exactly, as integers:
12 × total / months < low  ⇔  12 × total < low × months.
"""

from __future__ import annotations

from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import money, money_ratio

# Each project's outcome months up to A: their realized value in cents, and how many.
REALIZED = CTE(
    "realized",
    """
    SELECT o.project_id, o.value_c, o.months
    FROM (
        SELECT project_id, {sum_cents:realized_value} AS value_c, COUNT(*) AS months
        FROM {outcome} WHERE month <= %(as_of)s {few_projects}
        GROUP BY project_id
    ) o
    JOIN scope s ON s.id = o.project_id
    """,
)
JUDGED = CTE(
    "judged",
    """
    SELECT rz.project_id, rz.value_c, rz.months,
        CASE
            WHEN st.status <> {greenlit} THEN NULL
            WHEN 12 * rz.value_c < st.low_c * rz.months THEN 'under'
            WHEN 12 * rz.value_c > st.high_c * rz.months THEN 'over'
            ELSE 'within'
        END AS verdict
    FROM realized rz JOIN state st ON st.id = rz.project_id
    """,
    needs=(REALIZED,),
)
VERDICTS = ("under", "within", "over")

OUTCOMES = Query(
    "outcomes",
    (JUDGED,),
    """
    SELECT COALESCE(SUM(value_c), 0),
           COALESCE(SUM(CASE WHEN verdict = 'under' THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN verdict = 'within' THEN 1 ELSE 0 END), 0),
           COALESCE(SUM(CASE WHEN verdict = 'over' THEN 1 ELSE 0 END), 0)
    FROM judged
    """,
    ("realized_c", *VERDICTS),
)


def _counts(rows, scope) -> dict:
    row = rows["outcomes"][0]
    return {verdict: int(row[verdict]) for verdict in VERDICTS}


def _counts_text(counts: dict) -> list[str]:
    return [
        "",
        "Outcome against projection: "
        + ", ".join(f"{counts[verdict]} {verdict}" for verdict in VERDICTS),
    ]


OUTCOME_COUNTS = Section(
    "outcomes",
    (OUTCOMES,),
    _counts,
    in_spec=True,
    text=_counts_text,
    csv=(
        CsvTable(
            "outcome-counts",
            ("verdict", "projects"),
            lambda counts: [{"verdict": k, "projects": v} for k, v in counts.items()],
        ),
    ),
)

# --- Each greenlit project with outcome months ---------------------------------------------------

DETAILS = Query(
    "outcome_details",
    (JUDGED,),
    """
    SELECT s.key, s.title, s.bucket, s.pm_email, s.value_kind, s.low_c, s.expected_c, s.high_c,
           j.months, j.value_c, j.verdict
    FROM judged j JOIN state s ON s.id = j.project_id
    WHERE j.verdict IS NOT NULL
    ORDER BY s.key
    """,
    (
        "key",
        "title",
        "bucket",
        "pm_email",
        "value_kind",
        "low_c",
        "expected_c",
        "high_c",
        "months",
        "value_c",
        "verdict",
    ),
)
DETAIL_COLUMNS = (
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


def _details(rows, scope) -> list[dict]:
    return [
        {
            "key": row["key"],
            "title": row["title"],
            "bucket": row["bucket"],
            "product_manager": row["pm_email"],
            "value_kind": row["value_kind"],
            "projected_low": money(row["low_c"]),
            "projected_expected": money(row["expected_c"]),
            "projected_high": money(row["high_c"]),
            "months": int(row["months"]),
            "realized_value": money(row["value_c"]),
            "annualized_value": money_ratio(12 * int(row["value_c"]), int(row["months"])),
            "verdict": row["verdict"],
        }
        for row in rows["outcome_details"]
    ]


OUTCOME_DETAILS = Section(
    "outcome_details",
    (DETAILS,),
    _details,
    csv=(CsvTable("outcomes", DETAIL_COLUMNS),),
)
