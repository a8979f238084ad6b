"""The workers' daily housekeeping: old task results go, recent ones and unfinished ones stay."""

from __future__ import annotations

import datetime
from importlib import import_module

import pytest
from django.conf import settings as project_settings
from django.tasks import TaskResultStatus
from django.tasks.base import Task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.tasks import prune_task_results
from portfolio.tasks import refresh_metrics

pytestmark = pytest.mark.django_db


def result(status: str | None, days_ago: int) -> DBTaskResult:
    queued = refresh_metrics.enqueue(version=1)
    row = DBTaskResult.objects.get(id=queued.id)
    if status is not None:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        DBTaskResult.objects.filter(id=row.id).update(
            status=status, started_at=when, finished_at=when
        )
    return row


def test_old_results_are_pruned_failures_later_and_queued_never(database_tasks, settings):
    settings.TASK_RESULTS_KEPT_DAYS = 14
    settings.TASK_FAILURES_KEPT_DAYS = 60
    old_success = result(TaskResultStatus.SUCCESSFUL, 20)
    recent_success = result(TaskResultStatus.SUCCESSFUL, 3)
    month_old_failure = result(TaskResultStatus.FAILED, 30)
    ancient_failure = result(TaskResultStatus.FAILED, 90)
    queued = result(None, 0)
    DBTaskResult.objects.filter(id=queued.id).update(
        enqueued_at=timezone.now() - datetime.timedelta(days=100)
    )

    said = prune_task_results.call()

    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert left == {recent_success.id, month_old_failure.id, queued.id}
    assert old_success.id not in left and ancient_failure.id not in left
    assert said == "2 old task results deleted"


def test_every_scheduled_task_names_a_task_that_takes_no_arguments():
    for name, spec in project_settings.SCHEDULED_TASKS.items():
        module, _, attribute = spec["task"].rpartition(".")
        scheduled = getattr(import_module(module), attribute)
        assert isinstance(scheduled, Task), name
        scheduled.call()  # runs without arguments (and with nothing to do, does nothing)
