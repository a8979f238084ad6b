"""The dashboard's numbers after a change: the last numbers brought up to date.

Most changes move a few projects' numbers: a spend entry, a decision, a vote, a
deliverable, an outcome month, an artifact and its reuse, a correction. Computing every
section again after each costs the whole statement (about 90 ms at 5,000 projects and 1M
spend rows with its two halves side by side, 150 ms with the panels); bringing the last
numbers up to date costs a statement over the projects that changed.

How it stays exact:

- Every change bumps the data version (portfolio/versioning.py), and says what it changed:
  - a recorded spend entry writes a :class:`~portfolio.models.SpendChange` (its version,
    project, date and cents);
  - a service that changes projects runs inside ``versioning.changing(projects)``, which
    keeps each project's part of every query before the change (the query restricted to
    it) in a :class:`~portfolio.models.ProjectChange` with the versions the change made.
    A change to nothing the numbers read names no project.

  A version neither covers changed something else (an import, an admin's edit): the
  numbers are then computed in full.
- The numbers are kept in this process with the rows the engine read and the data
  version those rows are of. That version is read in the same statement as the rows
  (one snapshot), so it is exactly the data they describe. They are also shared through
  the cache every few versions: a process without numbers of its own (a new gunicorn
  worker) starts from the shared ones.
- To bring them to a newer version, a small statement lists the projects changed since;
  one statement then reads, in one snapshot, the version again, the changes since, and
  every query restricted to those projects (their part now).
- Spend alone: a project's spend is added to its group (bucket, status, how it closed)
  and to the running spend from its month on; the open projects' rows are replaced. No
  other query reads the spend tables (a test checks it).
- Project changes: each query's rows lose each changed project's part before its first
  change since, and gain the changed projects' part now, by the query's rule in
  ``merge.py`` (summed by key, a project's own rows, the running totals). Spend on a
  project no change names is added first by the spend rules (its rows read in a second
  statement, at the same version). Spend on a named project after its first change is in
  its part now; before it, it is in the part taken off too, so it is added first, in the
  group that part puts the project in.
- Each rule refuses what it was not written for (a month before the series' first, a
  largest value a changed project held, a new row in a list whose text order only the
  database knows), and the numbers are then computed in full. So they are after another
  day, a filter, or more than 100 changes.

Only on PostgreSQL, where the engine's queries are one statement: on SQLite they are one
statement per query, so the rows and their version would not be one snapshot.

The kept numbers are also tied to a token in the shared cache: emptying the cache makes every
process compute in full. (A restored backup needs nothing of the kind: its data versions start
above every version before it, portfolio/versioning.py.)
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
from django.utils import timezone

from portfolio import metrics
from portfolio.metrics import calibrated, engine, merge, scope
from portfolio.metrics.engine import Query, Rows
from portfolio.metrics.headline import GROUPS
from portfolio.metrics.open_projects import OPEN_PROJECTS_QUERY
from portfolio.metrics.scope import Scope
from portfolio.metrics.series import SERIES_QUERY

# More spend changes than this since the kept numbers: computing everything is as cheap.
MOST_CHANGES = 100
# The numbers of this many as-of dates are kept in each process.
AS_OF_DATES_KEPT = 4
# The kept numbers are shared through the cache, so that a process without numbers of its own
# (a new gunicorn worker, as each is recycled every 5,000 requests; every process after the
# cache was emptied) brings the last shared ones up to date instead of computing everything:
# at 5,000 projects and 1M spend rows about 13 ms to read against 150–250 ms. A process
# shares its numbers when it computed them in full and when they pass a multiple of this many
# versions (about 12 ms to write), so the shared ones are at most a few changes behind.
SHARE_EVERY = 10
SHARED_SECONDS = 24 * 3600

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
# The projects changed since a version: by recorded spend, or named by a service's change
# (``named``: by at least one).
CHANGED_IDS_QUERY = Query(
    "changed_ids",
    (),
    """
    SELECT project_id, MAX(named) FROM (
        SELECT project_id, 0 AS named FROM {spend_change} WHERE version > %(changed_since)s
        UNION ALL
        SELECT CAST(jsonb_array_elements_text(projects) AS bigint), 1 FROM {project_change}
        WHERE version > %(changed_since)s
    ) changed
    GROUP BY project_id
    """,
    ("project_id", "named"),
)
PROJECT_CHANGE_COUNT_QUERY = Query(
    "project_change_count",
    (),
    "SELECT COUNT(*) FROM {project_change} WHERE version > %(changed_since)s",
    ("changes",),
)
PROJECT_CHANGES_QUERY = Query(
    "project_changes",
    (),
    """
    SELECT version, first_version, as_of, projects, before FROM {project_change}
    WHERE version > %(changed_since)s ORDER BY version LIMIT {most}
    """,
    ("version", "first_version", "as_of", "projects", "before"),
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
    """Drop the kept numbers: this process's, and (a new generation) those shared in the cache
    and kept by the other processes."""
    with _lock:
        _kept.clear()
    cache.delete(_GENERATION_KEY)


def dashboard(checked: Scope) -> tuple[dict[str, Any], Rows]:
    """Every dashboard section over every project as of ``checked.as_of``, and the rows of
    the product managers' calibration records: from the kept numbers when only spend
    changed since, otherwise computed in full."""
    if checked != Scope.of(as_of=checked.as_of):
        raise ValueError("only the dashboard over every project is brought up to date")
    token = generation()
    with _lock:
        kept = _kept.get(checked.as_of)
    if kept is None or kept.generation != token:
        kept = _shared(checked, token)
    found = None if kept is None else _brought_up_to_date(kept, checked)
    computed_in_full = found is None
    if computed_in_full:
        found = _computed(checked)
    found = dataclasses.replace(found, generation=token)
    if connection.vendor == "postgresql" and (
        computed_in_full or found.version // SHARE_EVERY != kept.version // SHARE_EVERY
    ):
        _share(checked.as_of, found)
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
_SHARED_KEY = "greenlight:metrics-kept:{as_of}"


@dataclasses.dataclass(frozen=True)
class _Shared:
    """What a process shares: the engine's rows and their version. The numbers are assembled
    again by the process that reads them (about 10 ms, and rare): pickling them (Decimals by
    the thousand) took four times as long as the rows, on every share."""

    version: int
    rows: Rows
    generation: str


def _shared(checked: Scope, generation: str) -> Kept | None:
    """The numbers a process last shared for ``checked.as_of``, if of this cache's generation."""
    if connection.vendor != "postgresql":
        return None  # nothing is brought up to date there
    try:
        found = cache.get(_SHARED_KEY.format(as_of=checked.as_of.isoformat()))
    except Exception:  # noqa: BLE001 - written by another release, or the cache is gone
        return None
    if isinstance(found, _Shared) and found.generation == generation:
        numbers = metrics.assembled(checked, found.rows, metrics.DASHBOARD)
        return Kept(found.version, numbers, found.rows, found.generation)
    return None


