"""SQL text, made only from constant templates, placeholders and quoted identifiers.

Every hand-written statement of the app (the metrics engine's queries, the
spend rollup, the interchange's bulk paths) is a constant string whose braces
are filled here, and only with:

- ``{project}``, ``{decision}``, … : a table of :data:`TABLES`, by its model,
  quoted as an identifier by the database's own ``quote_name``;
- ``{cents:p.projected_low}``, ``{month_index:sm.month}``, … : an expression
  over one column that SQLite and PostgreSQL spell differently (the column
  after the colon must be a plain ``alias.column`` name);
- :class:`Fragment` values given by the caller, themselves made of constants
  only (the process's state ``CASE`` and words, the scope's filter conditions), or
  identifiers quoted by :func:`identifier` / :func:`identifiers`;
- integers (scales, bin counts).

:func:`render` fills a template; :func:`statement` is the short form for a
template over identifiers the caller names (``{table}``, ``{columns}``) and
``{marks}`` placeholders. Values always travel as placeholders
(``%(as_of)s``, ``%s``), never as text.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Sequence

from django.apps import apps
from django.db import connection

from portfolio import process

# The models whose tables the queries read, by the name a template uses.
TABLES = {
    "project": "portfolio.Project",
    "user": "portfolio.User",
    "spend": "portfolio.SpendEntry",
    "spend_month": "portfolio.SpendMonth",
    "outcome": "portfolio.Outcome",
    "artifact": "portfolio.Artifact",
    "artifact_use": "portfolio.ArtifactReuse",
    "adoption": "portfolio.Adoption",
    # What the metrics refresh reads to bring earlier numbers up to date (metrics/incremental.py).
    "data_version": "portfolio.DataVersion",
    "spend_change": "portfolio.SpendChange",
    "project_change": "portfolio.ProjectChange",
    # gates depends on portfolio, never the reverse: reached through the app registry.
    "decision": "gates.GateDecision",
    "gate": "gates.Gate",
    # The decision panel and the deliverables, for the decision-quality section.
    "vote": "gates.Vote",
    "kill_verdict": "gates.KillCriterionVerdict",
    "required_deliverable": "gates.RequiredDeliverable",
    # Each deliverable's table by its kind (``{feasibility_study}``, …), as the process lists them.
    **{deliverable.kind: deliverable.model for deliverable in process.DELIVERABLES},
}

_COLUMN = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?")


class Fragment(str):
    """SQL text made of constants of this package only (never of a value)."""


class _Expression:
    """An expression over one column, spelled per database: ``{name:alias.column}``."""

    def __init__(self, sqlite: str, postgresql: str):
        self.sqlite, self.postgresql = sqlite, postgresql

    def spelled(self, vendor: str) -> _Spelled:
        return _Spelled(self.postgresql if vendor == "postgresql" else self.sqlite)


class _Spelled:
    def __init__(self, pattern: str):
        self.pattern = pattern

    def __format__(self, column: str) -> str:
        if not _COLUMN.fullmatch(column):
            raise ValueError(f"not a column name: {column!r}")
        return self.pattern.replace("COLUMN", column)


EXPRESSIONS = {
    # One money value as integer cents (SQLite hands back a REAL: round it first).
    "cents": _Expression(
        "CAST(ROUND(COLUMN * 100) AS BIGINT)", "CAST(ROUND(COLUMN * 100) AS BIGINT)"
    ),
    # A sum of money as integer cents: numeric sums are exact on PostgreSQL, so it converts
    # once per group rather than once per row.
    "sum_cents": _Expression(
        "SUM(CAST(ROUND(COLUMN * 100) AS INTEGER))", "CAST(SUM(COLUMN) * 100 AS BIGINT)"
    ),
    # A probability as integer ten-thousandths (stored with four decimals).
    "probability": _Expression(
        "CAST(ROUND(COLUMN * 10000) AS BIGINT)", "CAST(ROUND(COLUMN * 10000) AS BIGINT)"
    ),
    # Months since year 0 (year × 12 + month − 1): consecutive months differ by 1.
    # SQLite keeps dates as 'YYYY-MM-DD' text.
    "month_index": _Expression(
        "(CAST(substr(COLUMN, 1, 4) AS INTEGER) * 12 + CAST(substr(COLUMN, 6, 2) AS INTEGER) - 1)",
        "(CAST(EXTRACT(YEAR FROM COLUMN) AS INTEGER) * 12"
        " + CAST(EXTRACT(MONTH FROM COLUMN) AS INTEGER) - 1)",
    ),
    # A date (or the date of a timestamp, in UTC) as a day number: differences are days.
    "day_number": _Expression(
        "CAST(julianday(date(COLUMN)) AS INTEGER)", "(CAST(COLUMN AS date) - DATE '2000-01-01')"
    ),
    # The first day of the month after the date in the column (NULL stays NULL).
    "next_month": _Expression(
        "date(COLUMN, 'start of month', '+1 month')",
        "CAST(date_trunc('month', COLUMN) + interval '1 month' AS date)",
    ),
}


def tables() -> dict[str, Fragment]:
    """Each table name of :data:`TABLES`, quoted for this database."""
    return dict(_tables(connection.vendor))


@functools.cache
def _tables(vendor: str) -> dict[str, Fragment]:
    # Per vendor, as its quoting; the models' tables do not change while the app runs.
    quote = connection.ops.quote_name
    return {
        name: Fragment(quote(apps.get_model(label)._meta.db_table))
        for name, label in TABLES.items()
    }


@functools.cache
def _built_ins(vendor: str) -> dict[str, object]:
    """The tables and the dialect's expressions: what every template may name."""
    return _tables(vendor) | {
        name: expression.spelled(vendor) for name, expression in EXPRESSIONS.items()
    }


@functools.lru_cache(maxsize=1024)
def _fields(template: str) -> frozenset[str]:
    return frozenset(field for _, field, _, _ in string.Formatter().parse(template) if field)


def render(template: str, fragments: dict[str, Fragment | int]) -> Fragment:
    """The template with its braces filled: tables, dialect expressions, the given fragments."""
    values: dict[str, object] = dict(_built_ins(connection.vendor))
    for name, value in fragments.items():
        if not isinstance(value, Fragment | int):
            raise TypeError(f"{name}: only constant SQL fragments and integers go into SQL text")
        values[name] = value
    fields = _fields(template)
    if missing := fields - set(values):
        raise KeyError(f"the template names unknown fragments: {', '.join(sorted(missing))}")
    return Fragment(template.format_map(values))


def identifier(name: str) -> Fragment:
    """A table or column name, quoted for this database."""
    return Fragment(connection.ops.quote_name(name))


def identifiers(names: Sequence[str]) -> Fragment:
    """Names quoted for this database, comma-separated (a column list)."""
    return Fragment(", ".join(identifier(name) for name in names))


def statement(template: str, /, *, marks: int = 0, **names: str | Sequence[str]) -> Fragment:
    """``statement("DELETE FROM {table} WHERE project_id IN ({marks})", table=name, marks=3)``.

    Each ``{name}`` is an identifier (a table or column name, or a list of
    them), quoted; ``{marks}`` is that many ``%s`` placeholders.
    """
    fragments: dict[str, Fragment | int] = {
        key: identifier(value) if isinstance(value, str) else identifiers(value)
        for key, value in names.items()
    }
    if marks:
        fragments["marks"] = Fragment(", ".join(["%s"] * marks))
    return render(template, fragments)


def columns(model, fields: Sequence[str]) -> list[str]:
    """The database columns of a model's fields (by attribute or field name)."""
    return [model._meta.get_field(name).column for name in fields]
