"""Writing checked rows fast: COPY on PostgreSQL, batched INSERTs elsewhere.

Model instances and the ORM's bulk_create cost more per row than reading and
checking it; the values here are already checked. SQL text is built from
constant templates and quoted identifiers only (``portfolio.sql_text``).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import json
import queue
import threading
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone
from psycopg.copy import LibpqWriter, Writer

from gates.interchange.spend_pass import SpendRows, SpendTarget, SpendWriter
from portfolio.models import Project, SpendEntry, SpendMonth
from portfolio.sql_text import Fragment, columns, identifier, render, statement

BATCH_SIZE = 5000
# PostgreSQL's text COPY: these characters of a value are written escaped.
COPY_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# The same for spend, whose COPY takes commas between values (as the file has them).
SPEND_COPY_ESCAPES = str.maketrans({"\\": "\\\\", ",": "\\,", "\n": "\\n", "\r": "\\r"})


def among(ids: Iterable[int]):
    """The value of a ``field__in`` filter over many ids: on PostgreSQL one array parameter
    (``IN (SELECT unnest(…))``), not a placeholder per id, which Django binds one by one on
    the client (about 50 ms a query for 5,000 ids, against 13)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
    return list(ids)


def chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class JSONText(str):
    """A JSON field's value for :func:`new_rows` already written as JSON text (by the
    database: the archive's spend): passed on as it is."""


