"""The headline numbers and the rows by strategic bucket (metrics.md), from one grouped query."""

from __future__ import annotations

from portfolio.metrics import text
from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import json_number, money, money_ratio, ratio
from portfolio.metrics.outcomes import OUTCOMES
from portfolio.metrics.scope import SPEND
from portfolio.models import Bucket

FUNDING = CTE(
    "funding", "SELECT project_id, SUM(funding_c) AS funding_c FROM dec GROUP BY project_id"
)

# Counts and sums by (bucket, status, gate of closing): at most a few dozen rows, from which
# the headline, the bucket rows and the funnel's kills are added up.
GROUPS = Query(
    "groups",
    (SPEND, FUNDING),
    """
    SELECT st.bucket, st.status, st.closed_gate, COUNT(*),
           COALESCE(SUM(sp.spend_c), 0), COALESCE(SUM(f.funding_c), 0),
           COALESCE(SUM(st.expected_c), 0)
    FROM state st
    LEFT JOIN spend sp ON sp.project_id = st.id
    LEFT JOIN funding f ON f.project_id = st.id
    GROUP BY st.bucket, st.status, st.closed_gate
    """,
    ("bucket", "status", "closed_gate", "projects", "spend_c", "funding_c", "expected_c"),
)


def total(rows, column: str, *, status: str | None = None, bucket: str | None = None) -> int:
    """A column of the groups added up, over one status and/or one bucket."""
    return sum(
        int(row[column])
        for row in rows["groups"]
        if (status is None or row["status"] == status)
        and (bucket is None or row["bucket"] == bucket)
    )


def _headline(rows, scope) -> dict:
    greenlit = total(rows, "projects", status="greenlit")
    killed = total(rows, "projects", status="killed")
    spend_c = total(rows, "spend_c")
    realized_c = int(rows["outcomes"][0]["realized_c"])
    return {
        "projects": total(rows, "projects"),
        "active": total(rows, "projects", status="active"),
        "on_hold": total(rows, "projects", status="on_hold"),
        "greenlit": greenlit,
        "killed": killed,
        "cumulative_spend": json_number(money(spend_c)),
        "funding_granted": json_number(money(total(rows, "funding_c"))),
        "success_rate": json_number(ratio(greenlit, greenlit + killed)),
        "spend_per_success": json_number(money_ratio(spend_c, greenlit)),
        "killed_spend": json_number(money(total(rows, "spend_c", status="killed"))),
        "projected_value_greenlit": json_number(
            money(total(rows, "expected_c", status="greenlit"))
        ),
        "realized_value": json_number(money(realized_c)),
        "realized_roi": json_number(ratio(realized_c, spend_c)),
    }


def _headline_text(h: dict) -> list[str]:
    decided = h["greenlit"] + h["killed"]
    return [
        f"Projects           {h['projects']}: {h['active']} active, {h['on_hold']} on hold, "
        f"{h['greenlit']} greenlit, {h['killed']} killed",
        f"Success rate       {text.rate(h['success_rate'])}"
        f" ({h['greenlit']} greenlit of {decided} decided)",
        f"Cumulative spend   {text.money(h['cumulative_spend'])}"
        f" (of which on killed projects: {text.money(h['killed_spend'])})",
        f"Funding granted    {text.money(h['funding_granted'])}",
        f"Spend per success  {text.money(h['spend_per_success'])}",
        f"Projected value    {text.money(h['projected_value_greenlit'])} a year"
        " (greenlit projects)",
        f"Realized value     {text.money(h['realized_value'])}"
        f" (return on spend: {text.rate(h['realized_roi'])})",
    ]


HEADLINE = Section(
    "headline",
    (GROUPS, OUTCOMES),
    _headline,
    in_spec=True,
    text=_headline_text,
    csv=(
        CsvTable(
            "headline",
            ("metric", "value"),
            lambda h: [{"metric": key, "value": value} for key, value in h.items()],
        ),
    ),
)


def _buckets(rows, scope) -> list[dict]:
    result = []
    for bucket in Bucket.values:
        count = total(rows, "projects", bucket=bucket)
        if not count:
            continue
        greenlit = total(rows, "projects", status="greenlit", bucket=bucket)
        killed = total(rows, "projects", status="killed", bucket=bucket)
        result.append(
            {
                "bucket": bucket,
                "projects": count,
                "greenlit": greenlit,
                "killed": killed,
                "success_rate": json_number(ratio(greenlit, greenlit + killed)),
                "cumulative_spend": json_number(money(total(rows, "spend_c", bucket=bucket))),
            }
        )
    return result


def _buckets_text(buckets: list[dict]) -> list[str]:
    lines = ["", "By strategic bucket"]
    if not buckets:
        return [*lines, "  No projects."]
    return lines + text.table(
        ["Bucket", "Projects", "Greenlit", "Killed", "Success", "Spend"],
        [
            [
                row["bucket"],
                str(row["projects"]),
                str(row["greenlit"]),
                str(row["killed"]),
                text.rate(row["success_rate"]),
                text.money(row["cumulative_spend"]),
            ]
            for row in buckets
        ],
    )


BUCKETS = Section(
    "buckets",
    (GROUPS,),
    _buckets,
    in_spec=True,
    text=_buckets_text,
    csv=(
        CsvTable(
            "buckets",
            ("bucket", "projects", "greenlit", "killed", "success_rate", "cumulative_spend"),
        ),
    ),
)
