"""Admins' corrections of a recorded outcome or adoption month: change its numbers, or remove it.

A month typed wrong (1,000,000 for 100,000) otherwise stayed for good: outcomes and
adoption are recorded month by month on the project's pages and never edited there.
Like spend corrections (``change_spend``, ``delete_spend``): admins only, the same rules
as recording, each change audited with the values before and after (a removal keeps the
values removed), inside ``versioning.changing(project)`` so the dashboard's numbers are
brought up to date exactly (portfolio/metrics/incremental.py). The month itself is not
corrected: a month recorded under the wrong month is removed and recorded again.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from portfolio import audit, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Adoption, Outcome, Project, Role, User
from portfolio.services.adoption import check_adoption_numbers
from portfolio.services.spend import TICK_TO_CONFIRM, check_realized_value, check_value_confirmed
from portfolio.templatetags.numbers import money_cents

OUTCOME_FIELDS = ("realized_value",)
ADOPTION_FIELDS = (
    "active_users",
    "tasks_completed",
    "minutes_per_task",
    "baseline_minutes_per_task",
)


def _check_admin(actor: User, what: str) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise PermissionDenied(f"Only admins correct or remove a recorded {what} month.")


def _unknown(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise DomainError(
            f"{', '.join(unknown)} cannot be corrected: remove the month and record it again.",
            field=unknown[0],
        )


def _lock(row: Outcome | Adoption) -> Project:
    """The project, locked first as every service locks it; the row as it is now."""
    project = Project.objects.select_for_update().get(pk=row.project_id)
    row.refresh_from_db()
    return project


def _removed(row, names) -> dict:
    """{field: [old, ""]}: what a removal took away, for the audit trail."""
    return {name: [getattr(row, name), ""] for name in ("month", *names)}


@transaction.atomic
def change_outcome(
    *,
    outcome: Outcome,
    actor: User,
    confirm_value: bool = False,
    **fields,
) -> Outcome:
    """Correct a recorded outcome month's realized value (admins only), by the rules a
    value is recorded by. A correction that raises the month above the project's high
    projection for a whole year is confirmed as the outcome form confirms it
    (``confirm_value``, the admin's tick); one that lowers it needs none."""
    _check_admin(actor, "outcome")
    _unknown(fields, OUTCOME_FIELDS)
    if "realized_value" in fields:
        check_realized_value(fields["realized_value"])
    project = _lock(outcome)
    if "realized_value" in fields and fields["realized_value"] > outcome.realized_value:
        check_value_confirmed(
            project=project,
            realized_value=fields["realized_value"],
            confirmed=confirm_value,
            how_to_confirm=TICK_TO_CONFIRM,
        )
    changes = audit.diff(outcome, fields)
    if not changes:
        return outcome
    with versioning.changing(project):
        for name, value in fields.items():
            setattr(outcome, name, value)
        outcome.save(update_fields=list(fields))
        old, new = changes["realized_value"]
        audit.record(
            actor=actor,
            action="outcome.corrected",
            project=project,
            obj=outcome,
            summary=(
                f"Outcome of {outcome.month:%Y-%m} corrected: realized "
                f"{money_cents(Decimal(old))}, now {money_cents(Decimal(new))}"
            ),
            changes=changes,
        )
    return outcome


@transaction.atomic
def delete_outcome(*, outcome: Outcome, actor: User) -> None:
    """Remove a recorded outcome month (admins only); the audit trail keeps its value."""
    _check_admin(actor, "outcome")
    project = _lock(outcome)
    with versioning.changing(project):
        audit.record(
            actor=actor,
            action="outcome.removed",
            project=project,
            obj=outcome,
            summary=(
                f"Outcome of {outcome.month:%Y-%m} removed "
                f"(realized {money_cents(outcome.realized_value)})"
            ),
            changes=_removed(outcome, OUTCOME_FIELDS),
        )
        outcome.delete()


@transaction.atomic
def change_adoption(*, adoption: Adoption, actor: User, **fields) -> Adoption:
    """Correct a recorded adoption month's numbers (admins only)."""
    _check_admin(actor, "adoption")
    _unknown(fields, ADOPTION_FIELDS)
    project = _lock(adoption)
    check_adoption_numbers(**{name: getattr(adoption, name) for name in ADOPTION_FIELDS} | fields)
    changes = audit.diff(adoption, fields)
    if not changes:
        return adoption
    with versioning.changing(project):
        for name, value in fields.items():
            setattr(adoption, name, value)
        adoption.save(update_fields=list(fields))
        audit.record(
            actor=actor,
            action="adoption.corrected",
            project=project,
            obj=adoption,
            summary=f"Adoption of {adoption.month:%Y-%m} corrected",
            changes=changes,
        )
    return adoption


@transaction.atomic
def delete_adoption(*, adoption: Adoption, actor: User) -> None:
    """Remove a recorded adoption month (admins only); the audit trail keeps its numbers."""
    _check_admin(actor, "adoption")
    project = _lock(adoption)
    with versioning.changing(project):
        audit.record(
            actor=actor,
            action="adoption.removed",
            project=project,
            obj=adoption,
            summary=(
                f"Adoption of {adoption.month:%Y-%m} removed ({adoption.active_users:,} active "
                f"users, {adoption.tasks_completed:,} tasks)"
            ),
            changes=_removed(adoption, ADOPTION_FIELDS),
        )
        adoption.delete()
