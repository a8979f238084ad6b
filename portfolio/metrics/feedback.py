"""The feedback loop: outcome scores and decision quality, research assets, adoption.

Defined in docs/metrics.md ("The feedback loop"). As of A and under the
dashboard's filters like every other metric; scores, money and minutes are
exact (money in cents, minutes in hundredths, scores as fractions) and
rounded once, to 2 decimals, halves away from zero.

- ``decision_quality``: each greenlit project with at least three outcome
  months gets an outcome score (0–100) from its annualized value R against
  its projected range L ≤ E ≤ H; each ``go`` on such a project carries it.
- ``assets``: artifacts (following the filter through the producing project)
  and their uses (through the using project), killed producers included.
- ``adoption``: greenlit products' monthly users, tasks and minutes saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from portfolio.metrics import text
from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import json_number, money, ratio
from portfolio.metrics.outcomes import REALIZED
from portfolio.models import ArtifactKind

MINIMUM_OUTCOME_MONTHS = 3


# --- The outcome score of one project -------------------------------------------------------


@dataclass(frozen=True)
class OutcomeScore:
    """A greenlit project's score and how it was reached, for a page to explain."""

    score: Fraction
    value_cents: int  # the realized value of its outcome months
    months: int
    low_cents: int
    expected_cents: int
    high_cents: int
    branch: str  # the rule that applied: none, above_high, high, expected, low

    @property
    def annualized(self) -> Fraction:
        """R, in currency units: 12 × the mean of the outcome months."""
        return Fraction(12 * self.value_cents, 100 * self.months)

    @property
    def low(self) -> Fraction:
        return Fraction(self.low_cents, 100)

    @property
    def expected(self) -> Fraction:
        return Fraction(self.expected_cents, 100)

    @property
    def high(self) -> Fraction:
        return Fraction(self.high_cents, 100)

    @property
    def rounded(self) -> float:
        return _score_number(self.score)

    @property
    def formula(self) -> str:
        return FORMULAS[self.branch]


FORMULAS = {
    "none": "R ≤ 0: no value scores 0",
    "above_high": "R ≥ H: 100",
    "high": "R ≥ E: 70 + 30 · (R − E) / (H − E)",
    "expected": "R ≥ L: 40 + 30 · (R − L) / (E − L)",
    "low": "0 < R < L: 40 · R / L",
}


def outcome_score(
    *, value_cents: int, months: int, low_cents: int, expected_cents: int, high_cents: int
) -> OutcomeScore | None:
    """The score from a project's outcome months (None with fewer than three).

    The rules are checked in order, so each division is reached only when its
    denominator is positive (L = E or E = H never divides by zero). With R = 12 V / m (V
    the realized cents, m the months), each rule is one fraction of integers: R ≥ H is
    12 V ≥ H m, and 70 + 30 (R − E) / (H − E) is (70 m (H − E) + 30 (12 V − E m)) /
    (m (H − E)); exact, as fractions, and one reduction per project.
    """
    if months < MINIMUM_OUTCOME_MONTHS:
        return None
    yearly = 12 * value_cents  # R × m, in cents
    low, expected, high = low_cents * months, expected_cents * months, high_cents * months
    if value_cents <= 0:
        score, branch = Fraction(0), "none"
    elif yearly >= high:
        score, branch = Fraction(100), "above_high"
    elif yearly >= expected:
        span = high - expected
        score, branch = Fraction(70 * span + 30 * (yearly - expected), span), "high"
    elif yearly >= low:
        span = expected - low
        score, branch = Fraction(40 * span + 30 * (yearly - low), span), "expected"
    else:
        score, branch = Fraction(40 * yearly, low), "low"
    return OutcomeScore(score, value_cents, months, low_cents, expected_cents, high_cents, branch)


def _score_number(value: Fraction) -> float:
    return json_number(ratio(value.numerator, value.denominator, 2))


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


# --- Decision quality -------------------------------------------------------------------------

SCORED = CTE(
    "scored",
    """
    SELECT st.id, st.key, st.title, st.low_c, st.expected_c, st.high_c, rz.value_c, rz.months
    FROM realized rz JOIN state st ON st.id = rz.project_id
    WHERE st.status = {greenlit} AND rz.months >= {minimum_months}
    """,
    needs=(REALIZED,),
    constants={"minimum_months": MINIMUM_OUTCOME_MONTHS},
)
SCORED_QUERY = Query(
    "scored_projects",
    (SCORED,),
    "SELECT id, key, title, low_c, expected_c, high_c, value_c, months FROM scored",
    ("id", "key", "title", "low_c", "expected_c", "high_c", "value_c", "months"),
)
SCORED_GOS = Query(
    "scored_gos",
    (SCORED,),
    """
    SELECT d.project_id, LOWER(u.email)
    FROM {decision} d
    JOIN scored sc ON sc.id = d.project_id
    JOIN {user} u ON u.id = d.decided_by_id
    WHERE d.decision = {go}
    """,
    ("project_id", "decided_by"),
)


