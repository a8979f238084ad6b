"""A running import whose task worker stopped: its page says so, and what to do.

Another worker reports such an import failed (background/liveness.py); with a
single worker, nothing does until one runs again, and the page used to show the
last phase for ever. Once the worker's process is gone (a worker of this machine, at
once) or its heartbeat is stale (of another), the page says the worker stopped, that nothing of the
import is written, and to start a worker. The list of imports ("All imports") says
the same of each such import, judged for the whole page in a few queries.
"""

from __future__ import annotations

import datetime
import os
import re
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.tasks import TaskResultStatus
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import liveness
from background.models import WorkerHeartbeat
from gates import import_jobs
from gates.models import ImportJob
from tests.gates.test_import_job import sample_files

pytestmark = pytest.mark.django_db

DEAD_HERE = f"{liveness.HOST}:999999999:gone"  # this machine, no such process
ALIVE_HERE = f"{liveness.HOST}:{os.getpid()}:alive"  # this test's own process
ELSEWHERE = "another-host:4242:abcdefgh"  # only its heartbeat tells


def running(adam, worker: str) -> ImportJob:
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
    ImportJob.objects.filter(pk=job.pk).update(
        status="running",
        phase="Writing spend.csv",
        rows_checked=927,
        started_at=timezone.now() - datetime.timedelta(minutes=2),
    )
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[worker]
    )
    return job


def heard(worker: str, ago: datetime.timedelta = datetime.timedelta(0)) -> None:
    seen = timezone.now() - ago
    WorkerHeartbeat.objects.create(
        worker_id=worker, host=worker.partition(":")[0], pid=1, started_at=seen, seen_at=seen
    )


def status_of(client, adam, job: ImportJob) -> str:
    client.force_login(adam)
    url = reverse("import_job", args=[job.pk])
    page = client.get(url).content.decode()
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 200  # still polled: a worker that starts reports it failed
    assert poll.content.decode() in page
    return poll.content.decode()


def test_a_single_worker_gone_mid_import_is_said_with_what_to_do(client, adam, database_tasks):
    job = running(adam, DEAD_HERE)
    heard(DEAD_HERE, ago=liveness.STALE_AFTER + datetime.timedelta(seconds=5))

    html = status_of(client, adam, job)

    assert "Stopped: its task worker is gone" in html
    assert "No task worker is running: the one running this import stopped" in html
    assert "nothing of it is written" in html
    assert "python manage.py run_worker" in html
    assert "it marks this import failed" in html
    assert "Writing spend.csv" in html  # where it stopped
    assert "the import goes on" not in html


def test_a_worker_gone_while_others_run_says_they_report_it(client, adam, database_tasks):
    job = running(adam, DEAD_HERE)
    heard("another-host:1:othersss")

    html = status_of(client, adam, job)

    assert "The task worker running this import stopped" in html
    assert "another task worker reports it failed within a minute" in html
    assert "No task worker is running" not in html


def test_a_worker_of_this_machine_whose_process_runs_is_importing(client, adam, database_tasks):
    """On SQLite the import holds the write lock, so its worker's heartbeat goes stale while
    it imports: a process still there is a worker still importing."""
    job = running(adam, ALIVE_HERE)
    heard(ALIVE_HERE, ago=liveness.STALE_AFTER * 3)

    html = status_of(client, adam, job)

    assert "Importing" in html
    assert "the import goes on" in html
    assert "stopped" not in html


@pytest.mark.parametrize(
    ("ago", "stopped"),
    [(datetime.timedelta(seconds=5), False), (liveness.STALE_AFTER * 2, True), (None, True)],
)
def test_a_worker_of_another_machine_is_judged_by_its_heartbeat(
    client, adam, database_tasks, ago, stopped
):
    job = running(adam, ELSEWHERE)
    if ago is not None:
        heard(ELSEWHERE, ago=ago)

    html = status_of(client, adam, job)

    assert ("No task worker is running" in html) is stopped
    assert ("the import goes on" in html) is not stopped


