"""Which workers are alive, and what happens to the tasks of those that are not.

django-tasks-db claims a task by locking its row (``SELECT … FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so several workers never take the same task), marking
it RUNNING and committing. A worker killed while it runs a task (SIGKILL, an
out-of-memory kill, a lost machine) leaves it RUNNING for ever: the task's own
transaction is rolled back by the database, but nobody says so. Here the
workers watch each other: each refreshes a heartbeat, and every few seconds
looks for RUNNING tasks whose worker is gone. Such a task is marked FAILED
("the worker stopped while running it"), and then handed to the handler its
task registered with ``when_worker_lost`` (the import marks its job failed) or,
for tasks that are safe to run twice, enqueued again (``retry_when_lost``).

Alive means: on this machine, its process exists (a SIGKILLed worker is seen
at once); elsewhere, its heartbeat is younger than ``STALE_AFTER``.

A worker that lives on while the database goes away mid-task (background/worker.py)
cannot record how the task ended either; it settles the task itself once the
database is back (``report_lost`` with ``DatabaseWentAway``), through the same
handlers. A handler is called with the error recorded (a ``WorkerLost``, whose
``cause`` and ``detail`` say what happened) and the task's kwargs.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from collections.abc import Callable

from django.db import DatabaseError, transaction
from django.tasks import TaskResultStatus
from django.tasks.base import Task
from django.utils import timezone
from django.utils.crypto import get_random_string

from background.heartbeat import STALE_AFTER_SECONDS
from background.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(seconds=STALE_AFTER_SECONDS)
HOST = socket.gethostname()[:40]

# task path -> called with the error recorded and the lost task's kwargs, after the task
# is marked FAILED.
_LOST_HANDLERS: dict[str, Callable[..., None]] = {}


class WorkerLost(Exception):
    """Recorded as a task's error when its worker stopped while running it."""

    cause = "The task worker stopped"  # a sentence's start: "... during the import"
    detail = "killed or crashed"

    def __init__(self, worker: str) -> None:
        super().__init__(
            f"the worker {worker} stopped while running this task ({self.detail}); "
            "whatever it had not committed was rolled back"
        )


class DatabaseWentAway(WorkerLost):
    """Recorded as a task's error when the database went away while its worker ran it:
    the worker lived on, but could not record how the task ended."""

    cause = "The database went away"
    detail = "a restart, a restore or a lost connection"

    def __init__(self, worker: str) -> None:
        Exception.__init__(
            self,
            f"the database went away while the worker {worker} ran this task ({self.detail}), "
            "so how it ended could not be recorded; whatever it had not committed was "
            "rolled back",
        )


def when_worker_lost(task: Task) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register what to do when ``task``'s worker dies mid-run (or the database goes away
    under it): ``handler(lost, **task_kwargs)``, ``lost`` the ``WorkerLost`` recorded."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        _LOST_HANDLERS[task.module_path] = handler
        return handler

    return register


def retry_when_lost(task: Task) -> Task:
    """Enqueue ``task`` again (same arguments) when its worker dies mid-run: for tasks
    that do no harm when run twice, such as refilling a cache."""

    def again(_lost: WorkerLost, /, **kwargs) -> None:
        task.enqueue(**kwargs)

    _LOST_HANDLERS[task.module_path] = again
    return task


def new_worker_id() -> str:
    # Host and process id, so that a worker on the same machine can tell at once that the
    # process is gone; the random tail tells apart two lives of one process id.
    return f"{HOST}:{os.getpid()}:{get_random_string(8)}"


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": HOST, "pid": os.getpid(), "seen_at": now},
        create_defaults={
            "host": HOST,
            "pid": os.getpid(),
            "seen_at": now,
            "started_at": started_at,
        },
    )


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_here(worker_id: str) -> bool | None:
    """Whether the process of a worker of this machine is running; None for a worker of
    another machine (or not one of ours), which only its heartbeat can tell of."""
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host == HOST and pid_text.isdigit():
        return _process_exists(int(pid_text))
    return None


def is_alive(worker_id: str, heartbeats: dict[str, datetime.datetime]) -> bool:
    here = process_here(worker_id)
    if here is not None:
        return here
    seen_at = heartbeats.get(worker_id)
    if seen_at is None:
        # Not one of ours (a plain db_worker) and never seen: leave it to its operator.
        return worker_id.count(":") != 2
    return timezone.now() - seen_at < STALE_AFTER


def report_lost(
    task_id: str, lost: Callable[[str], WorkerLost], *, worker_id: str | None = None
) -> str | None:
    """Mark a task left RUNNING failed with ``lost(its worker)`` and hand it to its task's
    handler, in one transaction; returns the task's path, or None when it is no longer
    running (another worker got there first), or ran last on a worker other than
    ``worker_id`` (when given). Raises ``DatabaseError`` when the database refuses."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        result = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(id=task_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        if result is None or not result.worker_ids:
            return None
        worker = result.worker_ids[-1]
        if worker_id is not None and worker != worker_id:
            return None
        error = lost(worker)
        result.set_failed(error)
        handler = _LOST_HANDLERS.get(result.task_path)
        if handler is not None:
            handler(error, **result.args_kwargs["kwargs"])
    return result.task_path


def sweep() -> list[str]:
    """Report the tasks of dead workers; returns their ids."""
    from django_tasks_db.models import DBTaskResult

    heartbeats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids")
    lost = {
        r.id: r.worker_ids[-1]
        for r in running
        if r.worker_ids and not is_alive(r.worker_ids[-1], heartbeats)
    }
    reported = []
    for task_id, worker in lost.items():
        try:
            task_path = report_lost(task_id, WorkerLost, worker_id=worker)
        except DatabaseError:
            # SQLite while another worker writes: the next sweep tries again.
            logger.warning("could not report task %s of a stopped worker yet", task_id)
            continue
        if task_path is None:
            continue  # another worker got there first
        logger.error("task %s (%s): its worker %s stopped", task_id, task_path, worker)
        reported.append(str(task_id))
    # Heartbeats of workers gone for long are of no more use.
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - 10 * STALE_AFTER).delete()
    return reported


def workers_alive() -> bool:
    """Whether any task worker has been heard from lately (for pages that wait on one)."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - STALE_AFTER).exists()
