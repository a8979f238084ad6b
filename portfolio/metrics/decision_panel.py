"""The decision panel's numbers: how good the gatekeepers' judgments are, how the process decides.

Read from the decision panel's tables (``gates``: votes, kill criteria and
their verdicts), as of A and within the dashboard's filters:

- per gatekeeper, the Brier score of their votes' probabilities of success,
  over projects greenlit or killed as of A (the product managers'
  calibration rules: the outcome is 1 for greenlit, 0 for killed);
- dissent vindicated: of the votes that recommended go or kill against the
  decision, on projects now closed, those whose project ended as the
  dissenter said (a kill vote on a project later killed, a go vote on one
  later greenlit). Hold and recycle votes name no outcome and are not judged;
- overrides: go decisions that went ahead although the chair judged a kill
  criterion registered at the previous decision not met, and how those
  projects stand as of A;
- time to decision per gate: days from the last required deliverable (its
  first writing; the submission for a gate that requires none) to each
  decision at that gate, over decisions whose required deliverables were all
  written by then.
"""

from __future__ import annotations

from portfolio.metrics import text
from portfolio.metrics.calibration import CLOSED
from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import PROBABILITY_SCALE, json_number, ratio
from portfolio.process import GATES

SCALE_SQUARED = PROBABILITY_SCALE**2

PANEL_VOTES = CTE(
    "panel_votes",
    """
    SELECT LOWER(u.email) AS voter_email, v.recommendation AS recommendation,
           {probability:v.probability_of_success} AS probability,
           d.decision AS decision, d.project_id AS project_id
    FROM {vote} v
    JOIN {decision} d ON d.id = v.decision_id
    JOIN scope s ON s.id = d.project_id
    JOIN {user} u ON u.id = v.voter_id
    WHERE d.decided_on <= %(as_of)s AND v.recommendation <> ''
    """,
)

GATEKEEPERS_QUERY = Query(
    "decision_panel_gatekeepers",
    (PANEL_VOTES, CLOSED),
    """
    SELECT pv.voter_email,
           COUNT(*),
           SUM(CASE WHEN pv.recommendation <> pv.decision THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.id IS NOT NULL AND pv.probability IS NOT NULL THEN 1 ELSE 0 END),
           COALESCE(SUM(CASE WHEN c.id IS NOT NULL AND pv.probability IS NOT NULL
               THEN (pv.probability - {scale} * c.greenlit) * (pv.probability - {scale} * c.greenlit)
               ELSE 0 END), 0),
           SUM(CASE WHEN c.id IS NOT NULL AND pv.recommendation <> pv.decision
                         AND pv.recommendation IN ({go}, {kill}) THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.id IS NOT NULL AND pv.recommendation <> pv.decision
                         AND ((pv.recommendation = {go} AND c.greenlit = 1)
                              OR (pv.recommendation = {kill} AND c.greenlit = 0))
                    THEN 1 ELSE 0 END)
    FROM panel_votes pv LEFT JOIN closed c ON c.id = pv.project_id
    GROUP BY pv.voter_email
    """,
    ("gatekeeper", "votes", "dissents", "forecasts", "squares", "judged", "vindicated"),
    {"scale": PROBABILITY_SCALE},
)

OVERRIDES = CTE(
    "overrides",
    """
    SELECT DISTINCT d.id AS decision_id, d.project_id AS project_id, d.decided_on AS decided_on,
           d.gate_id AS gate_id
    FROM {kill_verdict} kv
    JOIN {decision} d ON d.id = kv.decision_id
    JOIN scope s ON s.id = d.project_id
    WHERE d.decided_on <= %(as_of)s AND d.decision = {go} AND NOT kv.met
    """,
)
OVERRIDES_QUERY = Query(
    "decision_panel_overrides",
    (OVERRIDES,),
    """
    SELECT st.key, g.number, o.decided_on, st.status
    FROM overrides o
    JOIN state st ON st.id = o.project_id
    JOIN {gate} g ON g.id = o.gate_id
    """,
    ("key", "gate", "decided_on", "status"),
)

DELIVERED = CTE(
    "delivered",
    """
    SELECT fs.project_id AS project_id, 'feasibility_study' AS kind,
           {day_number:fs.created_at} AS day
    FROM {feasibility_study} fs
    UNION ALL
    SELECT ae.project_id, 'architecture_estimate', {day_number:ae.created_at}
    FROM {architecture_estimate} ae
    UNION ALL
    SELECT bc.project_id, 'business_case', {day_number:bc.created_at}
    FROM {business_case} bc
    """,
)
# How many deliverables each gate requires (gates that require none have no row).
REQUIRED = CTE(
    "required_by_gate",
    """
    SELECT g.number AS gate, COUNT(*) AS required
    FROM {gate} g JOIN {required_deliverable} rd ON rd.gate_id = g.id
    GROUP BY g.number
    """,
)
# Each decision's wait, and how many of its gate's required deliverables were written by
# then. A project with no deliverable at all (most of an imported history) waited from its
# submission and had none of them: it skips the join with the deliverables.
WAITS = CTE(
    "decision_waits",
    """
    SELECT d.gate AS gate,
           {day_number:d.decided_on} - COALESCE(MAX(dl.day), {day_number:s.submitted_on})
               AS wait_days,
           COUNT(rd.id) AS required, COUNT(dl.day) AS delivered
    FROM dec d
    JOIN scope s ON s.id = d.project_id
    JOIN {gate} g ON g.number = d.gate
    LEFT JOIN {required_deliverable} rd ON rd.gate_id = g.id
    LEFT JOIN delivered dl
        ON dl.project_id = d.project_id AND dl.kind = rd.kind
        AND dl.day <= {day_number:d.decided_on}
    WHERE d.project_id IN (SELECT project_id FROM delivered)
    GROUP BY d.project_id, d.sequence, d.gate, d.decided_on, s.submitted_on
    UNION ALL
    SELECT d.gate, {day_number:d.decided_on} - {day_number:s.submitted_on},
           COALESCE(rq.required, 0), 0
    FROM dec d
    JOIN scope s ON s.id = d.project_id
    LEFT JOIN required_by_gate rq ON rq.gate = d.gate
    WHERE d.project_id NOT IN (SELECT project_id FROM delivered)
    """,
    needs=(DELIVERED, REQUIRED),
)
WAITS_QUERY = Query(
    "decision_panel_waits",
    (WAITS,),
    """
    SELECT gate, COUNT(*), SUM(wait_days), MAX(wait_days)
    FROM decision_waits
    WHERE required = delivered
    GROUP BY gate
    """,
    ("gate", "decisions", "days", "longest"),
)


