"""An import's progress says when it was reported, on PostgreSQL as on SQLite.

The progress thread wrote the phase and rows to the job's row on PostgreSQL, and to the
cache, with the time, only on SQLite (whose write lock the import holds): on PostgreSQL the
page had no time of the last progress (``with_live_progress``'s ``reported_at`` was None),
and a stopped import's clock went by the worker's heartbeat alone. The progress and its time
now go to the cache on both databases (gates/import_jobs.py, ``_Reporter``), and the row too
on PostgreSQL.
"""

from __future__ import annotations

import datetime
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from gates import import_jobs
from gates.models import ImportJob
from tests.gates.test_import_worker_stopped_page import (
    DEAD_HERE,
    heard,
    running,
    status_of,
    stopped_after,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(adam):
    job = ImportJob.objects.create(
        created_by=adam, status="running", phase="Starting", started_at=timezone.now()
    )
    yield job
    cache.delete(import_jobs._progress_key(job.pk))


def reported(job: ImportJob, *, ago: float = 0) -> None:
    """The worker's progress thread reports 470,000 rows of spend.csv checked, ``ago``
    seconds ago."""
    reporter = import_jobs._Reporter(job)
    reporter.progress("checking", "spend.csv", 470_000, finished=False)
    then = SimpleNamespace(time=lambda: time.time() - ago, monotonic=time.monotonic)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_jobs, "time", then)
        reporter._write()


def test_the_progress_says_when_it_was_reported(job):
    reported(job)

    (shown,) = import_jobs.with_live_progress([ImportJob.objects.get(pk=job.pk)])

    assert (shown.phase, shown.rows_checked) == ("Checking spend.csv", 470_000)
    assert shown.reported_at is not None
    assert abs(shown.reported_at.timestamp() - time.time()) < 5


@pytest.mark.postgres
def test_on_postgresql_the_row_has_the_progress_and_the_cache_its_time(job):
    reported(job)

    job.refresh_from_db()
    assert (job.phase, job.rows_checked) == ("Checking spend.csv", 470_000)
    phase, rows, when = cache.get(import_jobs._progress_key(job.pk))
    assert (phase, rows) == ("Checking spend.csv", 470_000) and abs(when - time.time()) < 5


def test_a_stopped_imports_clock_stops_at_its_last_progress(client, adam, database_tasks):
    """On either database: its worker's last heartbeat is from before the import started."""
    stopped = running(adam, DEAD_HERE)  # started 2 min ago
    heard(DEAD_HERE, ago=datetime.timedelta(minutes=3))
    reported(stopped, ago=80)
    try:
        html = status_of(client, adam, stopped)
    finally:
        cache.delete(import_jobs._progress_key(stopped.pk))

    assert "Checking spend.csv" in html and "470,000" in html
    assert 39 <= stopped_after(html) <= 41