# The last rows scored and their scores: decision quality and the outcome scores table
# read the same rows, and the scores are exact fractions (the slowest part of assembling).
_last_scored: tuple[list, dict] = ([], {})


def _scores(rows) -> dict[int, tuple[dict, OutcomeScore]]:
    global _last_scored
    scored_rows = rows["scored_projects"]
    kept_rows, kept_scores = _last_scored
    if kept_rows is scored_rows:
        return kept_scores
    scores = {
        int(row["id"]): (
            row,
            outcome_score(
                value_cents=int(row["value_c"]),
                months=int(row["months"]),
                low_cents=int(row["low_c"]),
                expected_cents=int(row["expected_c"]),
                high_cents=int(row["high_c"]),
            ),
        )
        for row in scored_rows
    }
    _last_scored = (scored_rows, scores)
    return scores


def _decision_quality(rows, scope) -> dict:
    scores = _scores(rows)
    by_decider: dict[str, list[Fraction]] = {}
    for row in rows["scored_gos"]:
        by_decider.setdefault(row["decided_by"], []).append(scores[int(row["project_id"])][1].score)
    mean = _mean([score.score for _, score in scores.values()])
    return {
        "scored_projects": len(scores),
        "mean_outcome_score": None if mean is None else _score_number(mean),
        "by_decider": [
            {
                "decided_by": email,
                "go_decisions": len(values),
                "mean_score": _score_number(_mean(values)),
            }
            for email, values in sorted(by_decider.items())
        ],
    }


def _decision_quality_text(value: dict) -> list[str]:
    mean = value["mean_outcome_score"]
    lines = [
        "",
        f"Decision quality: {value['scored_projects']} scored projects, mean outcome score "
        + ("—" if mean is None else f"{mean:.2f}"),
    ]
    if value["by_decider"]:
        lines += text.table(
            ["Decided by", "Go decisions", "Mean score"],
            [
                [row["decided_by"], str(row["go_decisions"]), f"{row['mean_score']:.2f}"]
                for row in value["by_decider"]
            ],
        )
    return lines


DECISION_QUALITY = Section(
    "decision_quality",
    (SCORED_QUERY, SCORED_GOS),
    _decision_quality,
    in_spec=True,
    text=_decision_quality_text,
    csv=(
        CsvTable(
            "decision_quality",
            ("decided_by", "go_decisions", "mean_score"),
            lambda value: value["by_decider"],
        ),
    ),
)


def _scored_list(rows, scope) -> list[dict]:
    return [
        {
            "key": row["key"],
            "title": row["title"],
            "months": score.months,
            "annualized_value": json_number(
                ratio(score.annualized.numerator, score.annualized.denominator, 2)
            ),
            "score": score.rounded,
            "rule": score.formula,
        }
        for row, score in sorted(_scores(rows).values(), key=lambda pair: pair[0]["key"])
    ]


# The dashboard's table of scored projects (not part of the JSON of docs/metrics.md).
OUTCOME_SCORES = Section(
    "outcome_scores",
    (SCORED_QUERY,),
    _scored_list,
    csv=(
        CsvTable("outcome_scores", ("key", "title", "months", "annualized_value", "score", "rule")),
    ),
)

# --- Research assets --------------------------------------------------------------------------

USED = CTE(
    "used_artifacts",
    "SELECT DISTINCT artifact_id FROM {artifact_use} WHERE used_on <= %(as_of)s",
)
ASSET_KINDS = Query(
    "asset_kinds",
    (USED,),
    """
    SELECT a.kind, COUNT(*),
           SUM(CASE WHEN ua.artifact_id IS NOT NULL THEN 1 ELSE 0 END),
           SUM(CASE WHEN ua.artifact_id IS NOT NULL AND st.status = {killed} THEN 1 ELSE 0 END)
    FROM {artifact} a
    JOIN state st ON st.id = a.project_id
    LEFT JOIN used_artifacts ua ON ua.artifact_id = a.id
    WHERE a.created_on <= %(as_of)s
    GROUP BY a.kind
    """,
    ("kind", "artifacts", "reused", "salvaged"),
)
REUSING = CTE(
    "reusing",
    """
    SELECT DISTINCT u.project_id FROM {artifact_use} u JOIN scope s ON s.id = u.project_id
    WHERE u.used_on <= %(as_of)s
    """,
)
ASSET_REUSE = Query(
    "asset_reuse",
    (REUSING, REALIZED),
    """
    SELECT (SELECT COUNT(*) FROM reusing),
           (SELECT COALESCE(SUM(rz.value_c), 0)
            FROM realized rz
            JOIN reusing ru ON ru.project_id = rz.project_id
            JOIN state st ON st.id = rz.project_id
            WHERE st.status = {greenlit})
    """,
    ("projects_reusing", "value_c"),
)


