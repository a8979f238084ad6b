"""Statements run side by side on PostgreSQL, on two connections that see one snapshot.

The engine's statement over the whole portfolio is a chain of hashes and sorts of a few
thousand rows each, and PostgreSQL runs one statement on one CPU. Split in two (the
queries that read each project's spend, and the others), each half runs on its own server
process: at 5,000 projects and 1M spend rows the numbers take the longer half's time
(≈ 65–80 ms, the halves about equal) rather than the whole (≈ 130 ms).

Both halves must describe the same data, as one statement would: the first runs in a
``REPEATABLE READ`` transaction that exports its snapshot (``pg_export_snapshot``), and
the second, on a connection of a helper thread, takes that snapshot before it reads
anything (``SET TRANSACTION SNAPSHOT``), as ``pg_dump --jobs`` does. Every number, and
the data version read with them, is then of one moment.

The helper is one thread per process with its own Django connection, made when first
needed (after a fork, anew). Whatever goes wrong on its side (its connection lost, the
helper busy with another caller's half), the calling thread runs the half itself, in its
own transaction and so in the same snapshot: the answer is the same, only slower.

Used only where a transaction can be begun: inside one (a test's, a service's), the
statements must see what it wrote, so the engine runs one statement as before.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

logger = logging.getLogger(__name__)

Statement = tuple[str, dict[str, Any]]

_helper: tuple[int, ThreadPoolExecutor] | None = None  # (the process it was made in, the helper)
_helper_lock = threading.Lock()
# How long the calling thread waits for the helper's half before running it itself.
HELPER_WAIT_SECONDS = 30
# PostgreSQL's JIT compiler, off for the metrics' own transactions. The app's connections
# turn it off already (portfolio/env.py), but a pooler may drop that startup option, and
# the statements' estimated cost crosses every JIT threshold: compiling one took 6.6 s of a
# 6.7 s run at 1M spend rows (70 ms without). SET LOCAL ends with the transaction.
NO_JIT = "SET LOCAL jit = off"


def usable() -> bool:
    """Whether statements can be run side by side here and now."""
    return (
        connection.vendor == "postgresql"
        and settings.METRICS_SIDE_BY_SIDE
        and not connection.in_atomic_block
    )


def first_values(
    statements: list[Statement], first_done: Callable[[Any], None] | None = None
) -> list[Any]:
    """The first column of the first row of each statement, all read in one snapshot: the
    first statement here, the others on the helper's connection at the same time.

    ``first_done``, when given, is called here with the first statement's value as soon as
    it is read, while the others may still run: work on it then takes the calling thread's
    time that waiting would have taken."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(NO_JIT)
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        helper = _the_helper()
        pending: list[Future] = [
            helper.submit(_in_snapshot, snapshot, sql, params) for sql, params in statements[1:]
        ]
        found = [_first_value(cursor, *statements[0])]
        if first_done is not None:
            first_done(found[0])
        for future, (sql, params) in zip(pending, statements[1:], strict=True):
            if future.cancel():
                # The helper had not started it (busy with another caller's): run it here.
                found.append(_first_value(cursor, sql, params))
                continue
            try:
                found.append(future.result(timeout=HELPER_WAIT_SECONDS))
            except Exception:
                logger.warning(
                    "a metrics statement failed on the helper's connection; run here",
                    exc_info=True,
                )
                found.append(_first_value(cursor, sql, params))
    return found


def _first_value(cursor, sql: str, params: dict[str, Any]) -> Any:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _in_snapshot(snapshot: str, sql: str, params: dict[str, Any]) -> Any:
    """On the helper's thread: ``sql`` in the snapshot another transaction exported."""
    close_old_connections()  # one past its age, or broken by an earlier error
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            cursor.execute(NO_JIT)
            return _first_value(cursor, sql, params)
    except Exception:
        connection.close()  # the next half starts on a new connection
        raise


def _close() -> None:
    connection.close()  # resolved on the helper's thread: its own connection


def _the_helper() -> ThreadPoolExecutor:
    global _helper
    with _helper_lock:
        if _helper is None or _helper[0] != os.getpid():
            # A forked process (gunicorn's workers) has the parent's object but not its thread.
            _helper = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="greenlight-metrics"),
            )
        return _helper[1]


def stop() -> None:
    """Close the helper's connection and end its thread (tests, before the database goes)."""
    global _helper
    with _helper_lock:
        found, _helper = _helper, None
    if found is not None and found[0] == os.getpid():
        found[1].submit(_close).result()
        found[1].shutdown()
