"""The limits of money, counts, minutes and scores, kept by the database too.

Every write path the app has (the forms, the admin, the API, the services, the import) checks
an amount against ``portfolio.money``, a count or minutes against ``portfolio.counts`` and a
score against its 0–10, with a message naming the field. A row written any other way (a
script, the shell, a ``bulk_create`` or a ``queryset.update``, raw SQL) skipped them, and the
dashboard's sums, made in 64-bit integers, are safe only while every row keeps them. So each
such field has a ``CheckConstraint`` too (``at_most``), reading the same constant as its
validator. The validator still speaks first: Django leaves out a constraint on a field that
already failed its validation, so a form or the admin shows the field's message alone.

The smallest values are kept the same way: every field whose validator refuses less than a
value (a negative cost, ask or projection, a weight, a budget of 0, a horizon of 0 years) has
a check of that bound too (``at_least``; ``between`` for a field whose validators bound it on
both sides, a probability or a share, and that had no check of either). Some had a check
written by hand before (a low projection, a realized value, minutes, funding, the other
probabilities); tests/portfolio/test_limits_in_the_database.py finds every such field and
its check. A spend amount is more than 0 (``spend_amount_positive``): a correction changes
the entry, it is never a negative one.

A database kept before the constraints may hold a row outside a limit (written by such a
path); adding the constraint would fail with a bare IntegrityError naming no row. The
migrations that add them run ``refuse_rows_outside_the_limits`` first (the older ones under
its first name, ``refuse_rows_over_the_limits``), which names each row and says how to
correct it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.management.base import CommandError
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.db import migrations

# A migration's error lists this many rows a limit, then says how many more there are.
ROWS_LISTED = 20

Number = int | Decimal


def _check(field: str, condition: Q, *, name: str, null: bool) -> models.CheckConstraint:
    if null:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name)


def at_most(
    field: str, largest: Number, *, name: str, null: bool = False
) -> models.CheckConstraint:
    """The database's check that ``field`` is at most ``largest`` (or empty, when ``null``)."""
    return _check(field, Q(**{f"{field}__lte": largest}), name=name, null=null)


def at_least(
    field: str, smallest: Number, *, name: str, null: bool = False
) -> models.CheckConstraint:
    """The database's check that ``field`` is at least ``smallest`` (or empty, when ``null``)."""
    return _check(field, Q(**{f"{field}__gte": smallest}), name=name, null=null)


def between(
    field: str, smallest: Number, largest: Number, *, name: str, null: bool = False
) -> models.CheckConstraint:
    """The database's check that ``field`` is from ``smallest`` to ``largest`` (or empty)."""
    condition = Q(**{f"{field}__gte": smallest, f"{field}__lte": largest})
    return _check(field, condition, name=name, null=null)


@dataclass(frozen=True)
class RowsOf:
    """How a migration's error names a row of one model, and where it is corrected."""

    # What names the row to a person, and its lookup: {"project": "project__key", "month": "month"}
    named_by: Mapping[str, str]
    corrected: str  # said after "correct it": "in the admin (/admin/portfolio/outcome/)"


@dataclass(frozen=True)
class Bounds:
    """What a constraint made by ``at_most``, ``at_least`` or ``between`` keeps a field to."""

    field: str
    smallest: Number | None
    largest: Number | None

    def outside(self) -> Q:
        """The rows outside the bounds (an empty field is inside)."""
        below = Q(**{f"{self.field}__lt": self.smallest}) if self.smallest is not None else None
        over = Q(**{f"{self.field}__gt": self.largest}) if self.largest is not None else None
        if below is None or over is None:
            return below or over
        return below | over

    def said(self, value: Number) -> str:
        """How ``value``, outside, is said: "below 0", "over 9999999999999.99"."""
        if self.smallest is not None and value < self.smallest:
            return f"below {self.smallest}"
        return f"over {self.largest}"

    def all_said(self) -> str:
        """How any value outside is said: "below 0", "below 0 or over 1"."""
        sides = []
        if self.smallest is not None:
            sides.append(f"below {self.smallest}")
        if self.largest is not None:
            sides.append(f"over {self.largest}")
        return " or ".join(sides)


