"""Replacing a project's history: what it held is archived (``ReplacedHistory``), then removed.

Nothing replaced is lost: each replaced project's fields, decisions with their
scores (criterion names and weights as they were), spend, outcomes and, when the
files bring a new one, its architecture estimate are copied as plain values into
one ``ReplacedHistory`` row, which its project page links. Drafts are never
replaced (the checks refuse their keys).

The only deletion of gate decisions in the app: the PostgreSQL trigger lets it
through because this transaction, and only it, sets the rewrite flag.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from gates.interchange.database import among, chunks
from gates.interchange.panel import erase_panel
from gates.models import ArchitectureEstimate, CriterionScore, GateDecision
from portfolio.models import Outcome, Project, ReplacedHistory, SpendEntry, SpendMonth, User
from portfolio.sql_text import statement

PROJECT_VALUES = (
    "key",
    "title",
    "research_type",
    "bucket",
    "researcher__email",
    "product_manager__email",
    "submitted_on",
    "value_kind",
    "projected_low",
    "projected_expected",
    "projected_high",
    "probability_of_success",
    "next_stage_ask",
    "status",
    "current_gate",
    "funding_granted_total",
    "spend_total",
)
DECISION_VALUES = (
    "sequence",
    "gate__number",
    "decision",
    "decided_on",
    "funding_granted",
    "probability_of_success",
    "rationale",
    "decided_by__email",
    "recorded_at",
    "scorecard_total",
)
SCORE_VALUES = ("criterion__name", "criterion__kind", "met", "score", "weight")
SPEND_VALUES = ("spent_on", "amount", "category", "note", "recorded_by__email", "recorded_at")
OUTCOME_VALUES = ("month", "realized_value", "recorded_by__email", "recorded_at")
ESTIMATE_VALUES = (
    "build_cost",
    "monthly_run_cost",
    "retraining_cadence",
    "cost_per_retrain",
    "platform_reused",
    "build_or_buy_note",
    "author__email",
    "updated_at",
)


@dataclass(frozen=True)
class ReplacedProject:
    """What replacing one project would set aside (the import page's confirmation)."""

    key: str
    title: str
    status: str
    decisions: int
    spend_entries: int
    spend_total: Decimal
    outcomes: int


def what_would_be_replaced(project_ids: list[int]) -> list[ReplacedProject]:
    """For the confirmation step: each project, with what of it would be archived."""
    ids = among(project_ids)
    decisions = dict(
        GateDecision.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    outcomes = dict(
        Outcome.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    spend = {
        row["project_id"]: (row["entries"], row["amount"])
        for row in SpendMonth.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(entries=Sum("entries"), amount=Sum("amount"))
    }
    return [
        ReplacedProject(
            key=key,
            title=title,
            status=status,
            decisions=decisions.get(pk, 0),
            spend_entries=spend.get(pk, (0, 0))[0] or 0,
            spend_total=Decimal(spend.get(pk, (0, 0))[1] or 0),
            outcomes=outcomes.get(pk, 0),
        )
        for pk, key, title, status in Project.objects.filter(pk__in=ids)
        .order_by("key")
        .values_list("pk", "key", "title", "status")
    ]


def _grouped(queryset, values: tuple[str, ...], by: str = "project_id") -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in queryset.values(by, *values):
        grouped[row.pop(by)].append(row)
    return grouped


def _archive(project_ids: list[int], actor: User | None, estimates_of) -> None:
    """One ReplacedHistory per project, before anything of it is removed."""
    projects = {
        row.pop("id"): row
        for row in Project.objects.filter(pk__in=project_ids).values("id", *PROJECT_VALUES)
    }
    decisions = GateDecision.objects.filter(project_id__in=project_ids).order_by(
        "project_id", "sequence"
    )
    scores = _grouped(
        CriterionScore.objects.filter(decision__project_id__in=project_ids).order_by(
            "decision_id", "criterion__position", "criterion_id"
        ),
        SCORE_VALUES,
        by="decision_id",
    )
    decisions_of: dict[int, list[dict]] = defaultdict(list)
    for row in decisions.values("id", "project_id", *DECISION_VALUES):
        row["scores"] = scores.get(row.pop("id"), [])
        decisions_of[row.pop("project_id")].append(row)
    spend = _grouped(
        SpendEntry.objects.filter(project_id__in=project_ids).order_by(
            "project_id", "spent_on", "id"
        ),
        SPEND_VALUES,
    )
    outcomes = _grouped(
        Outcome.objects.filter(project_id__in=project_ids).order_by("project_id", "month"),
        OUTCOME_VALUES,
    )
    estimates = {
        row.pop("project_id"): row
        for row in ArchitectureEstimate.objects.filter(
            project_id__in=[pk for pk in project_ids if pk in estimates_of]
        ).values("project_id", *ESTIMATE_VALUES)
    }
    ReplacedHistory.objects.bulk_create(
        [
            ReplacedHistory(
                project_id=pk,
                replaced_by=actor if actor is not None and actor.is_authenticated else None,
                project_fields=projects[pk],
                decisions=decisions_of.get(pk, []),
                spend=spend.get(pk, []),
                outcomes=outcomes.get(pk, []),
                estimate=estimates.get(pk),
            )
            for pk in project_ids
        ],
        batch_size=100,
    )


def archive_and_erase(
    project_ids: list[int], *, actor: User | None, estimates_of: set[int] | frozenset = frozenset()
) -> None:
    """Archive, then remove, the decisions, scores, spend (and its rollup) and outcomes of
    the projects being replaced, and the estimates of ``estimates_of`` (the files bring
    new ones; a project whose files bring none keeps its estimate)."""
    postgres = connection.vendor == "postgresql"
    names = {
        "scores": CriterionScore._meta.db_table,
        "decisions": GateDecision._meta.db_table,
    }
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'on', true)")
        for chunk in chunks(project_ids):
            _archive(chunk, actor, estimates_of)
            erase_panel(cursor, chunk)  # votes and kill criteria refer to the decisions
            cursor.execute(
                statement(
                    "DELETE FROM {scores} WHERE decision_id IN "
                    "(SELECT id FROM {decisions} WHERE project_id IN ({marks}))",
                    marks=len(chunk),
                    **names,
                ),
                chunk,
            )
            for model in (GateDecision, SpendEntry, SpendMonth, Outcome):
                cursor.execute(
                    statement(
                        "DELETE FROM {table} WHERE project_id IN ({marks})",
                        table=model._meta.db_table,
                        marks=len(chunk),
                    ),
                    chunk,
                )
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'off', true)")
    if estimates_of:
        ArchitectureEstimate.objects.filter(project_id__in=list(estimates_of)).delete()
