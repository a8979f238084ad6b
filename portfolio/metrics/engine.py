"""The engine: queries held as data, run in a fixed number of statements, assembled by section.

A :class:`CTE` is a named common table expression and the ones it reads. A
:class:`Query` is the CTEs its final ``SELECT`` reads, that ``SELECT``, and
the names of its columns. A :class:`Section` is one key of the result: the
queries it reads and how it turns their rows into its value, with its lines
in the terminal summary and its CSV download. Sections live in the modules
beside this one and are listed in ``portfolio.metrics.SECTIONS``.

:func:`run` works out the rows of every query the asked-for sections read:

- on SQLite, one statement per query, each with the CTEs it needs;
- on PostgreSQL, one statement for all of them: every CTE once (so each
  project's state as of A is ranked and worked out once, not once per query),
  and each query's rows returned as a JSON array of arrays under its name.
  Values travel as JSON integers and strings: money is already integer cents.
  Over the whole portfolio, outside a transaction, two such statements side by side
  in one snapshot: the queries that read a CTE marked ``apart`` (each project's spend
  up to A), and the others (``side_by_side.py``).

No SQL is split or parsed: statements are put together from the parts held
here, through ``sql.render``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from portfolio.metrics import side_by_side
from portfolio.sql_text import Fragment, render

if TYPE_CHECKING:
    from portfolio.metrics.scope import Scope

Rows = dict[str, list[dict[str, Any]]]  # query name -> its rows, each a dict by column name


@dataclass(frozen=True)
class CTE:
    """``name[columns] AS (sql)``; ``needs`` are the CTEs its ``sql`` reads (beyond the shared ones)."""

    name: str
    sql: str
    needs: tuple[CTE, ...] = ()
    columns: str = ""  # "(m)": only a recursive CTE needs to name its columns
    constants: dict[str, int] = field(default_factory=dict)  # integers its braces name
    # Over the whole portfolio on PostgreSQL, the queries that read a CTE marked ``apart``
    # make one statement and the others another, run side by side (side_by_side.py).
    apart: bool = False


@dataclass(frozen=True)
class Query:
    name: str
    ctes: tuple[CTE, ...]
    select: str
    columns: tuple[str, ...]
    constants: dict[str, int] = field(default_factory=dict)  # integers its braces name
    # Placeholders of its own beyond the scope's (``%(as_of)s``, …), from the scope.
    params: Callable[[Scope], dict[str, Any]] | None = None
    # Run with the queries that read a CTE marked ``apart`` though it reads none: to balance
    # the two statements (the funnel, ≈ 6 ms, reads only the shared CTEs, which both work out
    # anyway). That statement is read first, and is meant to end a few milliseconds before
    # the other: the calling thread assembles its sections meanwhile (``fetch``).
    apart: bool = False


@dataclass(frozen=True)
class CsvTable:
    """A section's CSV download: its file name, columns and rows (from the section's value)."""

    name: str
    columns: tuple[str, ...]
    rows: Callable[[Any], Iterable[dict]] = list


@dataclass(frozen=True)
class Section:
    """One key of the result; see the package's docstring for how to add one."""

    name: str
    queries: tuple[Query, ...]
    # The section's value, from the rows of its queries and the scope.
    assemble: Callable[[Rows, Scope], Any]
    # Part of metrics.md's JSON: the API and ``portfolio_metrics --format json`` show it.
    in_spec: bool = False
    # Its lines in ``portfolio_metrics --format text`` (none: not shown there).
    text: Callable[[Any], list[str]] | None = None
    csv: tuple[CsvTable, ...] = field(default_factory=tuple)


# --- Putting statements together ------------------------------------------------------------


_WITH = "WITH RECURSIVE {ctes} {select}"
_CTE = "{name}{columns} AS ({body})"
# One query's rows inside the PostgreSQL statement: a JSON array of arrays, in column order.
_JSON_ROWS = (
    "{label}, (SELECT COALESCE(json_agg(json_build_array({row}) ORDER BY {row}), '[]')"
    " FROM ({select}) AS q({columns}))"
)
_JSON_OBJECT = "SELECT json_build_object({parts})"


def _in_order(shared: tuple[CTE, ...], queries: Iterable[Query]) -> list[CTE]:
    """The shared CTEs, then every CTE the queries need, each after those it reads, once."""
    ordered: list[CTE] = list(shared)

    def add(cte: CTE) -> None:
        if cte in ordered:
            return
        for need in cte.needs:
            add(need)
        ordered.append(cte)

    for query in queries:
        for cte in query.ctes:
            add(cte)
    names = [cte.name for cte in ordered]
    if len(set(names)) != len(names):
        raise ValueError(f"two different CTEs share a name: {sorted(names)}")
    return ordered


def _with(ctes: list[CTE], select: Fragment, fragments: dict) -> Fragment:
    parts = [
        render(
            _CTE,
            {
                "name": Fragment(cte.name),
                "columns": Fragment(cte.columns),
                "body": render(cte.sql, fragments | cte.constants),
            },
        )
        for cte in ctes
    ]
    return render(_WITH, {"ctes": Fragment(", ".join(parts)), "select": select})


