"""PostgreSQL bulk-load tricks for the command line's import only (``manage.py import_portfolio``).

They take table-wide locks and switch off the reference checks for the import's
own transaction, which is right for an operator loading a large portfolio into
a quiet database, and wrong for a page of the app: the upload page and the
background tasks import without them (``gates.interchange.load``'s ``bulk``
flag, set only by ``command_line_import``). Public psycopg and PostgreSQL
interfaces only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable

from django.db import DatabaseError, connection, transaction

from gates.models import Gate, GateDecision
from portfolio.models import AuditEntry, Outcome, Project, SpendEntry, SpendMonth, User
from portfolio.sql_text import statement


class BulkLoad:
    """On PostgreSQL, what makes the import's bulk writes cheap, each step only where safe.

    - ``skip_reference_checks``: where the database role may set
      ``session_replication_role`` (a superuser, or ``GRANT SET ON PARAMETER
      session_replication_role``), the writes after the projects run in replica
      mode, which skips the foreign-key checks: a trigger per row and reference,
      queued to the commit, that costs more than the COPY itself. The references
      are good by construction, and held: each project is one this transaction
      inserted or updated, and the users and gates referred to are locked FOR KEY
      SHARE here, as the checks would. Only if no table written has triggers of its
      own for those writes, which replica mode would skip too.
    - ``drop_spend_indexes``: into an empty spend table, the COPY goes without the
      table's secondary indexes, rebuilt after it (one sort each instead of a
      random insertion per row and index). It holds the table's ACCESS EXCLUSIVE
      lock to the end of the import, which only a table with nothing to read can
      afford; if the lock is not had within 2 s, the indexes stay. Only with the
      reference checks skipped (their pending events forbid an index build).

    A rollback undoes both, like the rest of the import. Elsewhere, nothing.
    """

    # What replica mode covers: each table and the writes done to it meanwhile.
    WRITES = {
        GateDecision: "INSERT",
        SpendEntry: "INSERT",
        SpendMonth: "INSERT",
        Outcome: "INSERT",
        AuditEntry: "INSERT",
        Project: "UPDATE",  # spend_total and last_spend_on
    }
    TRIGGER_EVENT_BITS = {"INSERT": 4, "UPDATE": 16}  # pg_trigger.tgtype

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.spend_indexes: list[tuple[str, str, str]] = []  # schema, name, definition
        self._role: str | None = None

    def _value(self, sql: str, params: list | None = None):
        self.cursor.execute(sql, params)
        row = self.cursor.fetchone()
        return None if row is None else row[0]

    def skip_reference_checks(self, users: Iterable[int | None], gates: Iterable[int]) -> bool:
        if not self.postgres:
            return False
        users = sorted({user for user in users if user is not None})
        gates = sorted(set(gates))
        try:
            with transaction.atomic():
                for model, event in self.WRITES.items():
                    if self._value(
                        "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                        "AND NOT tgisinternal AND tgtype & %s <> 0",
                        [model._meta.db_table, self.TRIGGER_EVENT_BITS[event]],
                    ):
                        return False
                for model, ids in ((User, users), (Gate, gates)):
                    self.cursor.execute(
                        statement(
                            "SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",
                            table=model._meta.db_table,
                        ),
                        [ids],
                    )
                    if len(self.cursor.fetchall()) != len(ids):
                        return False  # one is gone: let the checks say so
                role = self._value("SELECT current_setting('session_replication_role')")
                self._value("SELECT set_config('session_replication_role', 'replica', true)")
                self._role = role
                return True
        except DatabaseError:  # not allowed: each row is checked at the commit
            return False

    def restore_reference_checks(self) -> None:
        if self._role is not None:
            self._value("SELECT set_config('session_replication_role', %s, true)", [self._role])
            self._role = None

    def drop_spend_indexes(self) -> bool:
        # With the reference checks on, each row leaves a pending trigger event, and
        # PostgreSQL builds no index on a table that has some.
        if not self.postgres or self._role is None:
            return False
        table = SpendEntry._meta.db_table
        empty = statement("SELECT NOT EXISTS (SELECT 1 FROM {table})", table=table)
        try:
            with transaction.atomic():  # a rollback to here lets go of the locks
                timeout = self._value("SELECT current_setting('lock_timeout')")
                self._value("SELECT set_config('lock_timeout', '2s', true)")
                if not self._value(empty):  # a cheap look first, sharing the table
                    raise NotEmpty
                self.cursor.execute(
                    statement("LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", table=table)
                )
                if not self._value(empty):
                    raise NotEmpty
                self._value("SELECT set_config('lock_timeout', %s, true)", [timeout])
                self.cursor.execute(
                    "SELECT n.nspname, c.relname, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE i.indrelid = %s::regclass "
                    "AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                    "ORDER BY 2",
                    [table],
                )
                indexes = self.cursor.fetchall()
                for schema, name, _ in indexes:
                    self.cursor.execute(
                        statement("DROP INDEX {schema}.{name}", schema=schema, name=name)
                    )
        except (NotEmpty, DatabaseError):
            return False
        self.spend_indexes = indexes
        return True

    @contextlib.contextmanager
    def rebuilding_spend_indexes(self):
        """Rebuild the dropped indexes on a thread, while the caller works in Python
        without the database (the server's work and the checks overlap)."""
        if not self.spend_indexes:
            yield
            return
        raw = self.cursor.cursor  # psycopg's: the thread does not go through Django
        failed: list[BaseException] = []

        def rebuild() -> None:
            try:
                # Sorting a million keys in memory rather than on disk: ~30% faster per index.
                raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for *_, definition in self.spend_indexes:
                    raw.execute(definition)
            except BaseException as exc:  # re-raised below, in the caller's thread
                failed.append(exc)

        thread = threading.Thread(target=rebuild, name="import-spend-indexes")
        thread.start()
        try:
            yield
        finally:
            thread.join()
        self.spend_indexes = []
        if failed:
            with connection.wrap_database_errors:
                raise failed[0]


class NotEmpty(Exception):
    pass
