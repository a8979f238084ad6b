"""The portfolio's data version: what cached dashboard numbers are keyed by.

Every write path writes the audit trail (portfolio.audit.record, or the
importer's bulk entries), and the audit trail bumps this counter in the same
transaction. The UPDATE takes a row lock, so a reader that sees version n sees
every change committed with a version up to n: a cache keyed by the version is
never stale, and the dashboard's cost at a given version is paid once per
app server process, not once per request.

The price: the counter is one row, so the writes serialize on it. Two audited
changes in flight at once each update that row, and the second waits for the
first to commit (on PostgreSQL, the row lock; on SQLite every write is serial
anyway). That is fine here because:

- the bump comes with the audit entry, at the end of a service's work, so the
  lock is held only from there to the commit, milliseconds for a spend entry; a
  service that says which projects it changes (:func:`changing`, on PostgreSQL)
  takes it when it starts, after the projects' rows, and holds it for its work
  (some 40 ms for a decision, most of it keeping the project's part before);
- writes are made by people (a decision, a spend entry, a deliverable), a few
  a second at the most, while reads (the pages, the dashboard, the API) take no
  lock on the row at all;
- the one long writer, an import, bumps the version once, after writing
  everything, so it too holds the row only for its last moments.

If writes ever came by the hundred a second, a version per table or a cache
keyed by time would trade this exactness for throughput.

A version number is never given twice on PostgreSQL, even across a restored backup:
see "Restored backups" below.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection
from django.db.models import F

from portfolio import sql_text
from portfolio.models import DataVersion, Project, ProjectChange, SpendChange

_ROW = 1


# --- Restored backups (PostgreSQL) -------------------------------------------------------
#
# A backup restored with pg_restore counts its versions from where the backup was, so without
# care the next change would be given a number a change before the restore already had, and
# numbers kept for that version (in the shared cache, in a process, in an API client's ETag)
# would be taken for the restored data. The row therefore keeps the identifier (OID) of its
# own table when it was counted: pg_restore re-creates the table, so after a restore the
# identifiers differ, and the first read or change raises the number above every version
# counted before: to the microseconds since 1970, which no count of changes reaches. A new
# row, or one from before this rule (no identifier), takes the identifier as it is.
_THIS_TABLE = sql_text.Fragment("CAST(CAST(%(table)s AS regclass) AS oid)")
_BUMP = """
INSERT INTO {data_version} AS dv (id, number, lineage) VALUES (%(row)s, 1, {this_table})
ON CONFLICT (id) DO UPDATE SET
    number = CASE WHEN dv.lineage <> excluded.lineage THEN GREATEST(dv.number + 1, %(floor)s)
                  ELSE dv.number + 1 END,
    lineage = excluded.lineage
"""
_READ = """
SELECT number, lineage IS NOT DISTINCT FROM {this_table} FROM {data_version} WHERE id = %(row)s
"""
_ADOPT = """
UPDATE {data_version} SET
    number = CASE WHEN lineage IS NULL THEN number ELSE GREATEST(number + 1, %(floor)s) END,
    lineage = {this_table}
