"""Writing a checked portfolio, in one transaction: people, projects, decisions, spend
(checked as it streams in), outcomes, estimates, and the audit trail.

On any problem found while writing (spend.csv and outcomes.csv are checked
then), ImportFailed is raised and the caller's transaction rolls everything back.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from gates.interchange import archive
from gates.interchange.assets import write_assets
from gates.interchange.checks import Plan, Progress, check_outcomes
from gates.interchange.database import (
    BATCH_SIZE,
    chunks,
    insert_values,
    new_rows,
    spend_writer,
    update_values,
    write_spend_totals,
)
from gates.interchange.format import DECISIONS, OUTCOMES, PROJECTS, SPEND, Problems
from gates.interchange.panel import open_reviews_to_keep, restore_open_reviews, write_panel
from gates.interchange.postgres_bulk import BulkLoad
from gates.interchange.reading import Source
from gates.interchange.spend_pass import SpendPass
from gates.models import ArchitectureEstimate, Gate, GateDecision
from portfolio import versioning
from portfolio.interchange_format import ADOPTION, ARTIFACT_USES
from portfolio.models import AuditEntry, Outcome, Project, User


@dataclass
class ImportSummary:
    projects_created: int = 0
    projects_replaced: int = 0
    # Named in the files, and exactly as the app holds them: left as they were.
    projects_unchanged: int = 0
    decisions: int = 0
    spend_entries: int = 0
    outcomes: int = 0
    estimates: int = 0
    votes: int = 0
    kill_criteria: int = 0
    artifacts: int = 0
    artifact_uses: int = 0
    adoption: int = 0
    users_created: int = 0

    @property
    def projects(self) -> int:
        return self.projects_created + self.projects_replaced

    def __str__(self) -> str:
        # Counts with thousands separators, as the pages write every count ("470,000").
        replaced = f" ({self.projects_replaced:,} replaced)" if self.projects_replaced else ""
        estimates = f", {self.estimates:,} architecture estimates" if self.estimates else ""
        assets = (
            f", {self.artifacts:,} artifacts ({self.artifact_uses:,} reuses)"
            if self.artifacts or self.artifact_uses
            else ""
        )
        adoption = f", {self.adoption:,} months of adoption" if self.adoption else ""
        panel = (
            f", {_counted(self.votes, 'vote', 'votes')} and "
            f"{_counted(self.kill_criteria, 'kill criterion', 'kill criteria')}"
            if self.votes or self.kill_criteria
            else ""
        )
        one = self.projects_unchanged == 1
        unchanged = (
            f" {_counted(self.projects_unchanged, 'project', 'projects')} unchanged (the files "
            f"hold exactly what the app has): left as {'it was' if one else 'they were'}, "
            "not archived."
            if self.projects_unchanged
            else ""
        )
        return (
            f"Imported {_counted(self.projects, 'project', 'projects')}{replaced}, "
            f"{_counted(self.decisions, 'gate decision', 'gate decisions')}, "
            f"{_counted(self.spend_entries, 'spend entry', 'spend entries')} and "
            f"{_counted(self.outcomes, 'outcome month', 'outcome months')}"
            f"{estimates}{assets}{adoption}{panel}; "
            f"{_counted(self.users_created, 'new person', 'new people')}.{unchanged}"
        )


def _counted(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def ensure_people(plan: Plan, summary: ImportSummary) -> dict[str, int]:
    """E-mail -> user id. An unknown address becomes a person with no usable password
    and no role: a file never grants a role (format version 2); an admin does, in the app."""
    emails = sorted(plan.people)
    ids: dict[str, int] = {}
    for chunk in chunks(emails):
        ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    new = [email for email in emails if email not in ids]
    if not new:
        return ids
    # One unusable password for all: hashing one per person would be slow and pointless.
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=email, password=unusable) for email in new], batch_size=BATCH_SIZE
    )
    for chunk in chunks(new):
        ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    summary.users_created = len(new)
    return ids


PROJECT_FIELDS = [
    "key",
    "title",
    "research_type",
    "bucket",
    "researcher_id",
    "product_manager_id",
    "submitted_on",
    "value_kind",
    "projected_low",
    "projected_expected",
    "projected_high",
    "probability_of_success",
    "next_stage_ask",
    "status",
    "current_gate",
    "decisions_count",
    "last_decision_on",
    "latest_probability",
    "funding_granted_total",
    "spend_total",
    "last_spend_on",
    "updated_at",
]


def write_projects(
    plan: Plan,
    people: dict[str, int],
    summary: ImportSummary,
    progress: Progress | None,
    *,
    actor: User | None,
) -> dict[str, int]:
    """Insert (or, replacing, update) the projects; key -> id. What a replaced project
    held is archived first (``archive``), then removed."""
    replaced_ids = plan.replaced_ids
    if replaced_ids:
        # The files bring new estimates for these: the old ones are archived and removed.
        with_estimates = {plan.projects[row["project"]].existing_id for row in plan.estimates}
        archive.archive_and_erase(
            replaced_ids,
            actor=actor,
            estimates_of=with_estimates - {None},
            # Rewritten from the files (write_assets): archived as they were.
            artifacts={a["existing_id"] for a in plan.assets.artifacts if a["existing_id"]},
            # A file present says what the projects hold, a header alone that they hold none.
            uses=ARTIFACT_USES in plan.assets.files,
            adoption=ADOPTION in plan.assets.files,
            progress=None
            if progress is None
            else lambda archived, finished: progress("archiving", PROJECTS, archived, finished),
        )
    now = timezone.now()
    new: list[dict] = []
    replaced: list[tuple] = []
    for parsed in plan.project_rows:
        state = plan.projects[parsed["key"]]
        values = {
            "key": parsed["key"],
            "title": parsed["title"],
            "research_type": parsed["research_type"],
            "bucket": parsed["bucket"],
            "researcher_id": people[parsed["researcher"]],
            "product_manager_id": people[parsed["product_manager"]],
            "submitted_on": parsed["submitted_on"],
            "value_kind": parsed["value_kind"],
            "projected_low": parsed["projected_low"],
            "projected_expected": parsed["projected_expected"],
            "projected_high": parsed["projected_high"],
            "probability_of_success": parsed["probability_of_success"],
            # An ask of 0 is no ask (docs/planning.md): kept empty, as the pages keep it.
            "next_stage_ask": parsed["next_stage_ask"] or None,
            "status": state.status,
            "current_gate": state.current_gate,
            "decisions_count": state.decisions_count,
            "last_decision_on": state.last_decision_on,
            "latest_probability": state.latest_probability,
            "funding_granted_total": state.funding_total,
            # Set from spend.csv once it is written (write_spend_totals).
            "spend_total": Decimal(0),
            "last_spend_on": None,
        }
        if state.existing_id is None:
            new.append(values)
        else:
            values["updated_at"] = now
            replaced.append((state.existing_id, *(values[name] for name in PROJECT_FIELDS)))
    summary.projects_created = insert_values(Project, *new_rows(Project, new))
    update_values(Project, PROJECT_FIELDS, replaced)
    summary.projects_replaced = len(replaced)
    # Their rows are not in plan.project_rows (unchanged.leave_unchanged), nor their ids here.
    summary.projects_unchanged = sum(state.unchanged for state in plan.projects.values())
    project_ids = {
        parsed["key"]: plan.projects[parsed["key"]].existing_id for parsed in plan.project_rows
    }
    created = [key for key, pk in project_ids.items() if pk is None]
    for chunk in chunks(created, 1000):
        project_ids.update(Project.objects.filter(key__in=chunk).values_list("key", "id"))
    if progress is not None:
        progress("writing", PROJECTS, len(project_ids), True)
    return project_ids


def write(
    source: Source, plan: Plan, *, actor: User | None, progress: Progress | None, bulk: bool
) -> ImportSummary:
    """Everything, inside the caller's transaction. ``bulk``: PostgreSQL's bulk-load
    tricks (``postgres_bulk``), for the command line only."""
    summary = ImportSummary()
    people = ensure_people(plan, summary)
    # Read before the replaced history is removed; put back once the files are written.
    kept = open_reviews_to_keep(plan) if plan.replaced_ids else None
    project_ids = write_projects(plan, people, summary, progress, actor=actor)
    gate_ids = dict(Gate.objects.values_list("number", "id"))
    # Who imported is said once, by the import's audit entry: the rows are the files', so none
    # names a recorder (the same rows from the page as from the command line). Naming the
    # uploader on each would also have PostgreSQL check that reference once per row at the
    # commit: about 3 s of a million-row import.
    importer = actor.pk if actor is not None and actor.is_authenticated else None
    with connection.cursor() as cursor:
        loader = BulkLoad(cursor)
        if bulk:
            loader.skip_reference_checks(people.values(), gate_ids.values())
        write_history(source, plan, loader, people, project_ids, gate_ids, summary, progress)
        write_estimates(plan, people, project_ids, summary)
        for name, count in write_assets(plan, project_ids).items():
            setattr(summary, name, count)
        summary.votes, summary.kill_criteria = write_panel(
            plan.panel, people, project_ids, gate_ids
        )
        if kept is not None:
            restore_open_reviews(kept)
        insert_values(
            AuditEntry, *new_rows(AuditEntry, audit_entries(plan, project_ids, summary, importer))
        )
        loader.restore_reference_checks()
    versioning.bump()  # cached dashboard numbers are keyed by it
    return summary


def write_history(
    source: Source,
    plan: Plan,
    loader: BulkLoad,
    people: dict[str, int],
    project_ids: dict[str, int],
    gate_ids: dict[int, int],
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    """Decisions, spend (and its totals) and outcomes."""
    if connection.vendor == "postgresql":
        # The transaction's start: what the spend COPY's 'now' is too.
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            now = recorded_at = cursor.fetchone()[0]
    else:
        now = timezone.now()
        recorded_at = connection.ops.adapt_datetimefield_value(now)

    # In file order, as before the checks sorted them; an unchanged project's are kept.
    decisions = sorted(
        (
            (key, decision)
            for key, state in plan.projects.items()
            if not state.unchanged
            for decision in state.decisions
        ),
        key=lambda pair: pair[1].line,
    )
    summary.decisions = insert_values(
        GateDecision,
        [
            "project",
            "gate",
            "decision",
            "funding_granted",
            "probability_of_success",
            "rationale",
            "decided_by",
            "decided_on",
            "sequence",
            "recorded_at",
        ],
        (
            (
                project_ids[key],
                gate_ids[d.gate],
                d.decision,
                d.funding,
                d.probability,
                d.rationale,
                people[d.decided_by],
                d.decided_on,
                d.sequence,
                recorded_at,
            )
            for key, d in decisions
        ),
    )
    if progress is not None:
        progress("writing", DECISIONS, summary.decisions, True)

    # spend.csv is checked as it is written, outcomes.csv while PostgreSQL rebuilds the
    # spend indexes: on any problem in either, everything is rolled back.
    problems = Problems()
    loader.drop_spend_indexes()
    with connection.cursor() as cursor, spend_writer(cursor, now) as writer:
        spend = SpendPass(source, plan, problems, progress, project_ids=project_ids, writer=writer)
        summary.spend_entries = spend.run()
    with loader.rebuilding_spend_indexes():
        check_outcomes(source, plan, problems, progress)
    problems.fail_if_any()
    if progress is not None:
        progress("writing", SPEND, summary.spend_entries, True)
    write_spend_totals(target for target in spend.targets.values() if target.written)

    summary.outcomes = insert_values(
        Outcome,
        ["project", "month", "realized_value", "recorded_at"],
        (
            (project_ids[key], month, value, recorded_at)
            for key, month, value in plan.outcomes
            if not plan.projects[key].unchanged
        ),
    )
    if progress is not None:
        progress("writing", OUTCOMES, summary.outcomes, True)


CADENCE_OF_RETRAINS = {
    retrains: cadence for cadence, retrains in ArchitectureEstimate.RETRAINS_PER_YEAR.items()
}


def estimate_time(day: datetime.date) -> datetime.datetime:
    """An estimate's date as the time it was last revised: noon, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def write_estimates(
    plan: Plan, people: dict[str, int], project_ids: dict[str, int], summary: ImportSummary
) -> None:
    """estimates.csv: each project's architecture estimate (a replaced project's old one
    was archived and removed with its history)."""
    adapt = (
        (lambda value: value)
        if connection.vendor == "postgresql"
        else connection.ops.adapt_datetimefield_value
    )
    rows = []
    for parsed in plan.estimates:
        revised = adapt(estimate_time(parsed["estimated_on"]))
        rows.append(
            {
                "project_id": project_ids[parsed["project"]],
                "author_id": people.get(parsed["estimated_by"]),
                "build_cost": parsed["build_cost"],
                "monthly_run_cost": parsed["monthly_run_cost"],
                "retraining_cadence": CADENCE_OF_RETRAINS[parsed["retrains_per_year"]],
                "cost_per_retrain": parsed["cost_per_retrain"],
                "created_at": revised,
                "updated_at": revised,
            }
        )
    if not rows:
        return
    summary.estimates = insert_values(ArchitectureEstimate, *new_rows(ArchitectureEstimate, rows))


