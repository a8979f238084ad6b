"""Replacing a project's history: what it held is archived (``ReplacedHistory``), then removed.

Nothing replaced is lost: each replaced project's fields, decisions with their
scores (criterion names and weights as they were), the gatekeepers' votes on each
decision (with their scorecards and kill marks) and the kill criteria it registered
(with their verdicts), spend, outcomes and, when the files bring new ones, its
architecture estimate, the artifacts the files rewrite, its artifact uses and its
adoption months are copied as plain values into one ``ReplacedHistory`` row, which
its project page links. Drafts are never replaced (the checks refuse their keys).

The vote reminders sent for its reviews go with its votes: a reminder is kept by the
review's number (the project's decisions when it opened), and the files renumber the
reviews, so one left behind would stop the new review of that number from being
announced, or stand for a review that is no longer there.

Where each part goes in the row (its fields are plain JSON, so old rows read as
before): a decision's votes and kill criteria under its own entry in ``decisions``
(``votes``, ``kill_criteria``), as its scores are; the votes of the review open when
it was replaced, the vote reminders sent, and the artifacts, uses and adoption the import
rewrote, under ``project_fields`` (``open_votes``, ``vote_reminders``, ``artifacts``,
``artifact_uses``, ``adoption``), present only when there was something.

The only deletion of gate decisions in the app: the PostgreSQL trigger lets it
through because this transaction, and only it, sets the rewrite flag.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from gates.interchange.database import JSONText, among, chunks, insert_values, new_rows
from gates.interchange.panel import erase_panel
from gates.models import (
    ArchitectureEstimate,
    CriterionScore,
    GateDecision,
    KillCriterion,
    KillCriterionMark,
    Vote,
    VoteReminder,
    VoteScore,
)
from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactReuse,
    Outcome,
    Project,
    ReplacedHistory,
    SpendEntry,
    SpendMonth,
    User,
)
from portfolio.sql_text import render, statement

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
VOTE_VALUES = (
    "voter__email",
    "recommendation",
    "probability_of_success",
    "comment",
    "scorecard_total",
    "voted_at",
)
# A kill mark names its criterion as the decision that registered it and its position.
KILL_MARK_VALUES = (
    "criterion__decision__sequence",
    "criterion__position",
    "criterion__statement",
    "met",
    "note",
)
KILL_CRITERION_VALUES = (
    "position",
    "gate__number",
    "statement",
    "comparison",
    "target",
    "verdict__met",
    "verdict__note",
    "verdict__decision__sequence",
)
REMINDER_VALUES = ("review_round", "person__email", "kind", "sent_at")
ARTIFACT_VALUES = ("key", "name", "kind", "created_on", "description", "location")
ARTIFACT_USE_VALUES = ("artifact__key", "used_on", "linked_by__email", "linked_at")
ADOPTION_VALUES = (
    "month",
    "active_users",
    "tasks_completed",
    "minutes_per_task",
    "baseline_minutes_per_task",
    "recorded_by__email",
    "recorded_at",
)
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


def _votes(project_ids: list[int]) -> dict[int | None, dict[int, list[dict]]]:
    """The projects' votes, each with its scorecard and kill marks: by project, then by
    decision id (None: the review still open)."""
    votes = Vote.objects.filter(project_id__in=project_ids).order_by(
        "project_id", "decision_id", "voted_at", "id"
    )
    scores = _grouped(
        VoteScore.objects.filter(vote__project_id__in=project_ids).order_by(
            "vote_id", "criterion__position", "criterion_id"
        ),
        SCORE_VALUES,
        by="vote_id",
    )
    marks = _grouped(
        KillCriterionMark.objects.filter(vote__project_id__in=project_ids).order_by(
            "vote_id", "criterion__decision__sequence", "criterion__position"
        ),
        KILL_MARK_VALUES,
        by="vote_id",
    )
    grouped: dict[int, dict[int | None, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in votes.values("id", "project_id", "decision_id", *VOTE_VALUES):
        pk = row.pop("id")
        row["scores"] = scores.get(pk, [])
        row["kill_marks"] = marks.get(pk, [])
        grouped[row.pop("project_id")][row.pop("decision_id")].append(row)
    return grouped


def _archive(
    project_ids: list[int],
    actor: User | None,
    *,
    estimates_of,
    artifacts: frozenset[int] | set[int],
    uses: bool,
    adoption: bool,
) -> None:
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
    votes = _votes(project_ids)
    kill_criteria = _grouped(
        KillCriterion.objects.filter(project_id__in=project_ids).order_by(
            "decision_id", "position"
        ),
        KILL_CRITERION_VALUES,
        by="decision_id",
    )
    decisions_of: dict[int, list[dict]] = defaultdict(list)
    for row in decisions.values("id", "project_id", *DECISION_VALUES):
        pk = row.pop("id")
        row["scores"] = scores.get(pk, [])
        row["votes"] = votes.get(row["project_id"], {}).get(pk, [])
        row["kill_criteria"] = kill_criteria.get(pk, [])
        decisions_of[row.pop("project_id")].append(row)
    for pk, by_decision in votes.items():
        if by_decision.get(None):
            projects[pk]["open_votes"] = by_decision[None]
    reminders = _grouped(
        VoteReminder.objects.filter(project_id__in=project_ids).order_by(
            "project_id", "review_round", "sent_at", "id"
        ),
        REMINDER_VALUES,
    )
    for pk, rows in reminders.items():
        projects[pk]["vote_reminders"] = rows
    rewritten = {
        "artifacts": _grouped(
            Artifact.objects.filter(pk__in=sorted(artifacts), project_id__in=project_ids).order_by(
                "project_id", "key"
            ),
            ARTIFACT_VALUES,
        )
        if artifacts
        else {},
        "artifact_uses": _grouped(
            ArtifactReuse.objects.filter(project_id__in=project_ids).order_by(
                "project_id", "used_on", "artifact__key"
            ),
            ARTIFACT_USE_VALUES,
        )
        if uses
        else {},
        "adoption": _grouped(
            Adoption.objects.filter(project_id__in=project_ids).order_by("project_id", "month"),
            ADOPTION_VALUES,
        )
        if adoption
        else {},
    }
    for name, held in rewritten.items():
        for pk, rows in held.items():
            projects[pk][name] = rows
    spend = (
        _spend_as_json(project_ids)
        if connection.vendor == "postgresql"
        else _grouped(
            SpendEntry.objects.filter(project_id__in=project_ids).order_by(
                "project_id", "spent_on", "id"
            ),
            SPEND_VALUES,
        )
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
    replaced_by = actor.pk if actor is not None and actor.is_authenticated else None
    # Written as plain rows (COPY on PostgreSQL): through bulk_create, Django bound every
    # value on the client, 1M spend entries' JSON included (about 9 s of a replace's 45).
    insert_values(
        ReplacedHistory,
        *new_rows(
            ReplacedHistory,
            (
                {
                    "project_id": pk,
                    "replaced_by_id": replaced_by,
                    "project_fields": projects[pk],
                    "decisions": decisions_of.get(pk, []),
                    "spend": spend.get(pk, []),
                    "outcomes": outcomes.get(pk, []),
                    "estimate": estimates.get(pk),
                }
                for pk in project_ids
            ),
        ),
    )


# Each project's spend as ``_grouped(…, SPEND_VALUES)`` and DjangoJSONEncoder write it (those
# keys; a date as YYYY-MM-DD, an amount with its two decimals, a time in UTC to the
# millisecond, cut as the encoder cuts it, ending in Z), made by PostgreSQL as JSON text: a
# replace archives every spend entry of the projects it replaces (a million at 5,000
# projects), and reading them into Python objects and encoding them there took 8 s of the
# replace's 24.
_SPEND_JSON = """
    SELECT e.project_id, CAST(json_agg(json_build_object(
        'spent_on', to_char(e.spent_on, 'YYYY-MM-DD'),
        'amount', CAST(e.amount AS text),
        'category', e.category,
        'note', e.note,
        'recorded_by__email', u.email,
        'recorded_at', to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
            || CASE WHEN mod(CAST(EXTRACT(microseconds FROM e.recorded_at) AS bigint), 1000000) <> 0
                    THEN to_char(e.recorded_at AT TIME ZONE 'UTC', '.MS') ELSE '' END
            || 'Z'
    ) ORDER BY e.spent_on, e.id) AS text)
    FROM {spend} e
    LEFT JOIN {user} u ON u.id = e.recorded_by_id
    WHERE e.project_id = ANY(%s)
    GROUP BY e.project_id