def new_rows(model, rows: Iterable[dict]) -> tuple[list[str], Iterator[tuple]]:
    """Columns and rows for insert_values, from the values given by attribute name;
    every other column as a new instance has it: its default, now for auto_now."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    now = timezone.now()
    if connection.vendor != "postgresql":
        now = connection.ops.adapt_datetimefield_value(now)
    new = model()
    base = {
        f.attname: (
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else getattr(new, f.attname)
        )
        for f in fields
    }
    json_fields = [f for f in fields if isinstance(f, models.JSONField)]

    def make(values: dict) -> tuple:
        values = {**base, **values}
        for f in json_fields:
            value = values[f.attname]
            if isinstance(value, JSONText):
                continue  # written as JSON already (by the database)
            # As the ORM: None in a nullable JSON field is SQL NULL, not JSON's null.
            values[f.attname] = (
                None if value is None and f.null else json.dumps(value, cls=f.encoder)
            )
        return tuple(values[f.attname] for f in fields)

    return [f.attname for f in fields], map(make, rows)


def _copy_text(value) -> str:
    """A value as PostgreSQL's text COPY reads it."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(COPY_TEXT_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # and datetime
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def insert_values(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain rows of values: COPY on PostgreSQL, batched executemany elsewhere."""
    names = {"table": model._meta.db_table, "columns": columns(model, fields)}
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.copy(statement("COPY {table} ({columns}) FROM STDIN", **names)) as copy,
            ):
                for batch in itertools.batched(rows, BATCH_SIZE):
                    copy.write("".join(["\t".join(map(_copy_text, row)) + "\n" for row in batch]))
                    count += len(batch)
            return count
        insert = statement(
            "INSERT INTO {table} ({columns}) VALUES ({marks})", marks=len(fields), **names
        )
        for batch in itertools.batched(rows, BATCH_SIZE):
            cursor.executemany(insert, batch)
            count += len(batch)
    return count


def update_values(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Update existing rows by primary key, each ``(pk, *values of fields)``: one ``UPDATE``
    per row, sent in batches (executemany; psycopg pipelines them on PostgreSQL).

    The ORM's ``bulk_update`` writes a ``CASE WHEN pk = … THEN …`` per field and row, and
    Django builds and binds each on the client: replacing 5,000 projects took 20 s of the
    import's 45. This takes about 0.6 s. (Staging the rows in a temporary table by COPY and
    one ``UPDATE … FROM`` took 0.2 s, but needs the right to create temporary tables, which
    a hardened database may not give the app's user.)
    """
    names = columns(model, fields)
    update = render(
        "UPDATE {table} SET {assignments} WHERE {key} = %s",
        {
            "table": identifier(model._meta.db_table),
            "assignments": Fragment(", ".join(f"{identifier(name)} = %s" for name in names)),
            "key": identifier(model._meta.pk.column),
        },
    )
    # As the ORM would write each value (a date, an aware datetime, a Decimal).
    prepared = [model._meta.get_field(name).get_db_prep_save for name in fields]

    def parameters(row: tuple) -> tuple:
        values = (prep(value, connection) for prep, value in zip(prepared, row[1:], strict=True))
        return (*values, row[0])

    count = 0
    with connection.cursor() as cursor:
        for batch in itertools.batched(rows, BATCH_SIZE):
            cursor.executemany(update, [parameters(row) for row in batch])
            count += len(batch)
    return count


SPEND_COPY_FIELDS = [
    "project",
    "spent_on",
    "amount",
    "category",
    "note",
    "recorded_at",
]


@contextlib.contextmanager
def spend_writer(cursor, recorded_at: datetime.datetime):
    """A SpendWriter: a COPY on PostgreSQL, open for the whole pass; batched INSERTs
    elsewhere. The entries name no recorder (``writing.write``)."""
    names = {
        "table": SpendEntry._meta.db_table,
        "columns": columns(SpendEntry, SPEND_COPY_FIELDS),
    }
    if connection.vendor != "postgresql":
        insert = statement(
            "INSERT INTO {table} ({columns}) VALUES ({marks})",
            marks=len(SPEND_COPY_FIELDS),
            **names,
        )
        end = (connection.ops.adapt_datetimefield_value(recorded_at),)
        yield SpendWriter(rows=lambda rows: cursor.executemany(insert, [r + end for r in rows]))
        return
    # Values between commas, as in the file, so that plain rows go as they are. 'now'
    # is the transaction's start, which recorded_at is (see writing.write_history);
    # PostgreSQL reads it faster than a written timestamp.
    tail = ",now\n"
    with (
        connection.wrap_database_errors,
        # The psycopg cursor itself: Django's debug wrapper (DEBUG, or a test capturing
        # queries) has a copy() that takes no writer.
        cursor.cursor.copy(
            statement("COPY {table} ({columns}) FROM STDIN (FORMAT text, DELIMITER ',')", **names),
            writer=BoundedQueueWriter(cursor.cursor),
        ) as copy,
    ):

        def rows(batch: SpendRows) -> None:
            data = "".join([f"{p},{d},{a},{c},{n}{tail}" for p, d, a, c, n in batch])
            if (
                data.count(",") != 5 * len(batch)
                or data.count("\n") != len(batch)
                or "\\" in data
                or "\r" in data
            ):  # a note has a comma, backslash or line break: escape the notes
                data = "".join(
                    [
                        f"{p},{d},{a},{c},{n.translate(SPEND_COPY_ESCAPES)}{tail}"
                        for p, d, a, c, n in batch
                    ]
                )
            copy.write(data)

        yield SpendWriter(rows=rows, text=copy.write, tail=tail)


class BoundedQueueWriter(Writer):
    """A COPY writer (psycopg's public ``Writer`` interface) that sends from a thread,
    so that reading the file and PostgreSQL's work overlap, through a short queue (64
    pieces of at most 128 kB), so that memory stays flat when the server is slower.

    psycopg's own ``QueuedLibpqWriter`` queues up to 1024 buffers; this one wraps the
    plain ``LibpqWriter`` instead of changing its private queue."""

    PIECE = 128 * 1024

    def __init__(self, cursor):
        self._target = LibpqWriter(cursor)
        self._queue: queue.Queue = queue.Queue(maxsize=64)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _send(self) -> None:
        try:
            while data := self._queue.get():
                self._target.write(data)
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc
            while self._queue.get():  # keep taking, or write() would block for ever
                pass

    def write(self, data) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._send, name="import-copy", daemon=True)
            self._thread.start()
        if self._error is not None:
            raise self._error
        for start in range(0, len(data), self.PIECE):
            self._queue.put(data[start : start + self.PIECE])

    def finish(self, exc: BaseException | None = None) -> None:
        if self._thread is not None:
            self._queue.put(b"")
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        self._target.finish(exc)


def write_spend_totals(targets: Iterable[SpendTarget]) -> None:
    """The monthly spend rollup (SpendMonth), and each project's spend_total and
    last_spend_on, from the totals the spend pass kept."""
    targets = [target for target in targets if target.months]
    insert_values(
        SpendMonth,
        ["project", "month", "amount", "entries"],
        (
            (target.project_id, datetime.date.fromisoformat(f"{month}-01"), amount, entries)
            for target in targets
            for month, (amount, entries) in target.months.items()
        ),
    )
    rows = [
        (
            target.project_id,
            sum((amount for amount, _ in target.months.values()), Decimal(0)),
            datetime.date.fromisoformat(target.last),
        )
        for target in targets
    ]
    table = Project._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                statement(
                    "UPDATE {table} SET spend_total = %s, last_spend_on = %s WHERE id = %s",
                    table=table,
                ),
                [(total, last, project_id) for project_id, total, last in rows],
            )
            return
        update = statement(
            "UPDATE {table} AS p SET spend_total = v.total, last_spend_on = v.last "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::date[]) AS v(id, total, last) "
            "WHERE p.id = v.id",
            table=table,
        )
        for chunk in chunks(rows, 5000):
            ids, totals, lasts = zip(*chunk, strict=True)
            cursor.execute(update, [list(ids), list(totals), list(lasts)])
