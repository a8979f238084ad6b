"""How the rows of each dashboard query change when a few projects change.

The metrics refresh (``incremental.py``) keeps the engine's rows over every project. When
a service changed projects U, it kept what U added to every query before its change (the
query run with the scope restricted to U, "before"); the refresh reads what U adds now
("after"). Each query's rows are brought up to date by a rule that says how one project's
part sits in them:

- :class:`Added`: rows summed over projects, one per key (a gate, a bucket and status, a
  product manager). U's part before is taken off and U's part now added; a row whose count
  falls to zero goes, as a fresh computation would not return it. A largest value (``MAX``)
  cannot be taken off: when U held it, the rule refuses.
- :class:`PerProject`: rows of one project each (or a block of rows), named by a column.
  U's rows are replaced where they were, or taken out; a project's new rows go where the
  query's order puts them, when this process can tell that order.
- :class:`Running`: the running totals by month. U's part runs from U's first month on.
  The series starts at the earliest month with anything in it, so the rule refuses when U
  would start it earlier or may have been what started it.

A rule refuses (returns None) whatever it was not written for, and the numbers are then
computed in full. Rows that do not change are returned as the same list, so the sections
that read only them (and their panels) are kept.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from portfolio.metrics import SECTIONS, calibrated
from portfolio.metrics.engine import Query

Row = dict[str, Any]


@dataclass(frozen=True)
class Added:
    key: tuple[str, ...]
    # The count that says a row is there (None: the query returns exactly one row).
    count: str | None
    largest: tuple[str, ...] = ()


@dataclass(frozen=True)
class PerProject:
    column: str  # names the project; the query's rows are ordered by it first


@dataclass(frozen=True)
class Running:
    month: str


RULES: dict[str, Added | PerProject | Running] = {
    "groups": Added(("bucket", "status", "closed_gate"), "projects"),
    "outcomes": Added((), None),
    "funnel": Added(("gate",), "reached"),
    "series": Running("month_index"),
    "calibration": Added(("pm_email",), "projects"),
    "scored_projects": PerProject("id"),
    "scored_gos": PerProject("project_id"),
    "asset_kinds": Added(("kind",), "artifacts"),
    "asset_reuse": Added((), None),
    "adoption": Added((), None),
    "open_projects": PerProject("key"),
    "reliability": Added(("bin",), "forecasts"),
    "outcome_details": PerProject("key"),
    "decision_panel_gatekeepers": Added(("gatekeeper",), "votes"),
    "decision_panel_overrides": PerProject("key"),
    "decision_panel_waits": Added(("gate",), "decisions", largest=("longest",)),
    "calibration_records": Added(("pm_email",), "forecasts"),
}


@functools.cache
def queries() -> dict[str, Query]:
    """Every query the dashboard's numbers are assembled from, by name (worked out once)."""
    found = {query.name: query for section in SECTIONS for query in section.queries}
    found[calibrated.RECORDS_QUERY.name] = calibrated.RECORDS_QUERY
    return found


def merged(
    kept: list[Row],
    befores: list[list[Row]],
    after: list[Row],
    query: Query,
    *,
    text_in_byte_order: bool,
) -> list[Row] | None:
    """``kept`` with each changed set's part before taken off and the part now put in.

    ``befores`` holds one list of rows per set of projects a change named (their parts
    add up); ``after`` is the part of all of them now. None when the rule refuses.
    """
    rule = RULES[query.name]
    if isinstance(rule, Added):
        found = _added(rule, query, kept, [row for rows in befores for row in rows], after)
    elif isinstance(rule, PerProject):
        found = _per_project(
            rule, kept, [row for rows in befores for row in rows], after, text_in_byte_order
        )
    else:
        found = _running(rule, query, kept, befores, after)
    if found is not None and found == kept:
        return kept  # the same list: what reads only it is kept too
    return found


def _number(value: Any) -> int:
    return int(value or 0)


