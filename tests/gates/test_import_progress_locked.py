"""An import's progress while the database refuses the progress thread's write (SQLite: the
import holds the one write lock from start to end): the page reads it from the cache."""

from __future__ import annotations

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
