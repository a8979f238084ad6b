"""django-tasks-db's worker loop, made to outlive a database that goes away for a while.

django-tasks-db's ``Worker.run`` polls the task table and lets every database
error but a locked SQLite end the process. A restart of PostgreSQL, a failover,
a network cut or a ``pg_restore --clean`` (the task table is dropped and made
again) then stopped the worker for good: imports, e-mail and the metrics'
refreshes waited for someone to start it again. ``ResilientWorker`` catches the
error instead, logs it once, closes the broken connections and waits for the
database, trying again after 1 s, 2 s, 4 s … (at most ``BACKOFF_MAX_SECONDS``),
then logs that it is back and polls as before. SIGTERM and SIGINT still stop
it at once while it waits (django-tasks-db's handler exits outside a task).

An error that comes back at once, within ``REPEAT_SECONDS`` of the database answering,
is not an outage (a bug, a permission taken away, a column a migration has not added
yet): the worker logs it once, with its traceback, and goes on trying less and less
often (the same back-off) rather than log "unavailable" and "back" every second.

A task running when the database went away could not record how it ended: its
row stays RUNNING under this worker's id, and the other workers leave it alone
(this worker is alive). So once the database is back the worker settles it
itself, before taking another: failed (``liveness.DatabaseWentAway``) and handed
to its task's lost-worker handler (the import's job is marked failed, a task
declared ``retry_when_lost`` is enqueued again), as a task of a dead worker is.

An idle worker waits for a task to be queued rather than sleeping out its interval: on
PostgreSQL it is woken at once (background/wakeup.py). The loop that takes the tasks is
django-tasks-db's (0.13) with that wait in place of its ``time.sleep``.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    close_old_connections,
    connections,
)
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from background import liveness
from background.wakeup import Listener

logger = logging.getLogger("background.worker")
# The lines of django-tasks-db's own loop (take_tasks) keep its logger: run_worker's
# verbosity and the logging settings configure it.
tasks_logger = logging.getLogger("django_tasks_db")

# A dropped or refused connection, a server shutting down (OperationalError); a table
# missing mid-restore (ProgrammingError: relation ... does not exist); a connection
# already closed under it (InterfaceError).
DATABASE_AWAY = (OperationalError, ProgrammingError, InterfaceError)

BACKOFF_FIRST_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
# An error within this long of the database answering again is the same episode.
REPEAT_SECONDS = 10.0


class ResilientWorker(Worker):
    # The task whose end could not be recorded (the database went away while it ran).
    unsettled: str | None = None
    # When the database last answered after an error, and the wait before the next try.
    back_at: float | None = None
    delay: float = BACKOFF_FIRST_SECONDS
    repeat_logged: bool = False

    def run(self) -> None:
        self.listener = Listener(DBTaskResult.objects.db)
        try:
            while True:
                try:
                    self.settle()
                    self.take_tasks()
                    return
                except DATABASE_AWAY as error:
                    if not self.running:  # asked to stop: nothing to wait for
                        return
                    self.startup_delay = False  # the herd's delay was for the first start
                    self.wait_for_database(error)
                    if not self.running:
                        return
        finally:
            self.listener.close()

    def take_tasks(self) -> None:
        """django-tasks-db's ``Worker.run`` (0.13), waiting for a task to be queued (woken at
        once on PostgreSQL) where it slept out the interval."""
        tasks_logger.info(
            "Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names)
        )
        if self.startup_delay and self.interval:
            # A random small delay before starting, so that workers started together spread.
            time.sleep(random.random())  # noqa: S311
        # Listen anew (at the start, and after an outage) before the first look: a task
        # queued after that look wakes the wait.
        self.listener.listen()
        while self.running:
            close_old_connections()  # dropped or expired connections, right after waking
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.get_locked()
                    retrieved_task_result = True
                    if task_result is not None:
                        task_result.claim(self.worker_id)  # no other worker runs it now
                except OperationalError as error:
                    retrieved_task_result = False
                    if not is_locked_database_exception(error):
                        raise
                    task_result = None  # SQLite busy: it unlocks eventually
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved_task_result and task_result is None:
                tasks_logger.info(
                    "No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id
                )
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                tasks_logger.info(
                    "Run maximum tasks (%d) on worker=%s - exiting gracefully.",
                    self._run_tasks,
                    self.worker_id,
                )
                return
            close_old_connections()  # as Django does after a request
            # Ctrl-C during a task cleared self.running: stop now rather than wait.
            if self.running and not task_result:
                self.listener.wait(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # Worker.run_task records the task's end, or its failure; when neither can be
        # written, the database error leaves it here, with the task still unsettled.
        self.unsettled = str(db_task_result.id)
        super().run_task(db_task_result)
        self.unsettled = None

    def settle(self) -> None:
        """Report the task the database went away under failed (or enqueued again)."""
        if self.unsettled is None:
            return
        task_id = self.unsettled
        task_path = liveness.report_lost(
            task_id, liveness.DatabaseWentAway, worker_id=self.worker_id
        )
        self.unsettled = None
        if task_path is not None:
            logger.error(
                "task %s (%s): the database went away while task worker %s ran it; reported failed",
                task_id,
                task_path,
                self.worker_id,
            )

    def wait_for_database(self, error: Exception) -> None:
        """Back off until the task table answers again (or the worker is asked to stop)."""
        repeat = self.back_at is not None and time.monotonic() - self.back_at < REPEAT_SECONDS
        if repeat:
            # The database answered, yet the poll failed again at once: not an outage.
            self.delay = min(self.delay * 2, BACKOFF_MAX_SECONDS)
            if not self.repeat_logged:
                logger.error(
                    "task worker %s: the database answers, but the worker's work fails again "
                    "at once (%s: %s); trying again less often, up to every %.0f s",
                    self.worker_id,
                    type(error).__name__,
                    first_line(error),
                    BACKOFF_MAX_SECONDS,
                    exc_info=error,
                )
                self.repeat_logged = True
        else:
            self.delay = BACKOFF_FIRST_SECONDS
            self.repeat_logged = False
            logger.warning(
                "task worker %s: the database is unavailable (%s: %s); waiting for it",
                self.worker_id,
                type(error).__name__,
                first_line(error),
            )
        away_since = time.monotonic()
        while self.running:
            close_connections()
            # SIGTERM/SIGINT end the process during this sleep (Worker.shutdown).
            time.sleep(self.delay)
            try:
                DBTaskResult.objects.filter(backend_name=self.backend_name).exists()
            except DATABASE_AWAY:
                self.delay = min(self.delay * 2, BACKOFF_MAX_SECONDS)
                continue
            if not repeat:
                logger.warning(
                    "task worker %s: the database is back after %.0f s; running tasks again",
                    self.worker_id,
                    time.monotonic() - away_since,
                )
            self.back_at = time.monotonic()
            return


def close_connections() -> None:
    """Close this thread's connections, broken ones included (their close may fail too)."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else ""
