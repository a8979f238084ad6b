"""The feedback loop's numbers: outcome scores, decision quality, research assets, adoption.

Defined in docs/metrics.md ("Outcome scores", "Research assets", "Adoption"). As of a
date A and under the dashboard's filters, like every other metric; money, scores and
minutes come out rounded to 2 decimals, halves away from zero, from exact integers
(money in cents, minutes in hundredths), so SQLite's REAL decimals never drift.

A fixed number of queries (five), whatever the size of the portfolio. Decisions are
read through the app registry: ``portfolio`` does not import ``gates``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from fractions import Fraction

from django.apps import apps
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Lower, Round

from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactKind,
    ArtifactReuse,
    Outcome,
    Project,
)
from portfolio.process import LAST_GATE

MINIMUM_OUTCOME_MONTHS = 3


def _round2(value: Fraction) -> float:
    """Round an exact value to 2 decimals, halves away from zero."""
    scaled = abs(value) * 100
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    return float((-whole if value < 0 else whole) / 100)


def _cents(field: str) -> Cast:
    return Cast(Round(F(field) * 100), BigIntegerField())


# --- The outcome score of one project ---------------------------------------------------


@dataclass(frozen=True)
class OutcomeScore:
    """A greenlit project's score (0–100) and how it was reached, for pages to explain."""

    score: Fraction
    annualized: Fraction  # R, in currency units
    low: Fraction
    expected: Fraction
    high: Fraction
    months: int
    branch: str  # which rule applied: "none", "above_high", "high", "expected", "low"

    @property
    def rounded(self) -> float:
        return _round2(self.score)

    @property
    def formula(self) -> str:
        return {
            "none": "R ≤ 0: no value scores 0",
            "above_high": "R ≥ H: 100",
            "high": "R ≥ E: 70 + 30 · (R − E) / (H − E)",
            "expected": "R ≥ L: 40 + 30 · (R − L) / (E − L)",
            "low": "0 < R < L: 40 · R / L",
        }[self.branch]


def outcome_score(
    *, value_cents: int, months: int, low_cents: int, expected_cents: int, high_cents: int
) -> OutcomeScore | None:
    """The score of a greenlit project from its outcome months (None below three months)."""
    if months < MINIMUM_OUTCOME_MONTHS:
        return None
    r = Fraction(12 * value_cents, months)  # annualized, in cents
    low, expected, high = Fraction(low_cents), Fraction(expected_cents), Fraction(high_cents)
    if r <= 0:
        score, branch = Fraction(0), "none"
    elif r >= high:
        score, branch = Fraction(100), "above_high"
    elif r >= expected:
        score, branch = 70 + 30 * (r - expected) / (high - expected), "high"
    elif r >= low:
        score, branch = 40 + 30 * (r - low) / (expected - low), "expected"
    else:
        score, branch = 40 * r / low, "low"
    return OutcomeScore(
        score=score,
        annualized=r / 100,
        low=low / 100,
        expected=expected / 100,
        high=high / 100,
        months=months,
        branch=branch,
    )


# --- Scope --------------------------------------------------------------------------------


def _decisions():
    return apps.get_model("gates", "GateDecision").objects


def scope(
    *,
    as_of: datetime.date,
    bucket: str | None = None,
    research_type: str | None = None,
    product_manager: str | None = None,
) -> QuerySet[Project]:
    """The projects the filters choose, submitted on or before A."""
    projects = Project.objects.filter(submitted_on__isnull=False, submitted_on__lte=as_of)
    if bucket:
        projects = projects.filter(bucket=bucket)
    if research_type:
        projects = projects.filter(research_type=research_type)
    if product_manager:
        projects = projects.annotate(_pm_email=Lower("product_manager__email")).filter(
            _pm_email=product_manager.lower()
        )
    return projects


def _greenlit_by(as_of: datetime.date) -> Exists:
    return Exists(
        _decisions().filter(
            project=OuterRef("pk"), gate__number=LAST_GATE, decision="go", decided_on__lte=as_of
        )
    )


def _killed_by(as_of: datetime.date, project_ref: str = "pk") -> Exists:
    return Exists(
        _decisions().filter(project=OuterRef(project_ref), decision="kill", decided_on__lte=as_of)
    )