def _share(as_of: datetime.date, kept: Kept) -> None:
    shared = _Shared(kept.version, kept.rows, kept.generation)
    cache.set(_SHARED_KEY.format(as_of=as_of.isoformat()), shared, SHARED_SECONDS)


def generation() -> str:
    """The shared cache's token, made anew when the cache was emptied (:func:`forget`): what a
    process keeps of a data version is of this token, or forgotten."""
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


def changes_as_of() -> datetime.date:
    """The as-of date of the parts a service keeps before its change: today's, the
    dashboard's default (numbers kept for other dates are computed in full after it)."""
    return timezone.localdate()


def part_of(project_id: int, as_of: datetime.date) -> Rows:
    """What one project adds to every query of the dashboard's numbers as of ``as_of``:
    each query run with the scope restricted to it (PostgreSQL: one statement)."""
    restricted = Scope(as_of=as_of, projects=(project_id,))
    return engine.fetch(
        restricted, scope.SHARED, merge.queries().values(), scope.fragments(restricted)
    )


def _brought_up_to_date(kept: Kept, checked: Scope) -> Kept | None:
    if connection.vendor != "postgresql":
        return None
    # First the projects changed since (a small statement), then everything else restricted
    # to them by their ids, which the planner sees (index lookups, not scans). The second
    # statement reads the version again: when it moved in between, the numbers are computed
    # in full (the changes it read would not be those the rows were restricted to).
    changed = dataclasses.replace(checked, changed_since=kept.version)
    listed = engine.fetch(
        changed,
        scope.SHARED,
        (DATA_VERSION_QUERY, CHANGED_IDS_QUERY, PROJECT_CHANGE_COUNT_QUERY),
        scope.fragments(changed),
    )
    version = _version(listed)
    if version == kept.version:
        return kept
    listed_ids = listed[CHANGED_IDS_QUERY.name]
    if version < kept.version or len(listed_ids) > MOST_CHANGES:
        return None
    project_changes = int(listed[PROJECT_CHANGE_COUNT_QUERY.name][0]["changes"])
    if not listed_ids and not project_changes:
        return None  # new versions that say nothing of what they changed (an import)
    ids = tuple(sorted(int(row["project_id"]) for row in listed_ids))
    if not project_changes:
        # Spend alone moves only the queries that read it: the others are not read again.
        read = _read_restricted(changed, ids, SPEND_QUERIES)
        if _version(read) != version:
            return None
        changes = read[SPEND_CHANGES_QUERY.name]
        if {int(c["version"]) for c in changes} != set(range(kept.version + 1, version + 1)):
            return None  # something other than spend changed (or too much did)
        rows = _merged(kept.rows, read, changes, checked.as_of)
    else:
        # The projects services named, read by every query; the projects that only had
        # spend recorded, by the queries spend moves (a second statement: the same version
        # read in both means no change came in between).
        named = tuple(sorted(int(r["project_id"]) for r in listed_ids if int(r["named"])))
        spend_only = tuple(sorted(set(ids) - set(named)))
        read = _read_restricted(changed, named, tuple(merge.queries().values()))
        spent = (
            _read_restricted(changed, spend_only, SPEND_QUERIES, with_changes=False)
            if spend_only
            else None
        )
        if _version(read) != version or (spent is not None and _version(spent) != version):
            return None
        rows = _projects_merged(kept, read, spent, checked.as_of, version)
    if rows is None:
        return None
    return Kept(version, _assembled(kept, rows, checked), rows)