def _decision_panel(rows, scope) -> dict:
    keepers = sorted(
        (
            row["gatekeeper"],
            *(
                int(row[c] or 0)
                for c in ("votes", "dissents", "forecasts", "squares", "judged", "vindicated")
            ),
        )
        for row in rows["decision_panel_gatekeepers"]
    )
    forecasts = sum(k[3] for k in keepers)
    squares = sum(k[4] for k in keepers)
    judged = sum(k[5] for k in keepers)
    vindicated = sum(k[6] for k in keepers)
    overrides = sorted(
        (
            {
                "key": row["key"],
                "gate": int(row["gate"]),
                "decided_on": str(row["decided_on"])[:10],
                "outcome": row["status"],
            }
            for row in rows["decision_panel_overrides"]
        ),
        key=lambda o: (o["decided_on"], o["key"]),
    )
    waits = {int(row["gate"]): row for row in rows["decision_panel_waits"]}
    return {
        "votes": sum(k[1] for k in keepers),
        "forecasts": forecasts,
        "brier": json_number(ratio(squares, forecasts * SCALE_SQUARED)),
        "dissents": sum(k[2] for k in keepers),
        "dissents_judged": judged,
        "dissents_vindicated": vindicated,
        "vindicated_share": json_number(ratio(vindicated, judged)),
        "by_gatekeeper": [
            {
                "gatekeeper": email,
                "votes": votes,
                "forecasts": n,
                "brier": json_number(ratio(s, n * SCALE_SQUARED)),
                "dissents": dissents,
                "dissents_judged": j,
                "dissents_vindicated": v,
                "vindicated_share": json_number(ratio(v, j)),
            }
            for email, votes, dissents, n, s, j, v in keepers
        ],
        "overrides": {
            "count": len(overrides),
            "greenlit": sum(1 for o in overrides if o["outcome"] == "greenlit"),
            "killed": sum(1 for o in overrides if o["outcome"] == "killed"),
            "open": sum(1 for o in overrides if o["outcome"] not in ("greenlit", "killed")),
            "decisions": overrides,
        },
        "time_to_decision": [
            {
                "gate": gate,
                "decisions": int(waits[gate]["decisions"]) if gate in waits else 0,
                "mean_days": json_number(
                    ratio(int(waits[gate]["days"]), int(waits[gate]["decisions"]), 1)
                )
                if gate in waits
                else None,
                "longest_days": int(waits[gate]["longest"]) if gate in waits else None,
            }
            for gate in GATES
        ],
    }


def _text(q: dict) -> list[str]:
    o = q["overrides"]
    lines = [
        "",
        f"Decision panel: gatekeepers' Brier {text.score(q['brier'])} over {q['forecasts']}"
        f" forecasts; dissent vindicated {q['dissents_vindicated']} of {q['dissents_judged']};"
        f" overrides {o['count']} ({o['greenlit']} greenlit, {o['killed']} killed,"
        f" {o['open']} open)",
    ]
    return lines + text.table(
        ["Gate", "Decisions", "Mean days to decide"],
        [
            [
                str(w["gate"]),
                str(w["decisions"]),
                "—" if w["mean_days"] is None else str(w["mean_days"]),
            ]
            for w in q["time_to_decision"]
        ],
    )


GATEKEEPER_COLUMNS = (
    "gatekeeper",
    "votes",
    "forecasts",
    "brier",
    "dissents",
    "dissents_judged",
    "dissents_vindicated",
    "vindicated_share",
)

DECISION_PANEL = Section(
    "decision_panel",
    (GATEKEEPERS_QUERY, OVERRIDES_QUERY, WAITS_QUERY),
    _decision_panel,
    text=_text,
    csv=(
        CsvTable("gatekeepers", GATEKEEPER_COLUMNS, lambda q: q["by_gatekeeper"]),
        CsvTable(
            "overrides",
            ("key", "gate", "decided_on", "outcome"),
            lambda q: q["overrides"]["decisions"],
        ),
        CsvTable(
            "time_to_decision",
            ("gate", "decisions", "mean_days", "longest_days"),
            lambda q: q["time_to_decision"],
        ),
    ),
)
