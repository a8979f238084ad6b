"""A worker that dies around the import's commit: the job says what the database holds.

The job is marked done inside the import's own transaction, so a worker killed
after the commit leaves an import that shows as imported, with its summary, and
the lost-worker handling (background/liveness.py) never calls it "nothing was
written"; one killed before the commit leaves nothing, and the job failed.
Real transactions (``transaction=True``): the import commits, as in a worker.
"""

from __future__ import annotations

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import liveness
from gates import import_jobs, interchange
from gates.models import ImportJob
from portfolio.models import Project
from tests.gates.test_import_job import sample_files

pytestmark = pytest.mark.django_db(transaction=True)


def killed_worker_reported() -> None:
    """The task was left running by a worker whose process is gone; a worker sweeps."""
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, worker_ids=[f"{liveness.HOST}:999999999:gone"]
    )
    assert liveness.sweep()


def test_a_worker_killed_after_the_commit_leaves_the_import_imported(
    client, adam, database_tasks, monkeypatch
):
    def killed(*args, **kwargs):
        raise SystemExit("SIGKILL, right after the import's COMMIT")

    # The first step after the commit (the tables' vacuum on PostgreSQL).
    monkeypatch.setattr(interchange, "tidy_after_import", killed)
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    with pytest.raises(SystemExit):
        import_jobs.run_import.call(job_id=job.pk)
    killed_worker_reported()

    job.refresh_from_db()
    assert Project.objects.count() == 62  # the import committed
    assert job.status == ImportJob.Status.DONE
    assert job.summary.startswith("Imported 62 projects")
    assert job.phase.startswith("Done in")
    assert job.rows_checked == 62 + 146 + 620 + 99
    assert job.finished_at is not None
    assert not job.uploads.exists()
    client.force_login(adam)
    html = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "Imported 62 projects" in html
    assert "nothing of it was written" not in html
    assert "nothing was imported" not in html


def test_a_worker_killed_before_the_commit_leaves_nothing_and_the_job_failed(
    adam, database_tasks, monkeypatch
):
    """Killed once the job is marked done but before the COMMIT: that mark is rolled back
    with the data, so the job is not done, and the sweep reports it failed."""
    finish = import_jobs._finish

    def marked_then_killed(job_id, **fields):
        ended = finish(job_id, **fields)
        if fields["status"] == ImportJob.Status.DONE:
            raise SystemExit("SIGKILL, before the import's COMMIT")
        return ended

    monkeypatch.setattr(import_jobs, "_finish", marked_then_killed)
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    with pytest.raises(SystemExit):
        import_jobs.run_import.call(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # as the dead worker left it
    killed_worker_reported()

    job.refresh_from_db()
    assert not Project.objects.exists()
    assert job.status == ImportJob.Status.FAILED
    assert "nothing of it was written" in job.failure
    assert job.summary == ""
    assert not job.uploads.exists()


def test_a_failure_after_the_commit_does_not_undo_the_done(adam, database_tasks, monkeypatch):
    """An ordinary error after the commit: the job stays done (and the error is raised)."""

    def broken(*args, **kwargs):
        raise RuntimeError("after the commit")

    monkeypatch.setattr(interchange, "tidy_after_import", broken)
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    with pytest.raises(RuntimeError):
        import_jobs.run_import.call(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.summary.startswith("Imported 62 projects")
    assert job.failure == ""
    assert job.finished_at <= timezone.now()
