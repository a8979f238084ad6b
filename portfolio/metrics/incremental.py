"""The dashboard's numbers after recorded spend: the last numbers brought up to date.

Recording a spend entry is the portfolio's most frequent change, and it moves only
what spend moves: each project's spend to date (the headline, the buckets, the funnel's
sunk cost), the running spend by month (the series) and the open projects' spend
(risk, zombies). Computing every section again after each entry costs the whole
statement (about 150 ms at 5,000 projects and 1M spend rows); bringing the last
numbers up to date costs a statement over the projects that changed.

How it stays exact:

- Every change bumps the data version (portfolio/versioning.py); a recorded spend entry
  also writes a :class:`~portfolio.models.SpendChange` with its version, project, date
  and cents, in the same transaction. A version with no such row changed something else.
- The numbers are kept in this process with the rows the engine read and the data
  version those rows are of. That version is read in the same statement as the rows
  (one snapshot), so it is exactly the data they describe.
- To bring them to a newer version, one statement reads, in one snapshot, the current
  version, the spend changes since the kept one, and the group and open-project row of
  each project those changes are for. Unless every version in between is a spend
  change, the numbers are computed in full.
- The rows of the queries that read spend are merged: a project's spend is added to its
  group (bucket, status, how it closed) and to the running spend from its month on; the
  open projects' rows are replaced by their new ones. No other query reads the spend
  tables (a test checks it, so a new one cannot go unnoticed), so their rows and
  the sections that read only them are kept. Each merge rule refuses what it was not
  written for (a month before the series' first, a project missing from its group)
  and the numbers are then computed in full.

Only on PostgreSQL, where the engine's queries are one statement: on SQLite they are one
statement per query, so the rows and their version would not be one snapshot.

The kept numbers are also tied to a token in the shared cache: emptying the cache (as after
restoring a backup, when data versions start over) makes every process compute in full.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
import threading
from collections import defaultdict
from typing import Any

from django.core.cache import cache
from django.db import connection

from portfolio import metrics
from portfolio.metrics import calibrated, engine, scope
from portfolio.metrics.engine import Query, Rows
from portfolio.metrics.headline import GROUPS
from portfolio.metrics.open_projects import OPEN_PROJECTS_QUERY
from portfolio.metrics.scope import Scope
from portfolio.metrics.series import SERIES_QUERY

# More spend changes than this since the kept numbers: computing everything is as cheap.
MOST_CHANGES = 100
# The numbers of this many as-of dates are kept in each process.
AS_OF_DATES_KEPT = 4

DATA_VERSION_QUERY = Query(
    "data_version", (), "SELECT number FROM {data_version} WHERE id = 1", ("number",)
)
SPEND_CHANGES_QUERY = Query(
    "spend_changes",
    (),
    """
    SELECT version, project_id, spent_on, cents FROM {spend_change}
    WHERE version > %(changed_since)s ORDER BY version, id LIMIT {most}
    """,
    ("version", "project_id", "spent_on", "cents"),
    constants={"most": MOST_CHANGES + 1},
)
# Each changed project's group in GROUPS (and whether it is in the scope at all).
CHANGED_PROJECTS_QUERY = Query(
    "changed_projects",
    (),
    "SELECT id, bucket, status, closed_gate FROM state",
    ("id", "bucket", "status", "closed_gate"),
)
# The queries whose rows read the spend tables, merged by the rules below.
SPEND_QUERIES = (GROUPS, SERIES_QUERY, OPEN_PROJECTS_QUERY)
GROUP_KEY = ("bucket", "status", "closed_gate")


@dataclasses.dataclass(frozen=True)
class Kept:
    """The dashboard's numbers at one data version, with the engine's rows they came from."""

    version: int
    numbers: dict[str, Any]
    rows: Rows
    generation: str = ""  # the shared cache's token when they were computed


_kept: dict[datetime.date, Kept] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop the kept numbers (tests, and a database restored from a backup)."""
    with _lock:
        _kept.clear()


def dashboard(checked: Scope) -> tuple[dict[str, Any], Rows]:
    """Every dashboard section over every project as of ``checked.as_of``, and the rows of
    the product managers' calibration records: from the kept numbers when only spend
    changed since, otherwise computed in full."""
    if checked != Scope.of(as_of=checked.as_of):
        raise ValueError("only the dashboard over every project is brought up to date")
    generation = _generation()
    with _lock:
        kept = _kept.get(checked.as_of)
    if kept is not None and kept.generation == generation:
        found = _brought_up_to_date(kept, checked)
    else:
        found = None
    if found is None:
        found = _computed(checked)
    found = dataclasses.replace(found, generation=generation)
    with _lock:
        latest = _kept.pop(checked.as_of, None)
        _kept[checked.as_of] = (
            found if latest is None or latest.version <= found.version else latest
        )
        # A few as-of dates (today's, and dates readers look back at), the latest used last.
        while len(_kept) > AS_OF_DATES_KEPT:
            del _kept[next(iter(_kept))]
    return found.numbers, found.rows


