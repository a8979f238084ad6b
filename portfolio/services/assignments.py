"""Who writes a project's cost estimate: the product manager assigns an architect, or an
architect takes one from the shared queue. Either way the architects' queue shows it as
theirs, and the architect is told."""

from __future__ import annotations

from django.db import transaction

from portfolio import access, audit, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Project, Role, Status, User
from portfolio.services import handovers


def _check_open(project: Project) -> None:
    if project.status not in (Status.ACTIVE, Status.ON_HOLD):
        raise DomainError("Only a project still in the process is assigned an architect.")


@transaction.atomic
def assign_architect(*, project: Project, architect: User | None, actor: User) -> Project:
    """The product manager (or an admin) gives the estimate to ``architect``; None: back
    to the shared queue."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("architect")
        .get(pk=project.pk)
    )
    if not access.can_assign_architect(actor, project):
        raise PermissionDenied("The project's product manager assigns its architect.")
    _check_open(project)
    if architect is not None and (
        not architect.is_active or not architect.has_role(Role.ARCHITECT)
    ):
        raise DomainError(f"{architect} is not an architect.", field="architect")
    before = project.architect
    # What the architect was told (a Delivery each, for the page to say truthfully); None
    # when nothing changed, so nobody was told anything.
    project.deliveries = None
    if (before.pk if before else None) == (architect.pk if architect else None):
        return project
    # Nothing the metrics read (versioning.changing with no project).
    with versioning.changing():
        project.architect = architect
        project.save(update_fields=["architect", "updated_at"])
        audit.record(
            actor=actor,
            action="estimate.assigned",
            project=project,
            obj=project,
            summary=(
                f"Cost estimate of {project.key} assigned to {architect}"
                if architect
                else f"Cost estimate of {project.key} back in the architects' shared queue"
            ),
            changes={
                "architect": [before.email if before else "", architect.email if architect else ""]
            },
        )
    project.deliveries = (
        handovers.estimate_needed(project, actor, assigned=True) if architect is not None else []
    )
    return project


@transaction.atomic
def take_estimate(*, project: Project, actor: User) -> Project:
    """An architect takes an unassigned estimate from the shared queue."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("architect")
        .get(pk=project.pk)
    )
    if not actor.is_authenticated or not actor.is_architect:
        raise PermissionDenied("Architects take estimates from the shared queue.")
    _check_open(project)
    if project.architect_id == actor.pk:
        return project
    if project.architect_id is not None:
        raise DomainError(
            f"{project.architect} has this estimate already; "
            "ask the product manager to reassign it."
        )
    if not access.can_take_estimate(actor, project):
        if refusal := access.architecture_estimate_refusal(actor, project):
            # Not asked for yet, or written by another architect (theirs until the
            # product manager gives it to someone else).
            raise DomainError(refusal)
        raise DomainError(
            "Another architect wrote this estimate; ask the product manager to reassign it."
        )
    # Nothing the metrics read (versioning.changing with no project).
    with versioning.changing():
        project.architect = actor
        project.save(update_fields=["architect", "updated_at"])
        audit.record(
            actor=actor,
            action="estimate.taken",
            project=project,
            obj=project,
            summary=f"{actor} took the cost estimate of {project.key}",
            changes={"architect": ["", actor.email]},
        )
    return project
