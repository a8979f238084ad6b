"""Adoption of a greenlit product, month by month: who uses it and the time it saves."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portfolio import access, audit, counts, process, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Adoption, Project, User
from portfolio.validators import check_count, check_minutes


def _check_minutes(value: Decimal | None, field: str, label: str, *, positive: bool) -> None:
    if value is None:
        return
    if not value.is_finite():
        raise DomainError(f"{label}: a number of minutes, e.g. 6.25.", field=field)
    check_minutes(value, label=label, field=field)  # first: a huge value cannot be quantized
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(counts.minutes_places_message(label), field=field)
    if positive and value <= 0:
        raise DomainError(
            f"{label}: more than 0 minutes (the same task before the product).", field=field
        )
    if value < 0:
        raise DomainError(counts.negative_message(label), field=field)


def check_adoption_numbers(
    *,
    active_users: int,
    tasks_completed: int,
    minutes_per_task: Decimal | None = None,
    baseline_minutes_per_task: Decimal | None = None,
) -> None:
    """A month's numbers as every way in takes them (the page, the admin's corrections)."""
    check_count(active_users, label="Active users", field="active_users")
    check_count(tasks_completed, label="Tasks completed", field="tasks_completed")
    _check_minutes(minutes_per_task, "minutes_per_task", "Minutes per task", positive=False)
    _check_minutes(
        baseline_minutes_per_task,
        "baseline_minutes_per_task",
        "Baseline minutes per task",
        positive=True,
    )


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
    check_adoption_numbers(
        active_users=active_users,
        tasks_completed=tasks_completed,
        minutes_per_task=minutes_per_task,
        baseline_minutes_per_task=baseline_minutes_per_task,
    )
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
