"""The task worker of the Procfile: django-tasks-db's ``db_worker``, plus housekeeping.

``db_worker`` runs the queued tasks one at a time. Beside it, a thread of
this process every ``WORKER_HOUSEKEEPING_SECONDS``: refreshes this worker's
heartbeat, reports the tasks of workers that died mid-task
(background/liveness.py) and enqueues the scheduled tasks that are due
(background/schedule.py). Run as many workers as needed, on any machine that
reaches the database: they share the queue (SKIP LOCKED on PostgreSQL), the
schedule and the watching. The loop that takes the tasks is
background/worker.py's: a database away for a while (a restart, a
``pg_restore --clean``) is waited for, not the end of the worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import logger as db_worker_logger

from background import liveness, schedule
from background.worker import ResilientWorker, first_line
from portfolio.warmup import warm_up

logger = logging.getLogger("background.worker")


def housekeeping(worker_id: str, stop: threading.Event, every: float) -> None:
    started_at = timezone.now()
    refused_since: float | None = None  # while the database refuses: since when
    while True:
        try:
            liveness.beat(worker_id, started_at)
            liveness.sweep()
            schedule.tick()
        except DatabaseError as error:
            # The database restarting, or SQLite busy with a long import: next round.
            # Said once when it starts refusing, not every round (every few seconds).
            if refused_since is None:
                refused_since = time.monotonic()
                logger.warning(
                    "worker housekeeping: the database refused (%s); skipping rounds until "
                    "it answers",
                    first_line(error),
                )
        except Exception:
            logger.exception("worker housekeeping failed")
        else:
            if refused_since is not None:  # at the outage's level, so its end shows too
                logger.warning(
                    "worker housekeeping: the database answers again after %.0f s",
                    time.monotonic() - refused_since,
                )
                refused_since = None
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
        if runs_tasks:
            warm_up()  # every view loaded, then set aside from the cycle collector
        stop = threading.Event()
        if runs_tasks and not options.get("batch"):
            threading.Thread(
                target=housekeeping,
                args=(options["worker_id"], stop, settings.WORKER_HOUSEKEEPING_SECONDS),
                name="worker-housekeeping",
                daemon=True,
            ).start()
        try:
            self.run_worker(**options)
        finally:
            stop.set()
            if runs_tasks:
                with contextlib.suppress(DatabaseError):
                    liveness.forget(options["worker_id"])

    def run_worker(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options,
    ) -> None:
        """django-tasks-db's ``db_worker`` handle (0.13), with ``ResilientWorker`` for its Worker."""
        self.configure_logging(verbosity)
        if reload and batch:
            db_worker_logger.warning(
                "Warning: --reload and --batch cannot be specified together. Disabling autoreload."
            )
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child, which runs the tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