def scored_projects(projects: QuerySet[Project], as_of: datetime.date) -> dict[int, OutcomeScore]:
    """Each greenlit project (as of A) with at least three outcome months, and its score."""
    rows = (
        Outcome.objects.filter(project__in=projects.filter(_greenlit_by(as_of)), month__lte=as_of)
        .values("project_id")
        .annotate(
            value_c=Sum(_cents("realized_value")),
            months=Count("id"),
        )
        .filter(months__gte=MINIMUM_OUTCOME_MONTHS)
        .values_list(
            "project_id",
            "value_c",
            "months",
            Cast(Round(F("project__projected_low") * 100), BigIntegerField()),
            Cast(Round(F("project__projected_expected") * 100), BigIntegerField()),
            Cast(Round(F("project__projected_high") * 100), BigIntegerField()),
        )
    )
    scores = {}
    for project_id, value_c, months, low_c, expected_c, high_c in rows:
        scores[project_id] = outcome_score(
            value_cents=int(value_c),
            months=int(months),
            low_cents=int(low_c),
            expected_cents=int(expected_c),
            high_cents=int(high_c),
        )
    return scores


# --- The three sections -------------------------------------------------------------------


def _mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def decision_quality(projects: QuerySet[Project], as_of: datetime.date) -> dict:
    scores = scored_projects(projects, as_of)
    by_decider: dict[str, list[Fraction]] = {}
    gos = (
        _decisions()
        .filter(project_id__in=list(scores), decision="go")
        .values_list("project_id", Lower("decided_by__email"))
    )
    for project_id, email in gos:
        by_decider.setdefault(email, []).append(scores[project_id].score)
    mean = _mean([s.score for s in scores.values()])
    return {
        "scored_projects": len(scores),
        "mean_outcome_score": _round2(mean) if mean is not None else None,
        "by_decider": [
            {
                "decided_by": email,
                "go_decisions": len(values),
                "mean_score": _round2(_mean(values)),
            }
            for email, values in sorted(by_decider.items())
        ],
    }


def assets(projects: QuerySet[Project], as_of: datetime.date) -> dict:
    uses_by_a = ArtifactReuse.objects.filter(used_on__lte=as_of)
    artifacts = (
        Artifact.objects.filter(project__in=projects, created_on__lte=as_of)
        .annotate(
            used=Exists(uses_by_a.filter(artifact=OuterRef("pk"))),
            producer_killed=_killed_by(as_of, "project_id"),
        )
        .values("kind")
        .annotate(
            count=Count("id"),
            reused=Count("id", filter=Q(used=True)),
            salvaged=Count("id", filter=Q(used=True, producer_killed=True)),
        )
    )
    by_kind = dict.fromkeys(ArtifactKind.values, 0)
    reused = salvaged = 0
    for row in artifacts:
        by_kind[row["kind"]] = row["count"]
        reused += row["reused"]
        salvaged += row["salvaged"]

    reusing = projects.filter(Exists(uses_by_a.filter(project=OuterRef("pk"))))
    value_c = Outcome.objects.filter(
        project__in=reusing.filter(_greenlit_by(as_of)), month__lte=as_of
    ).aggregate(value_c=Sum(_cents("realized_value")))["value_c"]
    return {
        "artifacts": sum(by_kind.values()),
        "by_kind": by_kind,
        "reused_artifacts": reused,
        "projects_reusing": reusing.count(),
        "salvaged_from_killed": salvaged,
        "value_on_reuse": _round2(Fraction(int(value_c or 0), 100)),
    }


def adoption(projects: QuerySet[Project], as_of: datetime.date) -> dict:
    rows = (
        Adoption.objects.filter(project__in=projects.filter(_greenlit_by(as_of)), month__lte=as_of)
        .annotate(
            saved_hundredths=F("tasks_completed")
            * (
                Cast(Round(F("baseline_minutes_per_task") * 100), IntegerField())
                - Cast(Round(F("minutes_per_task") * 100), IntegerField())
            )
        )
        .order_by("project_id", "month")
        .values_list("project_id", "active_users", "tasks_completed", "saved_hundredths")
    )
    latest_users: dict[int, int] = {}
    tasks = saved = 0
    for project_id, users, tasks_completed, saved_hundredths in rows:
        latest_users[project_id] = users  # rows come in month order: the last one stays
        tasks += tasks_completed
        saved += int(saved_hundredths or 0)
    return {
        "projects_with_adoption": len(latest_users),
        "active_users_latest": sum(latest_users.values()),
        "tasks_completed": tasks,
        "minutes_saved": _round2(Fraction(saved, 100)),
    }


def compute_feedback(
    *,
    as_of: datetime.date,
    bucket: str | None = None,
    research_type: str | None = None,
    product_manager: str | None = None,
) -> dict:
    """The three sections, in the JSON shape of ``portfolio_metrics --format json``."""
    projects = scope(
        as_of=as_of, bucket=bucket, research_type=research_type, product_manager=product_manager
    )
    return {
        "decision_quality": decision_quality(projects, as_of),
        "assets": assets(projects, as_of),
        "adoption": adoption(projects, as_of),
    }
