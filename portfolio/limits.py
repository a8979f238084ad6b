"""The limits of money, counts, minutes and scores, kept by the database too.

Every write path the app has (the forms, the admin, the API, the services, the import) checks
an amount against ``portfolio.money``, a count or minutes against ``portfolio.counts`` and a
score against its 0–10, with a message naming the field. A row written any other way (a
script, the shell, a ``bulk_create`` or a ``queryset.update``, raw SQL) skipped them, and the
dashboard's sums, made in 64-bit integers, are safe only while every row keeps them. So each
such field has a ``CheckConstraint`` too (``at_most``), reading the same constant as its
validator. The validator still speaks first: Django leaves out a constraint on a field that
already failed its validation, so a form or the admin shows the field's message alone.

A database kept before the constraints may hold a row over a limit (written by such a path);
adding the constraint would fail with a bare IntegrityError naming no row. The migrations
that add them run ``refuse_rows_over_the_limits`` first, which names each row and says how
to correct it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.db import migrations

# A migration's error lists this many rows, then says how many more there are.
ROWS_LISTED = 20


def at_most(
    field: str, largest: int | Decimal, *, name: str, null: bool = False
) -> models.CheckConstraint:
    """The database's check that ``field`` is at most ``largest`` (or empty, when ``null``)."""
    condition = Q(**{f"{field}__lte": largest})
    if null:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name)


@dataclass(frozen=True)
class RowsOf:
    """How a migration's error names a row of one model, and where it is corrected."""

    # What names the row to a person, and its lookup: {"project": "project__key", "month": "month"}
    named_by: Mapping[str, str]
    corrected: str  # said after "correct it": "in the admin (/admin/portfolio/outcome/)"


def limit_of(constraint: models.CheckConstraint) -> tuple[str, int | Decimal]:
    """The field and the largest value of a constraint made by ``at_most``."""
    # Its condition's children: ("field__lte", largest), after ("field__isnull", True) or not.
    for lookup, largest in constraint.condition.children:
        if lookup.endswith("__lte"):
            return lookup.removesuffix("__lte"), largest
    raise ValueError(f"{constraint.name} is not a limit made by at_most")


def rows_over_the_limits(
    apps, app_label: str, constraints: Iterable[migrations.AddConstraint], rows: Mapping
) -> tuple[int, list[str]]:
    """How many rows are over a limit an ``AddConstraint`` of ``constraints`` adds, and a
    line naming each (at most ``ROWS_LISTED`` a limit)."""
    count, lines = 0, []
    for operation in constraints:
        model = apps.get_model(app_label, operation.model_name)
        field, largest = limit_of(operation.constraint)
        how = rows[operation.model_name]
        table = model._meta.db_table
        over = model._base_manager.filter(**{f"{field}__gt": largest}).order_by("pk")
        listed = list(over.values_list(*how.named_by.values(), field)[:ROWS_LISTED])
        for *names, value in listed:
            row = ", ".join(
                f"{what} {name}" for what, name in zip(how.named_by, names, strict=True)
            )
            lines.append(
                f"{table} ({row}): {field} is {value}, over {largest}; correct it {how.corrected}."
            )
        found = over.count() if len(listed) == ROWS_LISTED else len(listed)
        if found > len(listed):
            lines.append(f"{table}: and {found - len(listed)} more rows whose {field} is over.")
        count += found
    return count, lines


def refuse_rows_over_the_limits(
    app_label: str, constraints: Iterable[migrations.AddConstraint], rows: Mapping[str, RowsOf]
) -> Callable:
    """A ``RunPython`` function that stops the migration when a row is over a limit it adds.

    ``rows`` says, per model, how a row is named and where it is corrected. The error
    (a ``CommandError``: ``migrate`` prints its message and no traceback) lists each row
    with its table, its key and the field, and says what to do; nothing is changed.
    """
    constraints = list(constraints)

    def refuse(apps, schema_editor) -> None:
        count, lines = rows_over_the_limits(apps, app_label, constraints, rows)
        if count:
            raise CommandError(
                f"{app_label}: the database's checks of the limits of money, counts, minutes "
                "and scores (docs/gate-reviews.md) cannot be added: "
                f"{count} row(s) are over a limit, which the app's pages, API and import "
                "refuse but some other way of writing kept.\n"
                + "\n".join(f"  {line}" for line in lines)
                + "\nCorrect each as said (to the limit or less), then run migrate again. "
                "This migration changed nothing."
            )

    return refuse