def audit_entries(plan: Plan, project_ids: dict[str, int], summary: ImportSummary, actor_id):
    """One entry for the import, and one for each project it created or replaced (none for
    a project it left unchanged)."""
    yield {
        "actor_id": actor_id,
        "action": "portfolio.imported",
        "summary": str(summary),
        "changes": {
            "projects_created": summary.projects_created,
            "projects_replaced": summary.projects_replaced,
            "projects_unchanged": summary.projects_unchanged,
            "decisions": summary.decisions,
            "spend_entries": summary.spend_entries,
            "outcomes": summary.outcomes,
            "estimates": summary.estimates,
            "artifacts": summary.artifacts,
            "artifact_uses": summary.artifact_uses,
            "adoption": summary.adoption,
            "votes": summary.votes,
            "kill_criteria": summary.kill_criteria,
            "users_created": summary.users_created,
        },
    }
    for key, project_id in project_ids.items():
        replaced = plan.projects[key].existing_id is not None
        yield {
            "actor_id": actor_id,
            "project_id": project_id,
            "action": "project.replaced" if replaced else "project.imported",
            "object_type": Project._meta.label,
            "object_id": str(project_id),
            "summary": (
                f"{key} replaced by a portfolio import: its decisions, spend and outcomes "
                "were rewritten from the files; the replaced history is archived"
                if replaced
                else f"{key} imported from the portfolio files"
            ),
        }
