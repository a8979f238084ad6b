"""Housekeeping the workers schedule for themselves (``settings.SCHEDULED_TASKS``)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@task
def prune_task_results() -> str:
    """Delete finished task results older than ``TASK_RESULTS_KEPT_DAYS`` (failed ones are kept
    ``TASK_FAILURES_KEPT_DAYS``, to be read after a holiday); queued and running ones stay."""
    now = timezone.now()
    kept = now - datetime.timedelta(days=settings.TASK_RESULTS_KEPT_DAYS)
    failures_kept = now - datetime.timedelta(days=settings.TASK_FAILURES_KEPT_DAYS)
    old = DBTaskResult.objects.finished().filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=kept
    ) | DBTaskResult.objects.finished().filter(
        status=TaskResultStatus.FAILED, finished_at__lt=failures_kept
    )
    deleted, _ = old.delete()
    return f"{deleted} old task result{'s' if deleted != 1 else ''} deleted"
