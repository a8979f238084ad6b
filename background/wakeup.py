"""A task worker wakes when a task is queued, not at its next poll (PostgreSQL).

django-tasks-db's worker looks for a ready task, and when there is none sleeps for its
``--interval`` (1 s) before looking again: a task queued just after a look waited up to a
second before anyone took it (an import's progress page, an e-mail, the dashboard's
refresh after each change, which readers compute themselves until it is done).

On PostgreSQL every task queued sends a notification on :data:`CHANNEL` (``NOTIFY``,
delivered when the transaction that queued it commits, not before: a worker woken never
looks before the task can be seen). An idle worker waits on a connection of its own that
``LISTEN``\\s there, for at most the interval: a notification ends the wait at once; with
none it looks again after the interval, as before (a task due later, ``run_after``, is
found so). Anything wrong with the listening connection (the database restarting) closes
it and the worker sleeps out the interval as it used to; the next wait connects again.
On SQLite the worker sleeps as before: one machine, one worker, nothing to wake.
"""

from __future__ import annotations

import contextlib
import logging
import time

from django.db import connections

logger = logging.getLogger("background.worker")

CHANNEL = "greenlight_tasks"


def announce(sender, instance, created: bool, **kwargs) -> None:
    """``post_save`` of a task's row: a new one wakes the idle workers (on PostgreSQL)."""
    if not created:
        return
    connection = connections[instance._state.db or "default"]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"NOTIFY {CHANNEL}")


class Listener:
    """The wait of an idle worker: until a task is queued, or for ``seconds`` at most."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self.connection = None  # psycopg's, LISTENing; made on the first wait

    def listen(self) -> None:
        """Start listening now, before the worker's first look: a task queued between that
        look and the first wait then wakes it too (without, it waited for the interval)."""
        if connections[self.alias].vendor != "postgresql":
            return
        try:
            self._listening()
        except Exception as error:  # noqa: BLE001 - the wait tries again, or polls
            logger.debug("not listening for tasks yet: %s", error)
            self.close()

    def wait(self, seconds: float) -> bool:
        """Wait until a task is queued (True) or ``seconds`` have passed (False)."""
        if connections[self.alias].vendor != "postgresql":
            time.sleep(seconds)
            return False
        started = time.monotonic()
        try:
            listening = self._listening()
            for _ in listening.notifies(timeout=seconds, stop_after=1):
                return True
            return False
        except Exception as error:  # noqa: BLE001 - never worse than the poll it replaces
            logger.debug("waiting for tasks without notifications: %s", error)
            self.close()
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))
            return False

    def _listening(self):
        if self.connection is None or self.connection.closed:
            django_connection = connections[self.alias]
            params = django_connection.get_connection_params()
            self.connection = django_connection.get_new_connection(params)
            self.connection.autocommit = True
            self.connection.execute(f"LISTEN {CHANNEL}")
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None