def _select(query: Query, fragments: dict) -> Fragment:
    return render(query.select, fragments | query.constants)


def statement(shared: tuple[CTE, ...], query: Query, fragments: dict) -> Fragment:
    """One query on its own: the CTEs it needs, then its ``SELECT``."""
    return _with(_in_order(shared, [query]), _select(query, fragments), fragments)


def combined_statement(shared: tuple[CTE, ...], queries: list[Query], fragments: dict) -> Fragment:
    """Every query in one statement, returning ``{query name: [[column, …], …]}`` as JSON."""
    parts = []
    for query in queries:
        columns = [f"c{i}" for i in range(len(query.columns))]
        parts.append(
            render(
                _JSON_ROWS,
                {
                    "label": Fragment(f"'{query.name}'"),
                    "row": Fragment(", ".join(f"q.{c}" for c in columns)),
                    "select": _select(query, fragments),
                    "columns": Fragment(", ".join(columns)),
                },
            )
        )
    select = render(_JSON_OBJECT, {"parts": Fragment(", ".join(parts))})
    return _with(_in_order(shared, queries), select, fragments)


# --- Running them -------------------------------------------------------------------------


def fetch(
    scope: Scope,
    shared: tuple[CTE, ...],
    queries: Iterable[Query],
    fragments: dict,
    first_rows: Callable[[Rows], None] | None = None,
) -> Rows:
    """{query name: its rows} for ``queries``: one statement per query on SQLite, one in all on PostgreSQL.

    When the queries run as two statements side by side, ``first_rows`` (if given) is called
    with the first statement's rows as soon as they are read, while the second still runs."""
    unique: dict[str, Query] = {}
    for query in queries:
        if unique.setdefault(query.name, query) != query:
            raise ValueError(f"two different queries are named {query.name!r}")
    params = scope.params()
    for query in unique.values():
        if query.params is not None:
            params |= query.params(scope)

    def named(sql: Fragment) -> dict[str, Any]:
        # Each statement is given just the placeholders it names.
        return {k: v for k, v in params.items() if f"%({k})s" in sql}

    def execute(cursor, sql: Fragment) -> None:
        cursor.execute(sql, named(sql))

    rows: Rows = {}

    def decoded(by_name: dict[str, list], names: Iterable[str]) -> None:
        for name in names:
            rows[name] = [
                dict(zip(unique[name].columns, row, strict=True)) for row in by_name[name]
            ]

    if connection.vendor == "postgresql":
        halves = _halves(list(unique.values())) if scope.projects is None else None
        if halves is not None and side_by_side.usable():
            statements = [combined_statement(shared, half, fragments) for half in halves]

            def first_done(found: dict[str, list]) -> None:
                decoded(found, (query.name for query in halves[0]))
                if first_rows is not None:
                    first_rows(dict(rows))

            values = side_by_side.first_values(
                [(sql, named(sql)) for sql in statements], first_done
            )
            decoded(values[1], (query.name for query in halves[1]))
            return rows
        # In a transaction of its own (or the caller's), so that the JIT stays off for it.
        within = contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic()
        with within, connection.cursor() as cursor:
            cursor.execute(side_by_side.NO_JIT)
            execute(cursor, combined_statement(shared, list(unique.values()), fragments))
            decoded(cursor.fetchone()[0], unique)
        return rows
    with connection.cursor() as cursor:
        for name, query in unique.items():
            execute(cursor, statement(shared, query, fragments))
            rows[name] = [dict(zip(query.columns, row, strict=True)) for row in cursor.fetchall()]
    return rows


def _halves(queries: list[Query]) -> tuple[list[Query], list[Query]] | None:
    """The queries that read a CTE marked ``apart`` (or are marked so themselves), and the
    others; None when either is none."""

    def apart(cte: CTE) -> bool:
        return cte.apart or any(apart(need) for need in cte.needs)

    first = [query for query in queries if query.apart or any(apart(cte) for cte in query.ctes)]
    second = [query for query in queries if query not in first]
    return (first, second) if first and second else None


def run(
    scope: Scope, shared: tuple[CTE, ...], sections: Iterable[Section], fragments: dict
) -> dict[str, Any]:
    """{section name: its value} for ``sections``, in a fixed number of statements."""
    return run_with(scope, shared, sections, fragments)[0]


def run_with(
    scope: Scope,
    shared: tuple[CTE, ...],
    sections: Iterable[Section],
    fragments: dict,
    also: Iterable[Query] = (),
) -> tuple[dict[str, Any], Rows]:
    """:func:`run`, and the rows of the queries ``also`` names, read in the same statements."""
    sections = list(sections)
    queries = [query for section in sections for query in section.queries] + list(also)
    # The sections whose rows all come from the statement read first are assembled while
    # the other statement still runs (``fetch``'s ``first_rows``).
    early: dict[str, Any] = {}

    def first_rows(found: Rows) -> None:
        for section in sections:
            if all(query.name in found for query in section.queries):
                early[section.name] = section.assemble(found, scope)

    rows = fetch(scope, shared, queries, fragments, first_rows)
    return {
        section.name: early[section.name]
        if section.name in early
        else section.assemble(rows, scope)
        for section in sections
    }, rows
