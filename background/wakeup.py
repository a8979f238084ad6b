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
found so). On SQLite the worker sleeps as before: one machine, one worker, nothing to wake.

A notification reaches only the connections listening when it is sent: a task queued
while nobody listens is found by the worker's next look, never announced. So the worker
starts listening before it looks, and looks again whenever it starts listening anew:

- :meth:`Listener.listen` connects and ``LISTEN``\\s on a new connection as the worker
  starts taking tasks, before its first look, and again after each outage its looks ran
  into (the connection from before the outage is most likely dead, and might not say so
  until the wait).
- When the listening connection fails during a wait (the database restarting, a
  connection ended by an administrator or a timeout), it is closed and the listener
  connects again at once; a connection made by a wait ends that wait at once, as if
  woken: the worker looks once more, now that it listens, so a task queued between the
  failure and the new ``LISTEN`` is taken then, not at the next poll; anything queued
  after that look is announced.
- When it cannot connect (the database is away), it sleeps out the interval as it used
  to (never worse than the poll it replaces), and the next wait tries again. It tries at
  once at most once an interval: a connection that fails again as soon as it is made
  does not make the worker look in a loop.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time

from django.db import connections

logger = logging.getLogger("background.worker")

CHANNEL = "greenlight_tasks"
# libpq's keepalive settings for the listening connection (seconds; the first probe after
# 30 s idle, then every 10 s, given up after 3 unanswered).
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


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
        self.connection = None  # psycopg's, LISTENing
        self.failed_at = -math.inf  # when the listening connection last failed in a wait

    def listen(self) -> None:
        """Start listening on a new connection, before the worker looks: a task queued after
        that look then wakes its wait. Called as the worker starts, and again once the
        database answers after an outage (any connection from before it is closed)."""
        if connections[self.alias].vendor != "postgresql":
            return
        self.close()
        try:
            self._connect()
        except Exception as error:  # noqa: BLE001 - the wait tries again, or polls
            logger.debug("not listening for tasks yet: %s", error)
            self.close()

    def wait(self, seconds: float) -> bool:
        """Wait until a task is queued (True) or ``seconds`` have passed (False).

        True at once, too, when the wait had to start listening anew (no connection, or the
        one it had failed): the worker then looks once more, as it would when woken, since
        a task queued before this ``LISTEN`` was announced to nobody."""
        if connections[self.alias].vendor != "postgresql":
            time.sleep(seconds)
            return False
        started = time.monotonic()
        if self.connection is not None:
            try:
                for _ in self.connection.notifies(timeout=seconds, stop_after=1):
                    return True
                return False
            except Exception as error:  # noqa: BLE001 - never worse than the poll it replaces
                logger.debug("the connection listening for tasks failed: %s", error)
                self.close()
                if started - self.failed_at < seconds:
                    # Failed again within an interval: not at once again, but at the next wait.
                    self.sleep_out(started, seconds)
                    return False
                self.failed_at = started
        try:
            self._connect()
        except Exception as error:  # noqa: BLE001 - never worse than the poll it replaces
            logger.debug("waiting for tasks without notifications: %s", error)
            self.close()
            self.sleep_out(started, seconds)
            return False
        return True  # listening anew: look once more, as if woken

    def _connect(self) -> None:
        django_connection = connections[self.alias]
        params = django_connection.get_connection_params()
        # TCP keepalives, unless DATABASES' OPTIONS set them: a database host that vanished
        # without closing the socket (a crash, a network partition) leaves an idle listening
        # connection open for good, silent; the worker would then fall back to its poll
        # without knowing. With them the kernel ends it within about a minute, the wait
        # fails, and the listener connects again.
        for name, value in KEEPALIVES.items():
            params.setdefault(name, value)
        self.connection = django_connection.get_new_connection(params)
        self.connection.autocommit = True
        self.connection.execute(f"LISTEN {CHANNEL}")

    @staticmethod
    def sleep_out(started: float, seconds: float) -> None:
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None
