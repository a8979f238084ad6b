"""Spend and outcomes: money going in, value coming out, and admin corrections of spend that keep the totals exact."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from portfolio import access, audit, process, rollups, versioning
from portfolio.errors import DomainError, PermissionDenied, Problems
from portfolio.models import (
    Outcome,
    Project,
    Role,
    SpendEntry,
    Status,
    User,
)
from portfolio.templatetags.numbers import money_cents
from portfolio.validators import check_money, check_money_total

logger = logging.getLogger(__name__)


def _check_date_not_before_submission(project: Project, day: datetime.date, field: str) -> None:
    if project.submitted_on and day < project.submitted_on:
        raise DomainError(
            f"The date cannot be before the project was submitted ({project.submitted_on:%Y-%m-%d}).",
            field=field,
        )


def _check_total_spend(total: Decimal) -> None:
    """A project's spend is one amount too (its running total): held to the same limit."""
    check_money_total(total, label="Spend amount", what="the project's spend", field="amount")


def spend_after_kill_message(project: Project) -> str:
    killed = f" on {project.last_decision_on:%Y-%m-%d}" if project.last_decision_on else ""
    return f"{project.key} was killed{killed}: spend dated after the kill is not recorded."


def _check_not_after_a_kill(project: Project, day: datetime.date) -> None:
    """Spend dated on or before a kill is recorded (a late invoice for the work done is
    sunk cost too); after it, there was no work to spend on."""
    if project.status != Status.KILLED:
        return
    killed_on = project.last_decision_on
    if killed_on is None or day > killed_on:
        raise DomainError(spend_after_kill_message(project), field="spent_on")


