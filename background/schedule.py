"""Scheduled work, run by the task workers themselves (no cron on one machine).

``settings.SCHEDULED_TASKS`` names each scheduled task and when it is due::

    SCHEDULED_TASKS = {
        "weekly-zombie-digest": {"task": "portfolio.tasks.send_weekly_digest",
                                 "weekday": 0, "at": "07:00"},   # Mondays, 07:00
        "vote-reminders": {"task": "gates.tasks.send_vote_reminders", "at": "08:00"},  # daily
        "heartbeat-check": {"task": "…", "every_minutes": 15},
    }

``task`` is the dotted path of a function decorated with ``django.tasks.task``
that takes no arguments; times are in ``settings.TIME_ZONE``. Every few
seconds each worker calls ``tick``: the worker whose UPDATE moves a due
entry's ``next_run_at`` on enqueues it, in the same transaction, so a task is
enqueued once per due time whatever the number of workers, and a time missed
while no worker ran is caught up once (not once per missed period).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.tasks.base import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from background.models import ScheduledRun

logger = logging.getLogger(__name__)


def _time_of_day(name: str, text: str) -> datetime.time:
    try:
        return datetime.time.fromisoformat(text)
    except ValueError:
        raise ImproperlyConfigured(
            f"SCHEDULED_TASKS[{name!r}]['at'] is {text!r}: give a time as HH:MM."
        ) from None


def next_due(name: str, spec: dict, after: datetime.datetime) -> datetime.datetime:
    """The first time strictly after ``after`` when the entry is due."""
    if "every_minutes" in spec:
        minutes = int(spec["every_minutes"])
        if minutes < 1:
            raise ImproperlyConfigured(f"SCHEDULED_TASKS[{name!r}]: every_minutes must be ≥ 1.")
        return after + datetime.timedelta(minutes=minutes)
    at = _time_of_day(name, spec.get("at", "00:00"))
    local = timezone.localtime(after)
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    weekday = spec.get("weekday")
    while candidate <= local or (weekday is not None and candidate.weekday() != int(weekday)):
        candidate = timezone.make_aware(
            datetime.datetime.combine(candidate.date() + datetime.timedelta(days=1), at)
        )
    return candidate


def _task(name: str, spec: dict) -> Task:
    task = import_string(spec["task"])
    if not isinstance(task, Task):
        raise ImproperlyConfigured(
            f"SCHEDULED_TASKS[{name!r}]: {spec['task']} is not a task (use @task)."
        )
    return task


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every scheduled task that is due; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for name, spec in getattr(settings, "SCHEDULED_TASKS", {}).items():
        task = _task(name, spec)
        ScheduledRun.objects.get_or_create(
            name=name, defaults={"next_run_at": next_due(name, spec, now)}
        )
        with transaction.atomic():
            due = ScheduledRun.objects.filter(name=name, next_run_at__lte=now).update(
                next_run_at=next_due(name, spec, now), last_enqueued_at=now
            )
            if due:
                task.enqueue()
        if due:
            logger.info("scheduled task %s enqueued", name)
            enqueued.append(name)
    return enqueued