def _read_restricted(
    changed: Scope, ids: tuple[int, ...], queries: tuple[Query, ...], *, with_changes: bool = True
) -> Rows:
    """The data version, the projects ``ids``' groups and ``queries`` over them, and (unless
    read already in another statement) the changes since ``changed.changed_since``."""
    restricted = dataclasses.replace(changed, projects=ids)
    changes = (SPEND_CHANGES_QUERY, PROJECT_CHANGES_QUERY) if with_changes else ()
    return engine.fetch(
        restricted,
        scope.SHARED,
        (DATA_VERSION_QUERY, *changes, CHANGED_PROJECTS_QUERY, *queries),
        scope.fragments(restricted),
    )


def _projects_merged(
    kept: Kept, read: Rows, spent: Rows | None, as_of: datetime.date, version: int
) -> Rows | None:
    """The kept rows with the changes services said they made to a few projects: each
    set's part before taken off and the part of all of them now put in (``merge``).

    ``read`` has the named projects' parts now; ``spent`` those of the projects that only
    had spend recorded, added by the spend rules first (:func:`_merged`)."""
    changes = read[PROJECT_CHANGES_QUERY.name]
    if len(changes) > MOST_CHANGES:
        return None
    covered: dict[int, frozenset[int]] = {}  # each data version: the projects it changed
    # Each project's part before the first change to it: its part in the kept numbers, as
    # no change since touched it (a change names every project whose part it moves).
    first_before: dict[int, Rows] = {}
    first_named: dict[int, int] = {}  # each project: the first version a change to it made
    for change in changes:  # in the order of their versions
        if _date(change["as_of"]) != as_of or int(change["first_version"]) <= kept.version:
            return None
        projects = frozenset(int(p) for p in change["projects"])
        for number in range(int(change["first_version"]), int(change["version"]) + 1):
            covered[number] = projects
        for project in projects:
            first_named.setdefault(project, int(change["first_version"]))
        for project, part in change["before"].items():
            first_before.setdefault(int(project), part)
    spend = read[SPEND_CHANGES_QUERY.name]
    if len(spend) > MOST_CHANGES:
        return None
    alone = []  # spend on projects no change names: added by the spend rules
    early = []  # spend on a named project before the first change to it
    for change in spend:
        project, number = int(change["project_id"]), int(change["version"])
        if project not in first_named:
            alone.append(change)
        elif number < first_named[project]:
            # In that change's part before but not in the kept numbers: added to them first
            # (in the group the part before puts the project in), so that taking the part
            # off takes it off again.
            early.append(change)
        elif number in covered and project not in covered[number]:
            return None
        # Otherwise after its project's first change: in the part now, not in the part before.
    if covered.keys() | {int(c["version"]) for c in spend} != set(
        range(kept.version + 1, version + 1)
    ):
        return None  # something else changed too
    base = kept.rows
    if alone:
        if spent is None:
            return None
        base = _merged(kept.rows, spent, alone, as_of)
        if base is None:
            return None
    if early:
        before = _as_before(early, first_before, base)
        base = None if before is None else _merged(base, before, early, as_of)
        if base is None:
            return None
    in_byte_order = _text_in_byte_order()
    rows = dict(base)
    for name, query in merge.queries().items():
        found = merge.merged(
            base[name],
            [before[name] for before in first_before.values()],
            read[name],
            query,
            text_in_byte_order=in_byte_order,
        )
        if found is None:
            return None
        rows[name] = found
    rows[DATA_VERSION_QUERY.name] = read[DATA_VERSION_QUERY.name]
    return rows


