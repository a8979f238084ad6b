"""The funnel (metrics.md): one row per gate, what reached it and what was decided there."""

from __future__ import annotations

from portfolio import process
from portfolio.metrics import text
from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.headline import GROUPS
from portfolio.metrics.numbers import json_number, money, ratio

COUNTS = CTE(
    "counts",
    """
    SELECT gate,
           SUM(CASE WHEN decision = {go} THEN 1 ELSE 0 END) AS go,
           SUM(CASE WHEN decision = {kill} THEN 1 ELSE 0 END) AS kill,
           SUM(CASE WHEN decision = {hold} THEN 1 ELSE 0 END) AS hold,
           SUM(CASE WHEN decision = {recycle} THEN 1 ELSE 0 END) AS recycle,
           COUNT(DISTINCT CASE WHEN decision = {go} THEN project_id END) AS go_projects
    FROM dec GROUP BY gate
    """,
)
# A project reached a gate when it had a decision there or waits there now; counted once.
REACH = CTE(
    "reach",
    """
    SELECT project_id, gate FROM dec
    UNION
    SELECT id, current_gate FROM state WHERE current_gate IS NOT NULL
    """,
)
REACHED = CTE(
    "reached",
    "SELECT gate, COUNT(*) AS projects FROM reach GROUP BY gate",
    needs=(REACH,),
)

FUNNEL_QUERY = Query(
    "funnel",
    (COUNTS, REACHED),
    """
    SELECT r.gate, r.projects, COALESCE(c.go, 0), COALESCE(c.kill, 0),
           COALESCE(c.hold, 0), COALESCE(c.recycle, 0), COALESCE(c.go_projects, 0)
    FROM reached r LEFT JOIN counts c ON c.gate = r.gate
    """,
    ("gate", "reached", *process.DECISIONS, "go_projects"),
    apart=True,  # with the groups and the open projects (engine.Query.apart)
)

COLUMNS = (
    "gate",
    "reached",
    *process.DECISIONS,
    "killed_here",
    "pass_rate",
    "sunk_spend_killed_here",
)


def _funnel(rows, scope) -> list[dict]:
    by_gate = {int(row["gate"]): row for row in rows["funnel"]}
    killed = [row for row in rows["groups"] if row["status"] == process.KILLED]
    result = []
    for gate in process.GATES:
        row = by_gate.get(gate, {})
        killed_here = sum(int(r["projects"]) for r in killed if r["closed_gate"] == gate)
        sunk_c = sum(int(r["spend_c"]) for r in killed if r["closed_gate"] == gate)
        go_projects = int(row.get("go_projects", 0))
        result.append(
            {
                "gate": gate,
                "reached": int(row.get("reached", 0)),
                **{kind: int(row.get(kind, 0)) for kind in process.DECISIONS},
                "killed_here": killed_here,
                "pass_rate": json_number(ratio(go_projects, go_projects + killed_here)),
                "sunk_spend_killed_here": json_number(money(sunk_c)),
            }
        )
    return result


def _funnel_text(funnel: list[dict]) -> list[str]:
    return [
        "",
        "Funnel",
        *text.table(
            [
                "Gate",
                "Reached",
                "Go",
                "Kill",
                "Hold",
                "Recycle",
                "Killed here",
                "Pass rate",
                "Sunk",
            ],
            [
                [
                    str(row["gate"]),
                    str(row["reached"]),
                    *(str(row[kind]) for kind in process.DECISIONS),
                    str(row["killed_here"]),
                    text.rate(row["pass_rate"]),
                    text.money(row["sunk_spend_killed_here"]),
                ]
                for row in funnel
            ],
        ),
    ]


FUNNEL = Section(
    "funnel",
    (FUNNEL_QUERY, GROUPS),
    _funnel,
    in_spec=True,
    text=_funnel_text,
    csv=(CsvTable("funnel", COLUMNS),),
)