def test_a_running_import_without_a_stored_task_is_left_as_it_is(client, adam):
    """Tasks run in the web process (no task table in use): nothing to tell."""
    job = ImportJob.objects.create(
        created_by=adam, status="running", phase="Checking spend.csv", started_at=timezone.now()
    )

    html = status_of(client, adam, job)

    assert "the import goes on" in html


def test_once_a_worker_runs_the_page_says_the_import_failed(client, adam, database_tasks):
    job = running(adam, DEAD_HERE)

    liveness.sweep()  # what a worker does when it starts
    client.force_login(adam)
    poll = client.get(reverse("import_job", args=[job.pk]), headers={"HX-Request": "true"})

    assert poll.status_code == 286
    assert "nothing of it was written" in poll.content.decode()


# --- How long a stopped import ran ----------------------------------------------------------


def stopped_after(html: str) -> int:
    """The seconds the page says a stopped import ran."""
    found = re.search(r"<dt>Stopped after</dt><dd>(?:(\d+) min )?(\d+) s</dd>", html)
    assert found, html
    return int(found[1] or 0) * 60 + int(found[2])


def test_a_stopped_imports_clock_stops_at_its_workers_last_heartbeat(client, adam, database_tasks):
    """ "Elapsed" went on counting (1 min 16 s, 1 min 36 s, ...) for an import that stopped
    at 4 s."""
    job = running(adam, DEAD_HERE)  # started 2 min ago
    heard(DEAD_HERE, ago=liveness.STALE_AFTER + datetime.timedelta(seconds=5))

    html = status_of(client, adam, job)

    assert "Elapsed" not in html
    assert 54 <= stopped_after(html) <= 56  # 120 s ago to 65 s ago


def test_on_sqlite_a_stopped_imports_clock_stops_at_its_last_progress(client, adam, database_tasks):
    """The import holds SQLite's write lock: its worker's heartbeat stays where it was when
    the import started, and the progress in the cache is the last sign of life."""
    job = running(adam, DEAD_HERE)  # started 2 min ago
    heard(DEAD_HERE, ago=datetime.timedelta(minutes=3))
    key = import_jobs._progress_key(job.pk)
    cache.set(key, ("Checking spend.csv", 470_000, time.time() - 80), 60)
    try:
        html = status_of(client, adam, job)
    finally:
        cache.delete(key)

    assert "Checking spend.csv" in html and "470,000" in html
    assert 39 <= stopped_after(html) <= 41


# A stopped import whose worker left no sign of life after its start (it said "0 s", or
# counted to now): tests/gates/test_import_stopped_without_sign_of_life.py.


def test_a_live_imports_clock_goes_on(client, adam, database_tasks):
    job = running(adam, ALIVE_HERE)  # started 2 min ago
    heard(ALIVE_HERE, ago=datetime.timedelta(seconds=90))

    html = status_of(client, adam, job)

    assert "<dt>Elapsed</dt><dd>2 min 0" in html and "Stopped after" not in html


# --- An import waiting behind a stopped one -------------------------------------------------


def waiting_behind(adam, worker: str) -> tuple[ImportJob, ImportJob]:
    """A running import on ``worker``, and a second one uploaded after it, waiting."""
    ahead = running(adam, worker)
    waiting = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
    assert waiting.status == ImportJob.Status.WAITING
    return ahead, waiting


def test_an_import_waiting_behind_one_whose_worker_stopped_says_none_runs(
    client, adam, database_tasks
):
    """It said "Another import is running … starts when it has finished" for ever."""
    ahead, waiting = waiting_behind(adam, DEAD_HERE)
    heard(DEAD_HERE, ago=liveness.STALE_AFTER + datetime.timedelta(seconds=5))

    html = " ".join(status_of(client, adam, waiting).split())

    assert "Waiting to start" in html
    assert f"import #{ahead.pk}</a>, uploaded by" in html
    assert "has stopped: its task worker is gone" in html
    assert "No task worker is running to continue" in html
    assert "python manage.py run_worker" in html
    assert f"it marks import #{ahead.pk} failed, then starts this one" in html
    assert "starts when it has finished" not in html


