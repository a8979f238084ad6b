"""Success rate against cumulative spend, month by month (metrics.md's headline chart)."""

from __future__ import annotations

from portfolio.metrics import text
from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import json_number, money, ratio
from portfolio.metrics.scope import SPEND_AFTER_A

# Spend by month up to A, from the rollup (summed by its month, a date, before that is turned
# into a month number: 37 conversions, not one per project-month; scope._spend_by_month), less
# the entries dated after A in A's month (scope.SPEND says why not A's month's entries).
SPEND_BY_MONTH = CTE(
    "spend_m",
    """
    SELECT m, SUM(spend_c) AS spend_c FROM (
        SELECT {month_index:by_date.month} AS m, by_date.spend_c FROM (
            {spend_by_month_dates}
        ) by_date
        UNION ALL
        SELECT %(as_of_month)s, -SUM(spend_c) FROM spend_after_a HAVING COUNT(*) > 0
    ) spend_m_parts
    GROUP BY m
    """,
    needs=(SPEND_AFTER_A,),
)
CLOSED_BY_MONTH = CTE(
    "closed_m",
    """
    SELECT {month_index:closed_on} AS m,
           SUM(CASE WHEN status = {greenlit} THEN 1 ELSE 0 END) AS greenlit,
           SUM(CASE WHEN status = {killed} THEN 1 ELSE 0 END) AS killed
    FROM state WHERE closed_on IS NOT NULL
    GROUP BY {month_index:closed_on}
    """,
)
FIRSTS = CTE(
    "firsts",
    """
    SELECT {month_index:first_day} AS m FROM (
        SELECT MIN(submitted_on) AS first_day FROM scope
        UNION ALL SELECT MIN(decided_on) FROM dec
    ) first_days
    UNION ALL SELECT MIN(m) FROM spend_m
    """,
    needs=(SPEND_BY_MONTH,),
)
# One row per month from the first activity to A's month.
MONTHS = CTE(
    "months",
    """
    SELECT first_month.m FROM (SELECT MIN(m) AS m FROM firsts) first_month
    WHERE first_month.m IS NOT NULL
    UNION ALL
    SELECT m + 1 FROM months WHERE m < %(as_of_month)s
    """,
    needs=(FIRSTS,),
    columns="(m)",
)

# Running totals by window over the months.
SERIES_QUERY = Query(
    "series",
    (SPEND_BY_MONTH, CLOSED_BY_MONTH, MONTHS),
    """
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
    ("month_index", "spend_c", "greenlit", "killed"),
)

COLUMNS = ("month", "cumulative_spend", "greenlit", "killed", "success_rate")
MONTHS_IN_TEXT = 12


def _series(rows, scope) -> list[dict]:
    result = []
    for row in rows["series"]:
        year, month = divmod(int(row["month_index"]), 12)
        greenlit, killed = int(row["greenlit"]), int(row["killed"])
        result.append(
            {
                "month": f"{year:04d}-{month + 1:02d}",
                "cumulative_spend": json_number(money(row["spend_c"])),
                "greenlit": greenlit,
                "killed": killed,
                "success_rate": json_number(ratio(greenlit, greenlit + killed)),
            }
        )
    return result


def _series_text(series: list[dict]) -> list[str]:
    shown = series[-MONTHS_IN_TEXT:]
    hidden = len(series) - len(shown)
    lines = [
        "",
        "Success rate against cumulative spend, month by month"
        + (f" (the last {len(shown)}; --format json has all)" if hidden else ""),
    ]
    if not shown:
        return [*lines, "  No activity yet."]
    return lines + text.table(
        ["Month", "Cumulative spend", "Greenlit", "Killed", "Success"],
        [
            [
                row["month"],
                text.money(row["cumulative_spend"]),
                str(row["greenlit"]),
                str(row["killed"]),
                text.rate(row["success_rate"]),
            ]
            for row in shown
        ],
    )


SERIES = Section(
    "series",
    (SERIES_QUERY,),
    _series,
    in_spec=True,
    text=_series_text,
    csv=(CsvTable("series", COLUMNS),),
)