_GENERATION_KEY = "greenlight:metrics-generation"


def _generation() -> str:
    """The shared cache's token, made anew when the cache was emptied."""
    token = cache.get(_GENERATION_KEY)
    if token is None:
        cache.add(_GENERATION_KEY, secrets.token_hex(8), None)
        # Another process may have added its own first: use the one the cache kept. With
        # the cache out of reach, a token of this call's own: nothing kept is used.
        token = cache.get(_GENERATION_KEY) or secrets.token_hex(8)
    return token


def _computed(checked: Scope) -> Kept:
    # The data version only where the numbers can be brought up to date (one snapshot).
    also = (DATA_VERSION_QUERY,) if connection.vendor == "postgresql" else ()
    numbers, rows = metrics.compute_with(
        checked, metrics.DASHBOARD, (calibrated.RECORDS_QUERY, *also)
    )
    return Kept(_version(rows), numbers, rows)


def _version(rows: Rows) -> int:
    found = rows.get(DATA_VERSION_QUERY.name)
    return int(found[0]["number"]) if found else 0


def version_of(rows: Rows) -> int | None:
    """The data version :func:`dashboard`'s rows were read at, when read with them (PostgreSQL)."""
    return _version(rows) if DATA_VERSION_QUERY.name in rows else None


def _brought_up_to_date(kept: Kept, checked: Scope) -> Kept | None:
    if connection.vendor != "postgresql":
        return None
    changed = dataclasses.replace(checked, changed_since=kept.version)
    read = engine.fetch(
        changed,
        scope.SHARED,
        (DATA_VERSION_QUERY, SPEND_CHANGES_QUERY, CHANGED_PROJECTS_QUERY, OPEN_PROJECTS_QUERY),
        scope.fragments(changed),
    )
    version = _version(read)
    if version == kept.version:
        return kept
    changes = read[SPEND_CHANGES_QUERY.name]
    if version < kept.version or {int(c["version"]) for c in changes} != set(
        range(kept.version + 1, version + 1)
    ):
        return None  # something other than spend changed (or too much did)
    rows = _merged(kept.rows, read, changes, checked.as_of)
    if rows is None:
        return None
    return Kept(version, _assembled(kept.numbers, rows, checked), rows)


def _merged(kept: Rows, read: Rows, changes: list[dict], as_of: datetime.date) -> Rows | None:
    """The kept rows with the spend changes in, or None when a rule does not apply."""
    in_scope = {int(row["id"]): row for row in read[CHANGED_PROJECTS_QUERY.name]}
    by_project: dict[int, int] = defaultdict(int)
    by_month: dict[int, int] = defaultdict(int)
    for change in changes:
        project_id, spent_on = int(change["project_id"]), _date(change["spent_on"])
        # Spend after A, or of a project not submitted by A, is in no number as of A.
        if project_id in in_scope and spent_on <= as_of:
            by_project[project_id] += int(change["cents"])
            by_month[spent_on.year * 12 + spent_on.month - 1] += int(change["cents"])

    groups = [dict(row) for row in kept[GROUPS.name]]
    for project_id, cents in by_project.items():
        key = tuple(in_scope[project_id][name] for name in GROUP_KEY)
        group = next((g for g in groups if tuple(g[name] for name in GROUP_KEY) == key), None)
        if group is None:
            return None
        group["spend_c"] = int(group["spend_c"]) + cents

    series = [dict(row) for row in kept[SERIES_QUERY.name]]
    for month, cents in by_month.items():
        # The series starts at the earliest month with anything in it: spend before that
        # month would start it earlier.
        if not series or month < int(series[0]["month_index"]):
            return None
        for row in series:
            if int(row["month_index"]) >= month:
                row["spend_c"] = int(row["spend_c"]) + cents

    # Spend moves no project in or out of the open ones: each changed open project's row
    # is replaced where it was (the rows keep the statement's order).
    fresh = {row["key"]: row for row in read[OPEN_PROJECTS_QUERY.name]}
    open_rows = list(kept[OPEN_PROJECTS_QUERY.name])
    replaced = 0
    for index, row in enumerate(open_rows):
        if row["key"] in fresh:
            open_rows[index] = fresh[row["key"]]
            replaced += 1
    if replaced != len(fresh):
        return None

    return {
        **kept,
        GROUPS.name: groups,
        SERIES_QUERY.name: series,
        OPEN_PROJECTS_QUERY.name: open_rows,
        DATA_VERSION_QUERY.name: read[DATA_VERSION_QUERY.name],
    }


def _assembled(kept: dict[str, Any], rows: Rows, checked: Scope) -> dict[str, Any]:
    """The sections that read a merged query assembled again; the others as they were."""
    merged = {query.name for query in SPEND_QUERIES}
    numbers = dict(kept)
    for section in metrics.SECTIONS:
        if any(query.name in merged for query in section.queries):
            numbers[section.name] = section.assemble(rows, checked)
    return numbers


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
