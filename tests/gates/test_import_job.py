"""An import's own page and the list of imports; imports one at a time; a worker lost mid-import."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import liveness
from background.models import WorkerHeartbeat
from gates import import_jobs
from gates.models import ImportJob
from portfolio.models import Project

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"


def sample_files() -> dict:
    return {
        name: io.BytesIO((SAMPLE / name).read_bytes()) for name in import_jobs.interchange.FILES
    }


def page(job: ImportJob) -> str:
    return reverse("import_job", args=[job.pk])


def test_it_stores_the_files_and_queues_the_import(adam, database_tasks):
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)

    task = DBTaskResult.objects.get()
    assert task.task_path == "gates.import_jobs.run_import"
    assert task.args_kwargs["kwargs"] == {"job_id": job.pk}
    assert job.status == "waiting"
    assert job.upload_bytes == sum(
        (SAMPLE / n).stat().st_size for n in import_jobs.interchange.FILES
    )


def test_the_stored_pieces_give_back_every_byte_of_the_upload(adam, monkeypatch):
    """Pieces are written as binary parameters on PostgreSQL: each byte value, the pieces in
    order, a file that ends on a piece boundary."""
    monkeypatch.setattr(import_jobs, "PIECE_BYTES", 256)
    every_byte = bytes(range(256)) * 3  # exactly three pieces
    files = sample_files() | {import_jobs.interchange.OUTCOMES: io.BytesIO(every_byte)}

    job = import_jobs.start_import(files=files, replace=False, actor=adam)

    assert job.uploads.filter(file_name=import_jobs.interchange.OUTCOMES).count() == 3
    read_back = import_jobs._files(job)
    assert read_back[import_jobs.interchange.OUTCOMES].read() == every_byte
    spend = (SAMPLE / import_jobs.interchange.SPEND).read_bytes()
    assert read_back[import_jobs.interchange.SPEND].read() == spend


@pytest.mark.postgres
def test_postgresql_keeps_the_pieces_uncompressed():
    """Compressing 8 MB pieces was most of the time a large upload took to store."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'gates_importupload'::regclass AND attname = 'data'"
        )
        assert cursor.fetchone() == ("e",)


def test_the_worker_imports_and_the_page_shows_the_summary(client, adam, database_tasks):
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
    client.force_login(adam)

    result = import_jobs.run_import.call(job_id=job.pk)
    response = client.get(page(job))

    job.refresh_from_db()
    assert result.startswith("Imported 62 projects")
    assert job.status == "done"
    assert job.rows_checked == 62 + 146 + 620 + 99
    assert not job.uploads.exists()
    html = response.content.decode()
    assert "Imported 62 projects" in html
    assert "hx-trigger" not in html  # finished: no more polling
    assert Project.objects.count() == 62


def test_a_running_import_shows_its_phase_rows_and_time_and_is_polled(client, adam):
    job = ImportJob.objects.create(
        created_by=adam,
        status="running",
        phase="Checking spend.csv",
        rows_checked=120_000,
        started_at=timezone.now() - datetime.timedelta(seconds=75),
    )
    client.force_login(adam)

    response = client.get(page(job))
    poll = client.get(page(job), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "Checking spend.csv" in html
    assert "120,000" in html
    assert "1 min 15 s" in html
    assert 'hx-trigger="every 1s"' in html
    assert poll.status_code == 200
    assert "<html" not in poll.content.decode()
    assert "120,000" in poll.content.decode()


def test_polling_stops_once_the_import_has_finished(client, adam):
    job = ImportJob.objects.create(created_by=adam, status="done", summary="Imported 3 projects")
    client.force_login(adam)

    poll = client.get(page(job), headers={"HX-Request": "true"})

    assert poll.status_code == 286  # htmx: stop polling
    assert "Imported 3 projects" in poll.content.decode()


def test_a_second_import_waits_its_turn_and_says_so(client, adam, database_tasks):
    first = ImportJob.objects.create(created_by=adam, status="running", started_at=timezone.now())
    second = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
    DBTaskResult.objects.all().delete()
    client.force_login(adam)

    outcome = import_jobs.run_import.call(job_id=second.pk)
    response = client.get(page(second))

    second.refresh_from_db()
    assert "waiting" in outcome
    assert second.status == "waiting"
    assert not Project.objects.exists()
    later = DBTaskResult.objects.get()  # it looks again shortly
    assert later.run_after > timezone.now()
    html = response.content.decode()
    assert "Another import is running" in html
    assert f"import #{first.pk}" in html


def test_a_waiting_import_without_any_worker_says_so(client, adam):
    job = ImportJob.objects.create(created_by=adam)
    client.force_login(adam)

    without = client.get(page(job)).content.decode()
    WorkerHeartbeat.objects.create(
        worker_id="w", host="h", pid=1, started_at=timezone.now(), seen_at=timezone.now()
    )
    with_worker = client.get(page(job)).content.decode()

    assert "No task worker is running" in without
    assert "No task worker is running" not in with_worker


def test_an_import_whose_worker_died_is_shown_failed_with_the_reason(client, adam, database_tasks):
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, worker_ids=[f"{liveness.HOST}:999999999:gone"]
    )
    client.force_login(adam)

    liveness.sweep()
    response = client.get(page(job))

    job.refresh_from_db()
    assert job.status == "failed"
    assert not job.uploads.exists()
    assert "The task worker stopped during the import" in response.content.decode()
    assert not Project.objects.exists()
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    # No rerun of the import; the e-mail that tells its uploader it failed.
    assert list(queued.values_list("task_path", flat=True)) == ["background.mail.send_email"]


