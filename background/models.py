"""What the task workers share through the database, beyond the task queue itself."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker, refreshed every few seconds (background/liveness.py).

    A task left RUNNING by a worker whose heartbeat stopped (SIGKILL, a lost
    machine) is reported failed, or enqueued again, by the other workers.
    """

    worker_id = models.CharField(primary_key=True, max_length=64)
    host = models.CharField(max_length=255)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"worker {self.worker_id}"


class ScheduledRun(models.Model):
    """When a scheduled task (settings.SCHEDULED_TASKS) is next due; the worker that moves
    ``next_run_at`` on, in one UPDATE, is the one that enqueues it: once, however many
    workers run."""

    name = models.CharField(primary_key=True, max_length=100)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at:%Y-%m-%d %H:%M}"
