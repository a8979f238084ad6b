"""The portfolio's background tasks: the metrics refresh after each change, the digests.

Run by the task worker (``manage.py run_worker``); the schedule is
``settings.SCHEDULED_TASKS`` (background/schedule.py).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from background.liveness import retry_when_lost
from portfolio import versioning
from portfolio.models import ProjectChange, SpendChange

logger = logging.getLogger(__name__)

# Spend and project changes older than this many data versions are deleted by the refresh.
KEEP_SPEND_CHANGES = 1000


@task
def refresh_metrics(*, version: int) -> str:
    """Fill the cache with the default dashboard and API answers, so readers do not wait.

    One task per change; when more changes came meanwhile, only the newest
    version's task computes (a reader that still finds an old version computes
    for itself, under a lock: background.cache.computed_once).
    """
    from portfolio.dashboard.views import refill_cache

    current = versioning.current()
    if current > version:
        return f"skipped: version {current} is newer than {version}"
    refill_cache(current)
    # The spend and project changes a refresh would merge are those since the last numbers
    # kept: older ones only make a process that kept numbers that old compute in full, as it
    # would anyway.
    SpendChange.objects.filter(version__lte=current - KEEP_SPEND_CHANGES).delete()
    ProjectChange.objects.filter(version__lte=current - KEEP_SPEND_CHANGES).delete()
    return f"refilled for version {current}"


retry_when_lost(refresh_metrics)


def _enqueue_refresh() -> None:
    refresh_metrics.enqueue(version=versioning.current())


def refresh_after_commit() -> None:
    """Called by every change (versioning.bump): enqueue a refresh once it commits.

    One refresh per transaction, however many changes it makes (a decision with its
    scores and notices, an import, the demo): a second request waits in the list of
    callbacks already. Django drops a callback with the savepoint it was asked in, so a
    change after a rolled-back savepoint asks again.
    """
    if not settings.METRICS_REFRESH:
        return
    connection = transaction.get_connection()
    if any(func is _enqueue_refresh for _, func, _ in connection.run_on_commit):
        return
    # robust: a refresh that cannot be queued costs readers time, never the change itself.
    transaction.on_commit(_enqueue_refresh, robust=True)


@task
def refresh_metrics_for_the_day() -> str:
    """At the start of each day (scheduled), the default dashboard and API answers as of
    the new day: numbers as of another day are computed in full (about 300 ms at 1M spend
    rows), and so the worker pays that once, before the day's first reader."""
    from portfolio.dashboard.views import refill_cache

    current = versioning.current()
    refill_cache(current)
    return f"refilled for version {current}, as of {timezone.localdate():%Y-%m-%d}"


@task
def send_weekly_digest() -> str:
    """The weekly zombie digest to each product manager (scheduled: settings.SCHEDULED_TASKS)."""
    from portfolio.services.notifications import send_digests

    told = send_digests()
    return f"{told} product manager{'s' if told != 1 else ''} told of their zombie projects"


@task
def send_daily_digest() -> str:
    """The daily e-mail of notifications people chose to get as a digest (scheduled)."""
    from portfolio.services.notifications import send_daily_digests

    sent = send_daily_digests()
    return f"{sent} daily digest{'s' if sent != 1 else ''} sent"