WHERE id = %(row)s AND lineage IS DISTINCT FROM {this_table}
"""


def _sql(template: str) -> sql_text.Fragment:
    return sql_text.render(template, {"this_table": _THIS_TABLE})


def _params() -> dict:
    return {
        "row": _ROW,
        "table": connection.ops.quote_name(DataVersion._meta.db_table),
        "floor": time.time_ns() // 1000,
    }


def _read(*, lock: bool = False) -> int | None:
    """The number (None: no row yet), raised first if the row was restored from a backup."""
    sql = _sql(_READ + (" FOR UPDATE" if lock else ""))
    with connection.cursor() as cursor:
        cursor.execute(sql, _params())
        found = cursor.fetchone()
        if found is None:
            return None
        number, counted_here = found
        if counted_here:
            return number
        cursor.execute(_sql(_ADOPT), _params())
        cursor.execute(sql, _params())
        return cursor.fetchone()[0]


def bump() -> None:
    from portfolio.tasks import refresh_after_commit

    refresh_after_commit()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_sql(_BUMP), _params())
        return
    if not DataVersion.objects.filter(pk=_ROW).update(number=F("number") + 1):
        # A new (or flushed) database: the row appears on the first change.
        DataVersion.objects.get_or_create(pk=_ROW, defaults={"number": 1})


def current() -> int:
    if connection.vendor == "postgresql":
        return _read() or 0
    return DataVersion.objects.filter(pk=_ROW).values_list("number", flat=True).first() or 0


def note_spend(*, project_id: int, spent_on: datetime.date, amount: Decimal) -> None:
    """Say that the change just made (its :func:`bump`) recorded this spend and nothing else.

    Called in the change's transaction, after its audit entry: the row lock taken by the
    bump makes :func:`current` the version of this change. The metrics refresh then adds
    the amount to the last numbers instead of computing them again.
    """
    SpendChange.objects.create(
        version=current(), project_id=project_id, spent_on=spent_on, cents=int(amount * 100)
    )


# More versions than this apart: not counted (asked after a few spend entries, not thousands).
SPEND_ONLY_MOST = 1000


def spend_only_between(earlier: int, later: int) -> bool:
    """Whether every data version after ``earlier`` up to ``later`` recorded a spend entry and
    nothing else (:func:`note_spend`): what no spend entry changes (who manages projects,
    people's names) is then as it was at ``earlier``. A version without its row changed
    something else (or its row was cleared): False, as for ``later`` before ``earlier``."""
    if later <= earlier:
        return later == earlier
    if later - earlier > SPEND_ONLY_MOST:
        return False
    spent = SpendChange.objects.filter(version__gt=earlier, version__lte=later)
    return spent.values("version").distinct().count() == later - earlier


@dataclasses.dataclass
class _Change:
    projects: frozenset[int]
    spoiled: bool = False  # a change inside it to another project: not mergeable


_open = threading.local()


@contextlib.contextmanager
def changing(*projects: Project | int) -> Iterator[None]:
    """Around a service's change to these projects (and nothing else the metrics read).

    Enter it inside the service's transaction, before changing anything. On PostgreSQL it
    locks the projects' rows and then the data version's row (so no other change commits
    meanwhile), keeps what the projects add to the dashboard's numbers now, and on
    leaving writes a :class:`~portfolio.models.ProjectChange` with that part and the
    versions the change made. The metrics refresh then takes the part out of the last
    numbers and puts the projects' part now in, instead of computing everything again
    (portfolio/metrics/incremental.py).

    A change that touches other projects' numbers must name them too (a reused artifact's
    producer); a change that moves no number (a role, a password) names none, and the
    numbers are kept as they were. Inside another such block, a change to projects that block does not name
    makes it unmergeable: its versions are then computed in full. On SQLite, where the
    numbers are always computed in full, it does nothing.
    """
    ids = frozenset(p if isinstance(p, int) else p.pk for p in projects)
    outer: _Change | None = getattr(_open, "change", None)
    if outer is not None:
        if not ids <= outer.projects:
            outer.spoiled = True
        yield
        return
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    from portfolio.metrics import incremental

    # The projects' rows first, as every service locks them before its audit entry bumps
    # the version: the same order everywhere, so two changes never wait on each other.
    list(Project.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    start = _locked()
    as_of = incremental.changes_as_of()
    before = {str(project): incremental.part_of(project, as_of) for project in sorted(ids)}
    change = _open.change = _Change(ids)
    try:
        yield
    finally:
        _open.change = None
    end = current()
    if end > start and not change.spoiled:
        ProjectChange.objects.create(
            version=end, first_version=start + 1, as_of=as_of, projects=sorted(ids), before=before
        )


def _locked() -> int:
    """The current version, its row locked until the transaction ends."""
    if connection.vendor == "postgresql":
        number = _read(lock=True)
        if number is not None:
            return number
    found = DataVersion.objects.select_for_update().filter(pk=_ROW).values_list("number", flat=True)
    for number in found:
        return number
    DataVersion.objects.get_or_create(pk=_ROW, defaults={"number": 0})
    return DataVersion.objects.select_for_update().get(pk=_ROW).number
