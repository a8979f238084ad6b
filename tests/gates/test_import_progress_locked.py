"""An import's progress while the database refuses the progress thread's write (SQLite: the
import holds the one write lock from start to end): the page reads it from the cache."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from gates import import_jobs
from gates.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(adam):
    job = ImportJob.objects.create(
        created_by=adam, status="running", phase="Starting", started_at=timezone.now()
    )
    yield job
    cache.delete(f"import-progress:{job.pk}")


def test_the_page_shows_the_progress_the_locked_database_could_not_take(
    client, adam, running, monkeypatch
):
    reporter = import_jobs._Reporter(running)
    reporter.progress("checking", "spend.csv", 470_000, finished=False)

    def locked(self, **values):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    reporter._write()
    monkeypatch.undo()

    running.refresh_from_db()
    assert (running.phase, running.rows_checked) == ("Starting", 0)  # as the database has it
    client.force_login(adam)
    job_page = client.get(reverse("import_job", args=[running.pk])).content.decode()
    listed = client.get(reverse("import_jobs")).content.decode()
    assert "spend.csv" in job_page and "470,000" in job_page
    assert "spend.csv" in listed


def test_on_sqlite_the_progress_goes_to_the_cache_without_waiting_for_the_lock(
    running, monkeypatch
):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    reporter = import_jobs._Reporter(running)
    reporter.progress("checking", "spend.csv", 1_000, finished=False)
    monkeypatch.setattr(QuerySet, "update", lambda self, **values: pytest.fail("waits"))
    reporter._write()
    monkeypatch.undo()
    assert import_jobs.with_live_progress([running])[0].rows_checked == 1_000


def test_a_finished_import_shows_its_own_numbers_not_a_kept_progress(client, adam, running):
    cache.set(f"import-progress:{running.pk}", ("Checking spend.csv", 12), 60)
    ImportJob.objects.filter(pk=running.pk).update(
        status="done", rows_checked=470_003, phase="Done", finished_at=timezone.now()
    )
    client.force_login(adam)
    job_page = client.get(reverse("import_job", args=[running.pk])).content.decode()
    assert "470,003" in job_page and "Checking spend.csv" not in job_page


def test_on_sqlite_the_cached_progress_says_when_and_is_refreshed_as_a_sign_of_life(
    running, monkeypatch
):
    """The page stops a stopped import's clock at it: the heartbeat cannot be written while
    the import holds SQLite's lock."""
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    reporter = import_jobs._Reporter(running)
    reporter.progress("writing", "projects.csv", 0, finished=False)
    reporter._write()
    key = f"import-progress:{running.pk}"
    phase, rows, first = cache.get(key)
    assert phase == "Writing projects.csv" and abs(first - time.time()) < 5

    cache.set(key, (phase, rows, first - 60), 60)
    reporter._write()  # nothing changed, and written a moment ago: left as it is
    assert cache.get(key)[2] == first - 60
    reporter._cached_at -= import_jobs.ALIVE_SECONDS
    reporter._write()  # nothing changed, but long enough ago: written again
    assert cache.get(key)[2] >= first
    monkeypatch.undo()

    (job,) = import_jobs.with_live_progress([running])
    assert abs(job.reported_at.timestamp() - time.time()) < 5


def test_a_progress_kept_without_its_time_is_still_read(running):
    """A worker of the version before kept (phase, rows)."""
    cache.set(f"import-progress:{running.pk}", ("Checking spend.csv", 12), 60)
    (job,) = import_jobs.with_live_progress([running])
    assert (job.phase, job.rows_checked, job.reported_at) == ("Checking spend.csv", 12, None)