def _assets(rows, scope) -> dict:
    by_kind = dict.fromkeys(ArtifactKind.values, 0)
    reused = salvaged = 0
    for row in rows["asset_kinds"]:
        by_kind[row["kind"]] = int(row["artifacts"])
        reused += int(row["reused"])
        salvaged += int(row["salvaged"])
    reuse = rows["asset_reuse"][0]
    return {
        "artifacts": sum(by_kind.values()),
        "by_kind": by_kind,
        "reused_artifacts": reused,
        "projects_reusing": int(reuse["projects_reusing"]),
        "salvaged_from_killed": salvaged,
        "value_on_reuse": json_number(money(reuse["value_c"])),
    }


def _assets_text(value: dict) -> list[str]:
    kinds = ", ".join(f"{count} {kind}" for kind, count in value["by_kind"].items() if count)
    return [
        "",
        f"Research assets: {value['artifacts']} artifacts ({kinds or 'none'}), "
        f"{value['reused_artifacts']} reused by {value['projects_reusing']} projects, "
        f"{value['salvaged_from_killed']} salvaged from killed projects; "
        f"value realized by projects building on reuse {text.money(value['value_on_reuse'])}",
    ]


ASSETS = Section(
    "assets",
    (ASSET_KINDS, ASSET_REUSE),
    _assets,
    in_spec=True,
    text=_assets_text,
    csv=(
        CsvTable(
            "assets",
            ("measure", "value"),
            lambda value: [
                *({"measure": f"artifacts: {k}", "value": n} for k, n in value["by_kind"].items()),
                *(
                    {"measure": key, "value": value[key]}
                    for key in (
                        "artifacts",
                        "reused_artifacts",
                        "projects_reusing",
                        "salvaged_from_killed",
                        "value_on_reuse",
                    )
                ),
            ],
        ),
    ),
)

# --- Adoption ----------------------------------------------------------------------------------

ADOPTED = CTE(
    "adopted",
    """
    SELECT ad.project_id, ad.month, ad.active_users, ad.tasks_completed,
           {cents:ad.minutes_per_task} AS minutes_h,
           {cents:ad.baseline_minutes_per_task} AS baseline_h
    FROM {adoption} ad JOIN state st ON st.id = ad.project_id
    WHERE st.status = {greenlit} AND ad.month <= %(as_of)s
    """,
)
ADOPTION_QUERY = Query(
    "adoption",
    (ADOPTED,),
    """
    SELECT (SELECT COUNT(DISTINCT project_id) FROM adopted),
           (SELECT COALESCE(SUM(a.active_users), 0)
            FROM adopted a
            JOIN (SELECT project_id, MAX(month) AS month FROM adopted GROUP BY project_id) l
              ON l.project_id = a.project_id AND l.month = a.month),
           (SELECT COALESCE(SUM(tasks_completed), 0) FROM adopted),
           (SELECT COALESCE(SUM(tasks_completed * (baseline_h - minutes_h)), 0)
            FROM adopted WHERE minutes_h IS NOT NULL AND baseline_h IS NOT NULL)
    """,
    ("projects", "active_users", "tasks", "saved_h"),
)


def _adoption(rows, scope) -> dict:
    row = rows["adoption"][0]
    return {
        "projects_with_adoption": int(row["projects"]),
        "active_users_latest": int(row["active_users"]),
        "tasks_completed": int(row["tasks"]),
        "minutes_saved": json_number(money(row["saved_h"])),  # hundredths, like cents
    }


def _adoption_text(value: dict) -> list[str]:
    return [
        "",
        f"Adoption: {value['projects_with_adoption']} products, "
        f"{value['active_users_latest']:,} active users in their latest month, "
        f"{value['tasks_completed']:,} tasks completed, "
        f"{text.money(value['minutes_saved'])} minutes saved",
    ]


ADOPTION = Section(
    "adoption",
    (ADOPTION_QUERY,),
    _adoption,
    in_spec=True,
    text=_adoption_text,
    csv=(
        CsvTable(
            "adoption",
            ("measure", "value"),
            lambda value: [{"measure": k, "value": v} for k, v in value.items()],
        ),
    ),
)