def _as_before(early: list[dict], first_before: dict[int, Rows], base: Rows) -> Rows | None:
    """What the spend rules read for spend on named projects before their first change: each
    project's group as its part before has it (none: not in the scope then, so the spend is
    in no number), and no open project's row (the project merge replaces those)."""
    groups = []
    for project in {int(change["project_id"]) for change in early}:
        if project not in first_before:
            return None
        for row in first_before[project][GROUPS.name]:  # one at most: the project's group
            groups.append({"id": project, **{name: row[name] for name in GROUP_KEY}})
    return {
        CHANGED_PROJECTS_QUERY.name: groups,
        OPEN_PROJECTS_QUERY.name: [],
        DATA_VERSION_QUERY.name: base[DATA_VERSION_QUERY.name],
    }


_byte_order: dict[str, bool] = {}


def _text_in_byte_order() -> bool:
    """Whether the database orders text by code point (collation "C"), as Python does."""
    alias = connection.alias
    if alias not in _byte_order:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()"
                " AND datlocprovider = 'c'"
            )
            found = cursor.fetchone()
        _byte_order[alias] = found is not None and found[0] in ("C", "POSIX")
    return _byte_order[alias]


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


def _assembled(kept: Kept, rows: Rows, checked: Scope) -> dict[str, Any]:
    """The sections that read rows that changed assembled again; the others as they were."""
    numbers = dict(kept.numbers)
    for section in metrics.SECTIONS:
        if any(rows[query.name] is not kept.rows[query.name] for query in section.queries):
            numbers[section.name] = section.assemble(rows, checked)
    return numbers


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
