"""What the artifact library, an artifact's lineage and a project's feedback loop show.

Research pays when its artifacts are reused project after project, and products are
judged by their adoption and by the value they return: these read models put those
facts on the pages. The numbers follow ``portfolio.metrics.feedback`` (the same outcome
score, the same rules), as of today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from portfolio import process
from portfolio.dashboard.charts import money_short, nice_scale
from portfolio.metrics.feedback import OutcomeScore, outcome_score
from portfolio.models import (
    Artifact,
    ArtifactReuse,
    Outcome,
    Project,
    Status,
    User,
)

LIBRARY_PAGE_SIZE = 50


def reuses_seen_by(user: User) -> Q:
    """An artifact's reuses a person may see, as its page lists them (``lineage``): by
    submitted projects and by their own drafts. A draft's "Builds on" is its researcher's
    alone, so it is neither named nor counted for anyone else."""
    return ~Q(reuses__project__status=Status.DRAFT) | Q(reuses__project__researcher=user)


def library(user: User, *, q: str = "", kind: str = "", reuse: str = "", origin: str = ""):
    """Every artifact a person may see (drafts' artifacts only for their author), filtered."""
    visible = Project.objects.visible_to(user)
    seen = reuses_seen_by(user)
    artifacts = (
        Artifact.objects.filter(project__in=visible)
        .select_related("project")
        .annotate(
            uses=Count("reuses", filter=seen, distinct=True),
            last_used_on=Max("reuses__used_on", filter=seen),
        )
        .order_by("key")
    )
    if q:
        artifacts = artifacts.filter(
            Q(key__icontains=q)
            | Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(project__key__icontains=q)
            | Q(project__title__icontains=q)
        )
    if kind:
        artifacts = artifacts.filter(kind=kind)
    if reuse == "reused":
        artifacts = artifacts.filter(uses__gt=0)
    elif reuse == "unused":
        artifacts = artifacts.filter(uses=0)
    if origin == "killed":
        artifacts = artifacts.filter(project__status=Status.KILLED)
    elif origin == "greenlit":
        artifacts = artifacts.filter(project__status=Status.GREENLIT)
    elif origin == "open":
        artifacts = artifacts.exclude(project__status__in=[Status.KILLED, Status.GREENLIT])
    return artifacts


def library_summary(artifacts: QuerySet[Artifact]) -> dict:
    """Counts over the filtered library, in one query."""
    return artifacts.aggregate(
        total=Count("id", distinct=True),
        reused=Count("id", filter=Q(uses__gt=0), distinct=True),
        salvaged=Count("id", filter=Q(uses__gt=0, project__status=Status.KILLED), distinct=True),
    )


@dataclass(frozen=True)
class Lineage:
    artifact: Artifact
    producer: Project
    producer_realized: Decimal | None
    uses: list[ArtifactReuse]  # each with .project.realized
    salvaged: bool


def lineage(artifact: Artifact, user: User) -> Lineage:
    """Produced by, reused by: each project with its status and realized value."""
    visible = Project.objects.visible_to(user)
    uses = list(
        artifact.reuses.filter(project__in=visible)
        .select_related("project")
        .order_by("used_on", "id")
    )
    realized = dict(
        Outcome.objects.filter(project__in=[use.project_id for use in uses] + [artifact.project_id])
        .values("project_id")
        .annotate(total=Sum("realized_value"))
        .values_list("project_id", "total")
    )
    for use in uses:
        use.realized = realized.get(use.project_id)
    return Lineage(
        artifact=artifact,
        producer=artifact.project,
        producer_realized=realized.get(artifact.project_id),
        uses=uses,
        salvaged=artifact.project.status == Status.KILLED and bool(uses),
    )


def artifact_for_user(user: User, key: str) -> Artifact | None:
    return (
        Artifact.objects.filter(key__iexact=key, project__in=Project.objects.visible_to(user))
        .select_related("project", "registered_by")
        .first()
    )


# --- A project's feedback loop: its score and its adoption -----------------------------


def score_of(project: Project, outcomes: list[Outcome]) -> OutcomeScore | None:
    """The outcome score of a greenlit project (None before three outcome months)."""
    if project.status != Status.GREENLIT:
        return None
    return outcome_score(
        value_cents=sum(int(o.realized_value * 100) for o in outcomes),
        months=len(outcomes),
        low_cents=int(project.projected_low * 100),
        expected_cents=int(project.projected_expected * 100),
        high_cents=int(project.projected_high * 100),
    )


CHART_WIDTH, CHART_HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 30


def _line_chart(months: list[datetime.date], series: dict[str, list], label) -> dict | None:
    """Coordinates of one or more monthly series sharing an axis from 0."""
    values = [v for points in series.values() for v in points if v is not None]
    if len(months) < 2 or not values:
        return None
    top, ticks = nice_scale(max(values))
    plot_w, plot_h = CHART_WIDTH - LEFT - RIGHT, CHART_HEIGHT - TOP - BOTTOM
    step = plot_w / (len(months) - 1)

    def y(value) -> float:
        return round(TOP + plot_h * (1 - float(value) / top), 1)

    lines = {}
    for name, points in series.items():
        dots = [
            {"x": round(LEFT + i * step, 1), "y": y(v), "label": f"{months[i]:%b %Y}: {label(v)}"}
            for i, v in enumerate(points)
            if v is not None
        ]
        lines[name] = {"points": " ".join(f"{d['x']},{d['y']}" for d in dots), "dots": dots}
    every = max(1, len(months) // 6)
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": LEFT,
        "right": CHART_WIDTH - RIGHT,
        "label_y": CHART_HEIGHT - 10,
        "lines": lines,
        "y_ticks": [{"y": y(t), "label": label(t)} for t in ticks],
        "x_ticks": [
            {"x": round(LEFT + i * step, 1), "label": f"{m:%b %Y}" if i == 0 else f"{m:%b}"}
            for i, m in enumerate(months)
            if i % every == 0
        ],
    }


def adoption_of(project: Project) -> dict:
    """A product's adoption month by month, its learning curve and the minutes saved."""
    rows = list(project.adoption.order_by("month"))
    months = [row.month for row in rows]
    saved = [
        row.tasks_completed * (row.baseline_minutes_per_task - row.minutes_per_task)
        for row in rows
        if row.minutes_per_task is not None and row.baseline_minutes_per_task is not None
    ]
    return {
        "rows": rows,
        "minutes_saved": sum(saved, Decimal(0)) if saved else None,
        "tasks_completed": sum(row.tasks_completed for row in rows),
        "users_chart": _line_chart(
            months, {"users": [row.active_users for row in rows]}, lambda v: money_short(v)
        ),
        "minutes_chart": _line_chart(
            months,
            {
                "now": [row.minutes_per_task for row in rows],
                "baseline": [row.baseline_minutes_per_task for row in rows],
            },
            lambda v: f"{float(v):.1f}",
        )
        if any(row.minutes_per_task is not None for row in rows)
        else None,
    }


def reuse_facts(project: Project, user: User) -> dict:
    """What the project builds on, and how many projects ``user`` may see build on what it
    produced."""
    builds_on = list(
        project.artifact_reuses.select_related("artifact__project").order_by("used_on", "id")
    )
    produced = list(
        project.artifacts.annotate(uses=Count("reuses", filter=reuses_seen_by(user))).order_by(
            "key"
        )
    )
    return {"builds_on": builds_on, "produced": produced}


def first_adoption_month(project: Project) -> datetime.date | None:
    """The first month adoption can be recorded for: as for outcomes, the first month that
    begins on or after greenlight (what adoption.csv allows too)."""
    if project.status != Status.GREENLIT or not project.last_decision_on:
        return None
    return process.first_outcome_month(project.last_decision_on)


def project_feedback(project: Project, outcomes: list[Outcome], user: User) -> dict:
    """The project page's feedback-loop context: score, adoption, reuse."""
    from portfolio import access

    return {
        "outcome_score": score_of(project, outcomes),
        "adoption": adoption_of(project) if project.status == Status.GREENLIT else None,
        "can_record_adoption": access.can_record_adoption(user, project),
        **reuse_facts(project, user),
    }