def test_an_import_waiting_behind_a_stopped_one_while_others_run(client, adam, database_tasks):
    _, waiting = waiting_behind(adam, DEAD_HERE)
    heard("another-host:1:othersss")

    html = " ".join(status_of(client, adam, waiting).split())

    assert "has stopped: its task worker is gone" in html
    assert "Another task worker reports it failed within a minute, then starts this one" in html
    assert "No task worker is running" not in html


def test_an_import_waiting_behind_a_running_one_waits_for_it(client, adam, database_tasks):
    ahead, waiting = waiting_behind(adam, ALIVE_HERE)
    heard(ALIVE_HERE)

    html = " ".join(status_of(client, adam, waiting).split())

    assert f'Another import is running (<a href="{reverse("import_job", args=[ahead.pk])}">' in html
    assert "starts when it has finished" in html
    assert "stopped" not in html


# --- The list of imports says so too ------------------------------------------------------


def running_imports(adam, workers: list[str]) -> list[ImportJob]:
    """One running import per worker, each with its task RUNNING on that worker."""
    jobs = []
    for worker in workers:
        job = import_jobs.start_import(files={}, replace=False, actor=adam)
        ImportJob.objects.filter(pk=job.pk).update(
            status="running", phase="Writing spend.csv", started_at=timezone.now()
        )
        DBTaskResult.objects.filter(args_kwargs__kwargs__job_id=job.pk).update(
            status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[worker]
        )
        jobs.append(job)
    return jobs


def rows_of(client, adam) -> dict[str, str]:
    """The list's rows, by the import's number: the text of its cells."""
    client.force_login(adam)
    html = client.get(reverse("import_jobs")).content.decode()
    rows = {}
    for row in html.split("<tr>")[2:]:
        number = row.split(">#", 1)[1].split("<", 1)[0]
        rows[number] = " ".join(row.split("</tr>", 1)[0].split())
    return rows


def test_the_list_says_which_running_imports_lost_their_worker(client, adam, database_tasks):
    stopped, importing = running_imports(adam, [DEAD_HERE, ALIVE_HERE])

    rows = rows_of(client, adam)

    assert "Stopped: its task worker is gone" in rows[str(stopped.pk)]
    assert "Last phase: Writing spend.csv. Nothing of it is written" in rows[str(stopped.pk)]
    assert "no task worker is running" in rows[str(stopped.pk)]  # none heard from
    assert "Stopped" not in rows[str(importing.pk)]
    assert "Running" in rows[str(importing.pk)]


def test_the_list_with_other_workers_running_does_not_say_none_runs(client, adam, database_tasks):
    (stopped,) = running_imports(adam, [DEAD_HERE])
    heard("another-host:1:othersss")

    row = rows_of(client, adam)[str(stopped.pk)]

    assert "Stopped: its task worker is gone" in row
    assert "no task worker is running" not in row


def test_the_list_judges_every_worker_in_the_same_few_queries(
    client, adam, database_tasks, django_assert_max_num_queries
):
    running_imports(adam, [DEAD_HERE])
    client.force_login(adam)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("import_jobs"))

    running_imports(adam, [DEAD_HERE, ALIVE_HERE, ELSEWHERE] * 4)
    with django_assert_max_num_queries(len(one)):
        html = client.get(reverse("import_jobs")).content.decode()

    assert html.count("Stopped: its task worker is gone") == 1 + 4 + 4  # ELSEWHERE: unheard


def test_a_worker_of_this_machine_killed_a_moment_ago_is_said_stopped_at_once(
    client, adam, database_tasks
):
    """Its heartbeat is still fresh (seconds old), but its process is gone: the page says so
    at its next poll, not a minute later when the heartbeat is stale."""
    job = running(adam, DEAD_HERE)
    heard(DEAD_HERE, ago=datetime.timedelta(seconds=3))

    html = status_of(client, adam, job)

    assert "Stopped: its task worker is gone" in html
    assert "Importing" not in html