def test_the_list_shows_each_import_with_its_outcome(client, adam, django_assert_max_num_queries):
    for n in range(3):
        ImportJob.objects.create(created_by=adam, status="done", summary=f"Imported {n} projects")
    ImportJob.objects.create(created_by=adam, status="failed", problems=["a", "b"])
    client.force_login(adam)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("import_jobs"))

    html = response.content.decode()
    assert "Imported 2 projects" in html
    assert "2 problems" in html
    assert reverse("import_job", args=[ImportJob.objects.first().pk]) in html


def test_the_list_pages_through_every_import(client, adam, django_assert_max_num_queries):
    from gates.views.import_jobs import JOBS_LISTED

    ImportJob.objects.bulk_create(
        ImportJob(created_by=adam, status="done", summary=f"Imported {n} projects")
        for n in range(JOBS_LISTED + 5)
    )
    oldest = ImportJob.objects.order_by("pk").first()
    client.force_login(adam)

    first = client.get(reverse("import_jobs")).content.decode()
    with django_assert_max_num_queries(7):
        second = client.get(reverse("import_jobs"), {"page": 2}).content.decode()

    assert f"1 to {JOBS_LISTED} of {JOBS_LISTED + 5}" in first and 'rel="next"' in first
    assert reverse("import_job", args=[oldest.pk]) not in first
    assert reverse("import_job", args=[oldest.pk]) in second and 'rel="prev"' in second


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_imports_are_for_admins_only(client, adam, persona, request):
    job = ImportJob.objects.create(created_by=adam)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(page(job)).status_code == 403
    assert client.get(reverse("import_jobs")).status_code == 403


def test_more_problems_than_listed_are_counted_in_full(client, adam):
    listed = [f"spend.csv:{line}: category: 'misc' is not one of" for line in range(2, 1002)]
    job = ImportJob.objects.create(
        created_by=adam,
        status="failed",
        problems=[*listed, "… and 469,000 more problems not listed"],
    )
    client.force_login(adam)

    page_html = client.get(page(job)).content.decode()
    list_html = client.get(reverse("import_jobs")).content.decode()

    assert "470,000 problems in the files" in page_html
    assert "470,000 problems" in list_html
    assert "1001 problems" not in page_html + list_html


def test_the_summary_writes_counts_with_thousands_separators():
    from gates.interchange import ImportSummary

    summary = ImportSummary(
        projects_created=6000, decisions=12500, spend_entries=470000, outcomes=1200
    )

    assert str(summary).startswith(
        "Imported 6,000 projects, 12,500 gate decisions, 470,000 spend entries and "
        "1,200 outcome months"
    )


def test_a_list_cut_short_counts_the_rest_with_thousands_separators():
    from gates.interchange.format import MAX_LISTED_PROBLEMS, Problems, problem_total

    problems = Problems()
    for line in range(2, 2502):
        problems.add("spend.csv", line, "amount", "not money")

    lines = problems.as_list()

    assert lines[-1] == f"… and {2500 - MAX_LISTED_PROBLEMS:,} more problems not listed"
    assert problem_total(lines) == 2500


@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (datetime.timedelta(hours=2, minutes=5, seconds=9), "2 h 05 min"),
        (datetime.timedelta(days=2, hours=3, minutes=1), "2 d 3 h"),
    ],
)
def test_a_long_import_s_time_is_in_hours_or_days_not_thousands_of_minutes(
    client, adam, ago, shown
):
    job = ImportJob.objects.create(
        created_by=adam, status="running", phase="Writing", started_at=timezone.now() - ago
    )
    client.force_login(adam)

    html = client.get(page(job)).content.decode()

    assert f"<dd>{shown}</dd>" in html
