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

from background.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

STALE_AFTER = datetime.timedelta(seconds=60)
HOST = socket.gethostname()[:40]

# task path -> called with the lost task's kwargs, after the task is marked FAILED.
_LOST_HANDLERS: dict[str, Callable[..., None]] = {}


class WorkerLost(Exception):
    """Recorded as a task's error when its worker stopped while running it."""


def when_worker_lost(task: Task) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register what to do when ``task``'s worker dies mid-run: ``handler(**task_kwargs)``."""

    def register(handler: Callable[..., None]) -> Callable[..., None]:
        _LOST_HANDLERS[task.module_path] = handler
        return handler

    return register


def retry_when_lost(task: Task) -> Task:
    """Enqueue ``task`` again (same arguments) when its worker dies mid-run: for tasks
    that do no harm when run twice, such as refilling a cache."""

    def again(**kwargs) -> None:
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


def is_alive(worker_id: str, heartbeats: dict[str, datetime.datetime]) -> bool:
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host == HOST and pid_text.isdigit():
        return _process_exists(int(pid_text))
    seen_at = heartbeats.get(worker_id)
    if seen_at is None:
        # Not one of ours (a plain db_worker) and never seen: leave it to its operator.
        return worker_id.count(":") != 2
    return timezone.now() - seen_at < STALE_AFTER


def sweep() -> list[str]:
    """Report the tasks of dead workers; returns their ids."""
    from django_tasks_db.models import DBTaskResult

    heartbeats = dict(WorkerHeartbeat.objects.values_list("worker_id", "seen_at"))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids")
    lost = [r.id for r in running if r.worker_ids and not is_alive(r.worker_ids[-1], heartbeats)]
    reported = []
    for task_id in lost:
        try:
            with transaction.atomic():
                result = (
                    DBTaskResult.objects.select_for_update(skip_locked=True)
                    .filter(id=task_id, status=TaskResultStatus.RUNNING)
                    .first()
                )
                if result is None:
                    continue  # another worker got there first
                worker = result.worker_ids[-1]
                result.set_failed(
                    WorkerLost(
                        f"the worker {worker} stopped while running this task "
                        "(killed or crashed); whatever it had not committed was rolled back"
                    )
                )
                handler = _LOST_HANDLERS.get(result.task_path)
                if handler is not None:
                    handler(**result.args_kwargs["kwargs"])
        except DatabaseError:
            # SQLite while another worker writes: the next sweep tries again.
            logger.warning("could not report task %s of a stopped worker yet", task_id)
            continue
        logger.error("task %s (%s): its worker %s stopped", task_id, result.task_path, worker)
        reported.append(str(task_id))
    # Heartbeats of workers gone for long are of no more use.
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - 10 * STALE_AFTER).delete()
    return reported


def workers_alive() -> bool:
    """Whether any task worker has been heard from lately (for pages that wait on one)."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - STALE_AFTER).exists()
