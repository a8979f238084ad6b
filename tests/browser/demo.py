"""The demo portfolio for browser tests: seeded once per test process, then copied back.

``seed_demo`` writes 150 projects through the services (decisions, votes, spend, outcomes,
artifacts): 4-10 s, paid again by every browser test that reads the demo, since each
live-server test empties the database when it ends. On SQLite the test database is one
file in memory per process, so the first test to need the demo seeds it and keeps a copy
(SQLite's online backup, a few milliseconds); later tests get the copy back, exactly the
database the seeding left. On PostgreSQL (only the journeys marked ``postgres_too`` run
there) every test seeds its own.
"""

from __future__ import annotations

import copy
import sqlite3
import time
from collections.abc import Callable

# What was built, by name: the copy of the database it left and what ``build`` returned.
_built: dict[str, tuple[sqlite3.Connection, object]] = {}


def _raw_connection() -> sqlite3.Connection:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


def once[T](name: str, build: Callable[[], T]) -> T:
    """``build()`` the first time in this process; later, its database copied back.

    What ``build`` returns (model instances, say) is deep-copied each time, so that a test
    changing one cannot change what the next one is given.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return build()
    kept = _built.get(name)
    if kept is None:
        result = build()
        saved = sqlite3.connect(":memory:", check_same_thread=False)
        _raw_connection().backup(saved)
        _built[name] = (saved, copy.deepcopy(result))
        return result
    saved, result = kept
    if not _copy_back(saved):
        return build()
    # The emptying between tests makes the content types again, under new ids; the copy
    # has the ids of its own time, and Django keeps the ids it looked up.
    ContentType.objects.clear_cache()
    return copy.deepcopy(result)


def _copy_back(saved: sqlite3.Connection, wait_seconds: float = 5.0) -> bool:
    """Copy ``saved`` over the test database; False when it stayed busy for ``wait_seconds``.

    SQLite refuses to overwrite a database with a read open on it ("destination database
    is in use"): the live server's thread may still be answering the last test's browser.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            saved.backup(_raw_connection())
            return True
        except sqlite3.OperationalError as error:
            if "in use" not in str(error) or time.monotonic() > deadline:
                if "in use" in str(error):
                    return False
                raise
            time.sleep(0.05)


def seed_demo() -> None:
    """``manage.py seed_demo``: its sign-ins and portfolio."""

    def seed() -> None:
        from django.core.management import call_command

        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    once("seed_demo", seed)
