"""Deliverables a gate judges: which exist, which are missing, and saving them."""

from __future__ import annotations

from django.db import transaction

from gates.models import (
    ArchitectureEstimate,
    BusinessCase,
    DeliverableKind,
    FeasibilityStudy,
    Gate,
)
from gates.services.votes import ask_new_gatekeeper
from portfolio import access, audit, edits, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Project, User
from portfolio.reads import deliverables
from portfolio.services import handovers
from portfolio.validators import check_money, check_one_line

# --- Deliverables ---------------------------------------------------------------


def present_deliverables(project: Project) -> set[str]:
    """The kinds of deliverable this project has (one query)."""
    return deliverables.present(project)


def missing_deliverables(project: Project, gate: Gate) -> list[str]:
    """Labels of the deliverables ``gate`` requires that ``project`` lacks, in order."""
    required = [r.kind for r in gate.required_deliverables.all()]
    present = present_deliverables(project)
    return [DeliverableKind(kind).label for kind in required if kind not in present]


def _save_deliverable(
    model, *, project: Project, actor: User, fields: dict, label: str, seen: str | None = None
):
    # Lock the project first: two first saves at once then become a create and an update.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    # What a deliverable changes is this project's part of the metrics (its waits).
    with versioning.changing(project):
        existing = model.objects.select_for_update().filter(project=project).first()
        # A page opened before another tab (or person) saved it: refused, not overwritten.
        edits.check(
            seen,
            record=existing,
            values=edits.values_of(existing, fields),
            what=f"the {label.lower()}",
            names=fields,
        )
        if existing is None:
            deliverable = model.objects.create(project=project, author=actor, **fields)
            deliverable.first_written = True  # the hand-over: its readers are told once
            audit.record(
                actor=actor,
                action=f"{model._meta.model_name}.created",
                project=project,
                obj=deliverable,
                summary=f"{label} written",
            )
            return deliverable
        changes = audit.diff(existing, fields)
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.author = actor
        existing.save()
        if changes:
            audit.record(
                actor=actor,
                action=f"{model._meta.model_name}.revised",
                project=project,
                obj=existing,
                summary=f"{label} revised",
                changes=changes,
            )
        return existing


def _check_open(project: Project) -> None:
    if project.is_closed:
        raise DomainError(
            f"The project is {project.get_status_display().lower()}: its deliverables are final."
        )


@transaction.atomic
def save_feasibility_study(
    *, project: Project, actor: User, seen: str | None = None, **fields
) -> FeasibilityStudy:
    if not access.can_write_feasibility_study(actor, project):
        raise PermissionDenied("Only the project's researcher writes its feasibility study.")
    _check_open(project)
    study = _save_deliverable(
        FeasibilityStudy,
        project=project,
        actor=actor,
        fields=fields,
        label="Feasibility study",
        seen=seen,
    )
    if getattr(study, "first_written", False):
        handovers.study_written(project, actor)
    return study


ESTIMATE_COSTS = {
    "build_cost": "Build cost",
    "monthly_run_cost": "Monthly run cost",
    "cost_per_retrain": "Cost per retrain",
}


@transaction.atomic
def save_architecture_estimate(
    *, project: Project, actor: User, seen: str | None = None, **fields
) -> ArchitectureEstimate:
    if refusal := access.architecture_estimate_refusal(actor, project):
        raise PermissionDenied(refusal)
    _check_open(project)
    check_one_line(fields, ("platform_reused",))
    for name, label in ESTIMATE_COSTS.items():
        if fields.get(name) is not None and fields[name] < 0:
            raise DomainError("A cost cannot be negative.", field=name)
        check_money(fields.get(name), label=label, field=name)
    if (
        fields.get("retraining_cadence") == ArchitectureEstimate.Cadence.NONE
        and (fields.get("cost_per_retrain") or 0) > 0
    ):
        # Kept, it would read as a cost the three-year total leaves out.
        raise DomainError(
            "With no retraining there is no cost per retrain: leave it at 0, or choose how "
            "often the model is retrained.",
            field="cost_per_retrain",
        )
    estimate = _save_deliverable(
        ArchitectureEstimate,
        project=project,
        actor=actor,
        fields=fields,
        label="Architecture estimate",
        seen=seen,
    )
    if project.architect_id is None:
        # Written from the shared queue: its writer is the project's architect now (only
        # they revise it), and My work and the estimate page say so.
        Project.objects.filter(pk=project.pk, architect__isnull=True).update(architect=actor)
        project.architect = actor
    if getattr(estimate, "first_written", False):
        handovers.estimate_written(project, actor)
    # Its author judges the gates that name the project's architect: an open review there
    # asks them now, as its opening asked the others, not at the next day's reminders.
    ask_new_gatekeeper(project=project, person=estimate.author)
    return estimate


@transaction.atomic
def save_business_case(
    *, project: Project, actor: User, seen: str | None = None, **fields
) -> BusinessCase:
    if not access.can_write_business_case(actor, project):
        raise PermissionDenied("Only the project's product manager writes its business case.")
    _check_open(project)
    return _save_deliverable(
        BusinessCase,
        project=project,
        actor=actor,
        fields=fields,
        label="Business case",
        seen=seen,
    )


# --- Scorecards and decisions --------------------------------------------------