def _lookups(condition: Q) -> Iterator[tuple[str, Number]]:
    for child in condition.children:
        if isinstance(child, Q):
            yield from _lookups(child)
        else:
            yield child


def bounds_of(constraint: models.CheckConstraint) -> Bounds:
    """The field and the bounds of a constraint made by ``at_most``, ``at_least`` or
    ``between`` (as written in a migration, or in a model's ``Meta``)."""
    fields, bounds = set(), {}
    for lookup, value in _lookups(constraint.condition):
        field, _, kind = lookup.rpartition("__")
        if kind not in ("gte", "lte", "isnull"):
            raise ValueError(f"{constraint.name} is not a limit made by at_most or at_least")
        fields.add(field)
        bounds[kind] = value
    if len(fields) != 1 or not {"gte", "lte"} & bounds.keys():
        raise ValueError(f"{constraint.name} is not a limit made by at_most or at_least")
    return Bounds(fields.pop(), bounds.get("gte"), bounds.get("lte"))


def rows_outside_the_limits(
    apps, app_label: str, constraints: Iterable[migrations.AddConstraint], rows: Mapping
) -> tuple[int, list[str]]:
    """How many rows are outside a limit an ``AddConstraint`` of ``constraints`` adds, and a
    line naming each (at most ``ROWS_LISTED`` a limit).

    ``rows`` is keyed by model name, or by "model.field" for a field whose rows are
    corrected somewhere else than the model's other fields."""
    count, lines = 0, []
    for operation in constraints:
        model = apps.get_model(app_label, operation.model_name)
        bounds = bounds_of(operation.constraint)
        field = bounds.field
        how = rows.get(f"{operation.model_name}.{field}") or rows[operation.model_name]
        table = model._meta.db_table
        outside = model._base_manager.filter(bounds.outside()).order_by("pk")
        listed = list(outside.values_list(*how.named_by.values(), field)[:ROWS_LISTED])
        for *names, value in listed:
            row = ", ".join(
                f"{what} {name}" for what, name in zip(how.named_by, names, strict=True)
            )
            lines.append(
                f"{table} ({row}): {field} is {value}, {bounds.said(value)}; "
                f"correct it {how.corrected}."
            )
        found = outside.count() if len(listed) == ROWS_LISTED else len(listed)
        if found > len(listed):
            lines.append(
                f"{table}: and {found - len(listed)} more rows whose {field} is "
                f"{bounds.all_said()}."
            )
        count += found
    return count, lines


# The first name, which the migrations adding the largest values import.
rows_over_the_limits = rows_outside_the_limits


def refuse_rows_outside_the_limits(
    app_label: str,
    constraints: Iterable[migrations.AddConstraint],
    rows: Mapping[str, RowsOf],
    *,
    limits: str = "the limits of money, counts, minutes and scores",
) -> Callable:
    """A ``RunPython`` function that stops the migration when a row is outside a limit it adds.

    ``rows`` says, per model (or "model.field"), how a row is named and where it is
    corrected; ``limits`` what the checks are, as the error says it. The error (a
    ``CommandError``: ``migrate`` prints its message and no traceback) lists each row with its
    table, its key and the field, and says what to do; nothing is changed.
    """
    constraints = list(constraints)
    bounds = [bounds_of(operation.constraint) for operation in constraints]
    if all(b.smallest is None for b in bounds):
        outside, corrected = "over a limit", "to the limit or less"
    elif all(b.largest is None for b in bounds):
        outside, corrected = "below a limit", "to the limit or more"
    else:
        outside, corrected = "outside a limit", "within its limits"

    def refuse(apps, schema_editor) -> None:
        count, lines = rows_outside_the_limits(apps, app_label, constraints, rows)
        if count:
            raise CommandError(
                f"{app_label}: the database's checks of {limits} (docs/gate-reviews.md) "
                f"cannot be added: {count} row(s) are {outside}, which the app's pages, API "
                "and import refuse but some other way of writing kept.\n"
                + "\n".join(f"  {line}" for line in lines)
                + f"\nCorrect each as said ({corrected}), then run migrate again. "
                "This migration changed nothing."
            )

    return refuse


# The first name, which the migrations adding the largest values import.
refuse_rows_over_the_limits = refuse_rows_outside_the_limits
