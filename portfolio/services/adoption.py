"""Adoption of a greenlit product, month by month: who uses it and the time it saves."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portfolio import access, audit, process, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Adoption, Project, User


def _check_minutes(value: Decimal | None, field: str, *, positive: bool) -> None:
    if value is None:
        return
    if value != value.quantize(Decimal("0.01")):
        raise DomainError("Give minutes with at most 2 decimals.", field=field)
    if positive and value <= 0:
        raise DomainError("The baseline is more than 0 minutes per task.", field=field)
    if value < 0:
        raise DomainError("Minutes per task cannot be negative.", field=field)


@transaction.atomic
def record_adoption(
    *,
    project: Project,
    actor: User,
    month: datetime.date,
    active_users: int,
    tasks_completed: int,
    minutes_per_task: Decimal | None = None,
    baseline_minutes_per_task: Decimal | None = None,
) -> Adoption:
    """One month of a greenlit product's adoption, recorded by its product manager."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_record_adoption(actor, project):
        raise PermissionDenied(
            "Adoption is recorded for greenlit projects by their product manager or an admin."
        )
    if month.day != 1:
        raise DomainError("An adoption month is given by its first day.", field="month")
    this_month = timezone.localdate().replace(day=1)
    if month > this_month:
        raise DomainError(f"{month:%Y-%m} has not started yet.", field="month")
    greenlit_on = project.last_decision_on
    # The outcomes' rule, as adoption.csv states it: greenlit on or before the month's first day.
    if greenlit_on and month < process.first_outcome_month(greenlit_on):
        raise DomainError(
            f"The project was greenlit on {greenlit_on:%Y-%m-%d}: "
            f"adoption starts with {process.first_outcome_month(greenlit_on):%Y-%m}.",
            field="month",
        )
    if active_users is None or active_users < 0:
        raise DomainError("Active users cannot be negative.", field="active_users")
    if tasks_completed is None or tasks_completed < 0:
        raise DomainError("Tasks completed cannot be negative.", field="tasks_completed")
    _check_minutes(minutes_per_task, "minutes_per_task", positive=False)
    _check_minutes(baseline_minutes_per_task, "baseline_minutes_per_task", positive=True)
    if Adoption.objects.filter(project=project, month=month).exists():
        raise DomainError(f"{month:%Y-%m} already has adoption for this project.", field="month")
    with versioning.changing(project):
        adoption = Adoption.objects.create(
            project=project,
            month=month,
            active_users=active_users,
            tasks_completed=tasks_completed,
            minutes_per_task=minutes_per_task,
            baseline_minutes_per_task=baseline_minutes_per_task,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="adoption.recorded",
            project=project,
            obj=adoption,
            summary=f"Adoption in {month:%Y-%m}: {active_users} active users, {tasks_completed} tasks",
        )
    return adoption