def _added(
    rule: Added, query: Query, kept: list[Row], before: list[Row], after: list[Row]
) -> list[Row] | None:
    summed = [c for c in query.columns if c not in rule.key and c not in rule.largest]

    def key(row: Row) -> tuple:
        return tuple(row[c] for c in rule.key)

    by_key = {key(row): row for row in kept}
    taken: dict[tuple, list[Row]] = defaultdict(list)
    for row in before:
        taken[key(row)].append(row)
    put: dict[tuple, list[Row]] = defaultdict(list)
    for row in after:
        put[key(row)].append(row)
    if any(k not in by_key for k in taken):
        return None  # a part that is not in the numbers: they are not what it was taken from
    new_keys = [k for k in put if k not in by_key]
    result = []
    for k in [*by_key, *new_keys]:
        base = by_key.get(k)
        row = dict(base) if base is not None else dict(put[k][0])
        for column in summed:
            row[column] = (
                (_number(base[column]) if base is not None else 0)
                - sum(_number(r[column]) for r in taken[k])
                + sum(_number(r[column]) for r in put[k])
            )
        for column in rule.largest:
            largest = _largest(base, taken[k], put[k], column)
            if largest is _UNKNOWN:
                return None
            row[column] = largest
        if rule.count is not None:
            if row[rule.count] < 0:
                return None
            if row[rule.count] == 0:
                continue  # no project left in the row: a fresh computation has none
        result.append(row)
    if rule.count is None and len(result) != 1:
        return None
    return result


_UNKNOWN = object()


def _largest(base: Row | None, taken: list[Row], put: list[Row], column: str) -> Any:
    values = [r[column] for r in put if r[column] is not None]
    if base is None or base[column] is None:
        return max(values, default=None)
    held = base[column]
    if any(r[column] is not None and r[column] >= held for r in taken):
        # The changed projects held the largest: what the others hold is not known, unless
        # the changed projects still hold at least as much.
        return max(values) if values and max(values) >= held else _UNKNOWN
    return max([held, *values])


def _per_project(
    rule: PerProject, kept: list[Row], before: list[Row], after: list[Row], text_in_byte_order: bool
) -> list[Row] | None:
    column = rule.column
    was = {row[column] for row in before}
    if sum(1 for row in kept if row[column] in was) != len(before):
        return None  # the kept rows are not what the part was taken from
    blocks: dict[Any, list[Row]] = defaultdict(list)
    for row in after:
        blocks[row[column]].append(row)
    if any(row[column] in blocks and row[column] not in was for row in kept):
        return None
    result: list[Row] = []
    for row in kept:
        name = row[column]
        if name in was:
            # The project's rows now, where its old ones were (its first row's place).
            result.extend(blocks.pop(name, ()))
            continue
        result.append(row)
    # Projects with rows only now: where the query's order (its first column) puts them.
    for name, rows in sorted(blocks.items(), key=lambda item: item[0]):
        if not _comparable(name, text_in_byte_order):
            return None
        at = next((i for i, row in enumerate(result) if row[column] > name), len(result))
        result[at:at] = rows
    return result


def _comparable(value: Any, text_in_byte_order: bool) -> bool:
    """Whether Python orders ``value`` as the database does: integers always, text only under
    a collation in byte order ("C"), where each code point sorts by its number."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and text_in_byte_order


def _running(
    rule: Running, query: Query, kept: list[Row], befores: list[list[Row]], after: list[Row]
) -> list[Row] | None:
    if not kept:
        return None
    month = rule.month
    first = int(kept[0][month])
    if after and int(after[0][month]) < first:
        return None  # the series would start earlier
    if any(rows and int(rows[0][month]) == first for rows in befores) and not (
        after and int(after[0][month]) == first
    ):
        return None  # the changed projects may have been what started the series
    totals = [c for c in query.columns if c != month]

    def by_month(rows: list[Row]) -> dict[int, Row]:
        return {int(row[month]): row for row in rows}

    taken = [by_month(rows) for rows in befores]
    put = by_month(after)
    months = {int(row[month]) for row in kept}
    if any(not part.keys() <= months for part in [*taken, put]):
        return None  # each part runs to A's month, as the kept series does
    result = []
    for row in kept:
        m = int(row[month])
        new = dict(row)
        for column in totals:
            # Each part runs from its own first month to A's: before that it adds nothing.
            new[column] = (
                _number(row[column])
                - sum(_number(part[m][column]) for part in taken if m in part)
                + (_number(put[m][column]) if m in put else 0)
            )
        result.append(new)
    return result
