"""The task worker of the Procfile: django-tasks-db's ``db_worker``, plus housekeeping.

``db_worker`` runs the queued tasks one at a time. Beside it, a thread of
this process every ``WORKER_HOUSEKEEPING_SECONDS``: refreshes this worker's
heartbeat, reports the tasks of workers that died mid-task
(background/liveness.py) and enqueues the scheduled tasks that are due
(background/schedule.py). Run as many workers as needed, on any machine that
reaches the database: they share the queue (SKIP LOCKED on PostgreSQL), the
schedule and the watching.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from background import liveness, schedule

logger = logging.getLogger("background.worker")


def housekeeping(worker_id: str, stop: threading.Event, every: float) -> None:
    started_at = timezone.now()
    while True:
        try:
            liveness.beat(worker_id, started_at)
            liveness.sweep()
            schedule.tick()
        except DatabaseError as error:
            # The database restarting, or SQLite busy with a long import: next round.
            logger.warning("worker housekeeping skipped a round: %s", error)
        except Exception:
            logger.exception("worker housekeeping failed")
        finally:
            connection.close()
        if stop.wait(every):
            return


class Command(DbWorkerCommand):
    help = "Run the background task worker (with its schedule and the watch on other workers)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # Our ids carry host and process id (liveness.new_worker_id); computed per process.
        parser.set_defaults(worker_id=None)

    def handle(self, *args, **options) -> None:
        if options.get("worker_id") is None:
            options["worker_id"] = liveness.new_worker_id()
        # With --reload, the parent only watches files; the child runs tasks.
        runs_tasks = not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        stop = threading.Event()
        if runs_tasks and not options.get("batch"):
            threading.Thread(
                target=housekeeping,
                args=(options["worker_id"], stop, settings.WORKER_HOUSEKEEPING_SECONDS),
                name="worker-housekeeping",
                daemon=True,
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            if runs_tasks:
                with contextlib.suppress(DatabaseError):
                    liveness.forget(options["worker_id"])