"""


def _spend_as_json(project_ids: list[int]) -> dict[int, JSONText]:
    """PostgreSQL: each project's archived spend, as the JSON text the database wrote (it goes
    into the archive's COPY as it is)."""
    with connection.cursor() as cursor:
        cursor.execute(render(_SPEND_JSON, {}), [list(project_ids)])
        return {pk: JSONText(text) for pk, text in cursor.fetchall()}


def archive_and_erase(
    project_ids: list[int],
    *,
    actor: User | None,
    estimates_of: set[int] | frozenset = frozenset(),
    artifacts: set[int] | frozenset = frozenset(),
    uses: bool = False,
    adoption: bool = False,
    progress: Callable[[int, bool], None] | None = None,
) -> None:
    """Archive, then remove, the decisions, scores, votes and kill criteria (with their
    marks and verdicts), vote reminders, spend (and its rollup) and outcomes of the projects being
    replaced, and the estimates of ``estimates_of`` (the files bring new ones; a project
    whose files bring none keeps its estimate). ``uses`` and ``adoption``: the files hold
    ``artifact_uses.csv``, ``adoption.csv`` (with rows or only a header): the projects' uses,
    adoption months there are archived and removed too. ``artifacts``: the ids of the projects' artifacts the files rewrite
    (kept, with new values): archived as they were. ``progress(projects archived so far,
    finished?)`` is called after each chunk (at 5,000 projects and 1M spend rows the archive
    takes several seconds: the import's page says so rather than show the last file checked)."""
    postgres = connection.vendor == "postgresql"
    names = {
        "scores": CriterionScore._meta.db_table,
        "decisions": GateDecision._meta.db_table,
    }
    archived = 0
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'on', true)")
        for chunk in chunks(project_ids):
            _archive(
                chunk,
                actor,
                estimates_of=estimates_of,
                artifacts=artifacts,
                uses=uses,
                adoption=adoption,
            )
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
            # The reminders go with the votes: kept by review number, which the files renumber.
            erased = [GateDecision, SpendEntry, SpendMonth, Outcome, VoteReminder]
            erased += [ArtifactReuse] if uses else []
            erased += [Adoption] if adoption else []
            for model in erased:
                cursor.execute(
                    statement(
                        "DELETE FROM {table} WHERE project_id IN ({marks})",
                        table=model._meta.db_table,
                        marks=len(chunk),
                    ),
                    chunk,
                )
            archived += len(chunk)
            if progress is not None:
                progress(archived, archived == len(project_ids))
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'off', true)")
    if estimates_of:
        ArchitectureEstimate.objects.filter(project_id__in=list(estimates_of)).delete()