@transaction.atomic
def record_spend(
    *,
    project: Project,
    actor: User,
    spent_on: datetime.date,
    amount: Decimal,
    category: str,
    note: str = "",
) -> SpendEntry:
    # Lock the project so concurrent spend never loses an update of the running total.
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_record_spend(actor, project):
        raise PermissionDenied(
            "Only the project's researcher, its product manager or an admin records spend."
        )
    if amount is None or amount <= 0:
        raise DomainError("Spend must be greater than 0.", field="amount")
    check_money(amount, label="Spend amount", field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError("Money has at most 2 decimal places.", field="amount")
    _check_total_spend(project.spend_total + amount)
    _check_date_not_before_submission(project, spent_on, "spent_on")
    _check_not_in_the_future(spent_on)
    _check_not_after_a_kill(project, spent_on)
    entry = SpendEntry.objects.create(
        project=project,
        spent_on=spent_on,
        amount=amount,
        category=category,
        note=note,
        recorded_by=actor,
    )
    rollups.add_spend(project_id=project.pk, spent_on=spent_on, amount=amount)  # and spend_total
    if project.last_spend_on is None or spent_on > project.last_spend_on:
        Project.objects.filter(pk=project.pk).update(last_spend_on=spent_on)
    audit.record(
        actor=actor,
        action="spend.recorded",
        project=project,
        obj=entry,
        summary=f"Spend of {money_cents(amount)} ({category}) on {spent_on:%Y-%m-%d}",
    )
    versioning.note_spend(project_id=project.pk, spent_on=spent_on, amount=amount)
    return entry


# How a person confirms a month above a year's high projection: the tick of the outcome form
# and of the admin's correction (both label it so). The API asks for its field instead.
TICK_TO_CONFIRM = "tick “Yes, this amount is right”"


# The words of a month's realized value's rules, wherever one is written: the API and the
# services, which name the field (``check_realized_value``); over the largest amount
# ``portfolio.money.too_large_message`` (``check_money``).
REALIZED_VALUE_MESSAGES = {
    "min_value": "Realized value cannot be negative.",
    "max_decimal_places": "Realized value: at most 2 decimal places.",
}
# Beside the field (the outcome form's MoneyField says the same, and the admin's correction
# gives them to its number field; Django's own would say "Ensure that there are no more than
# 2 decimal places."): what to enter, the field's name being above it.
REALIZED_VALUE_INSTRUCTIONS = {
    "min_value": "Enter an amount of at least 0.",
    "max_decimal_places": "Enter an amount with at most 2 decimals, e.g. 1200.50.",
}


def check_realized_value(realized_value: Decimal | None) -> None:
    """The rules of a month's realized value, wherever one is written: recorded (the form,
    the API) or corrected in the admin (``change_outcome``)."""
    if realized_value is None or realized_value < 0:
        raise DomainError(REALIZED_VALUE_MESSAGES["min_value"], field="realized_value")
    check_money(realized_value, label="Realized value", field="realized_value")
    if realized_value != realized_value.quantize(Decimal("0.01")):
        raise DomainError(REALIZED_VALUE_MESSAGES["max_decimal_places"], field="realized_value")


def above_a_year_s_projection(project: Project, realized_value: Decimal) -> bool:
    """More in one month than the project's high projection for a whole year: most likely a
    typing mistake (1,000,000 for 100,000), kept only once a person confirms it."""
    year = project.projected_high
    return year is not None and realized_value > year


def check_value_confirmed(
    *, project: Project, realized_value: Decimal, confirmed: bool, how_to_confirm: str
) -> None:
    """Refuse a month above a year's high projection that nobody confirmed; the message
    names the confirmation's field and ends with ``how_to_confirm``, the way in's words."""
    if confirmed or not above_a_year_s_projection(project, realized_value):
        return
    raise DomainError(
        f"{money_cents(realized_value)} in one month is more than {project.key}'s high "
        f"projection for a whole year ({money_cents(project.projected_high)}). Check the "
        f"amount; if it is right, {how_to_confirm}.",
        field="confirm_value",
    )


def check_outcome(
    *,
    project: Project,
    month: datetime.date | None,
    realized_value: Decimal | None,
    confirm_value: bool | None = None,
    how_to_confirm: str = TICK_TO_CONFIRM,
) -> None:
    """Raise every reason this month and value could not be recorded, in one DomainError;
    only reads. A part given as None is not checked (the form has said what is wrong with
    it, or asks the confirmation itself). The outcome form runs it before it asks to
    confirm a large amount, so that nobody confirms an amount for a month that cannot be
    recorded; the API lists a missing confirmation beside the month's problems, so that a
    script corrects everything at once (never for a value refused for itself)."""
    problems = Problems()
    if month is not None:
        with problems.gather():
            _check_outcome_month(project, month)
    if realized_value is not None:
        with problems.gather():
            check_realized_value(realized_value)
            if confirm_value is not None:
                check_value_confirmed(
                    project=project,
                    realized_value=realized_value,
                    confirmed=confirm_value,
                    how_to_confirm=how_to_confirm,
                )
    problems.raise_any()


def _check_outcome_month(project: Project, month: datetime.date) -> None:
    if month.day != 1:
        raise DomainError("An outcome month is given by its first day.", field="month")
    if month > timezone.localdate():
        # The pages' rule, for every way in (the API too): a month is known once it started.
        raise DomainError(f"{month:%Y-%m} has not started yet.", field="month")
    greenlit_on = project.last_decision_on
    # The format's rule: greenlit on or before the month's first day.
    if greenlit_on and month < process.first_outcome_month(greenlit_on):
        first = process.first_outcome_month(greenlit_on)
        raise DomainError(
            f"The project was greenlit on {greenlit_on:%Y-%m-%d}: its outcomes start with "
            f"{first:%B %Y}.",
            field="month",
        )
    if Outcome.objects.filter(project=project, month=month).exists():
        raise DomainError(f"{month:%Y-%m} already has an outcome for this project.", field="month")


@transaction.atomic
def record_outcome(
    *,
    project: Project,
    actor: User,
    month: datetime.date,
    realized_value: Decimal,
    confirm_value: bool = False,
    how_to_confirm: str = TICK_TO_CONFIRM,
) -> Outcome:
    """Record a month's realized value. One above the project's high projection for a whole
    year is refused unless ``confirm_value`` (a person confirmed it); ``how_to_confirm``
    says in the caller's words how to (the API: its field)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_record_outcome(actor, project):
        raise PermissionDenied(
            "Outcomes are recorded for greenlit projects by their product manager or an executive."
        )
    if realized_value is None:  # check_outcome leaves it to a form; there is none here
        check_realized_value(realized_value)
    check_outcome(
        project=project,
        month=month,
        realized_value=realized_value,
        confirm_value=confirm_value,
        how_to_confirm=how_to_confirm,
    )
    with versioning.changing(project):
        outcome = Outcome.objects.create(
            project=project, month=month, realized_value=realized_value, recorded_by=actor
        )
        audit.record(
            actor=actor,
            action="outcome.recorded",
            project=project,
            obj=outcome,
            summary=f"Realized {money_cents(realized_value)} in {month:%Y-%m}",
        )
    return outcome


@transaction.atomic
def recompute_spend_totals(*, project: Project) -> None:
    """Rebuild a project's running spend totals from its entries (after an admin edit): its
    rollup months and ``spend_total`` (rollups.rebuild_spend_months), and its last spend date."""
    from django.db.models import Max

    last = SpendEntry.objects.filter(project=project).aggregate(last=Max("spent_on"))["last"]
    Project.objects.filter(pk=project.pk).update(last_spend_on=last)
    rollups.rebuild_spend_months([project.pk])


def _check_not_in_the_future(spent_on: datetime.date) -> None:
    """The pages' rule, for every way in (the API too): spend is recorded once it happened."""
    if spent_on > timezone.localdate():
        raise DomainError("Spend cannot be dated in the future.", field="spent_on")


def _total_with(entry: SpendEntry, fields: dict) -> Decimal:
    """The spend of the project ``entry`` belongs to once ``fields`` are written to it."""
    project = fields.get("project") or entry.project
    others = (
        SpendEntry.objects.filter(project=project)
        .exclude(pk=entry.pk)
        .aggregate(total=Sum("amount"))["total"]
    )
    return (others or Decimal(0)) + fields.get("amount", entry.amount)


def _moved_to(fields: dict) -> list[int]:
    """The project a corrected entry moves to, if it moves."""
    project = fields.get("project")
    return [project.pk] if project is not None else []


@transaction.atomic
def change_spend(*, entry: SpendEntry, actor: User, **fields) -> SpendEntry:
    """Correct a spend entry (admins only); the project's totals follow."""
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only admins correct recorded spend.")
    if "amount" in fields and (fields["amount"] is None or fields["amount"] <= 0):
        raise DomainError("Spend must be greater than 0.", field="amount")
    if "amount" in fields:
        check_money(fields["amount"], label="Spend amount", field="amount")
    if "amount" in fields or "project" in fields:
        _check_total_spend(_total_with(entry, fields))
    moved_from = entry.project
    if "spent_on" in fields:
        _check_not_in_the_future(fields["spent_on"])
    if "spent_on" in fields or "project" in fields:
        _check_date_not_before_submission(
            fields.get("project") or entry.project,
            fields.get("spent_on", entry.spent_on),
            "spent_on",
        )
        _check_not_after_a_kill(
            fields.get("project") or entry.project, fields.get("spent_on", entry.spent_on)
        )
    with versioning.changing(entry.project_id, *_moved_to(fields)):
        changes = audit.diff(entry, fields)
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.save()
        recompute_spend_totals(project=entry.project)
        if entry.project_id != moved_from.pk:
            # Moved to another project: the one it left loses it from its totals and rollup.
            recompute_spend_totals(project=moved_from)
        audit.record(
            actor=actor,
            action="spend.corrected",
            project=entry.project,
            obj=entry,
            summary=f"Spend entry {entry.pk} corrected",
            changes=changes,
        )
    return entry


@transaction.atomic
def delete_spend(*, entry: SpendEntry, actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only admins remove recorded spend.")
    project = entry.project
    summary = f"Spend of {money_cents(entry.amount)} on {entry.spent_on:%Y-%m-%d} removed"
    with versioning.changing(project):
        audit.record(
            actor=actor, action="spend.removed", project=project, obj=entry, summary=summary
        )
        entry.delete()
        recompute_spend_totals(project=project)
