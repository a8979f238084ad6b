"""The task worker outlives a database that goes away for a while (qa-ops H3).

``pg_restore --clean`` drops every table and makes it again; the worker's next
poll then met ``relation "django_tasks_database_dbtaskresult" does not exist``
and the process ended for good. Here a real ``run_worker`` process runs on the
test database while its task table is dropped and made again (and every
connection to the database cut, as a restart does): it waits, says so once,
says when the database is back, and runs a task enqueued afterwards. SIGTERM
still stops it at once while it waits.

A task running when the database goes away cannot record how it ended; its row
stayed RUNNING under a worker that is alive, so nothing ever reported it (an
import showed "Importing…" for ever). Once the database is back the worker
reports it failed itself: the import's job failed, nothing of it written; a task
declared ``retry_when_lost`` enqueued again.
"""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from background import liveness
from background.management.commands.run_worker import Command as RunWorkerCommand
from gates import import_jobs
from gates.models import ImportJob
from portfolio.models import DataVersion, Project
from portfolio.tasks import refresh_metrics
from tests.gates.test_import_job import sample_files

TABLE = DBTaskResult._meta.db_table
AWAY = "the database is unavailable"
BACK = "the database is back"


def database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def worker(transactional_db, database_tasks, tmp_path):
    """A ``run_worker`` process on the test database; its output in ``worker.log``."""
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url(), "TASKS_BACKEND": "database"}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.log_path = log_path
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        connections_allowed()  # whatever happened, the next tests need the database
        table_back()  # and the table


def output(process) -> str:
    return Path(process.log_path).read_text(errors="replace")


def wait_for(condition, seconds: float, what: str, process) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the worker exited ({what}):\n{output(process)}"
        time.sleep(0.1)
    pytest.fail(f"not within {seconds} s: {what}\n{output(process)}")


def run_a_task(process) -> None:
    result = refresh_metrics.enqueue(version=0)
    wait_for(
        lambda: DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL,
        30,
        "the worker ran a task",
        process,
    )


def table_dropped(*, with_rows: bool = False) -> None:
    """As pg_restore --clean does: the table is gone (a copy waits to be put back: empty,
    or with the rows of a dump taken just now), and, as a restart does, every other
    connection to the database is cut."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{TABLE}_restored" (LIKE "{TABLE}" INCLUDING ALL)')
        if with_rows:
            cursor.execute(f'INSERT INTO "{TABLE}_restored" SELECT * FROM "{TABLE}"')
        cursor.execute(f'DROP TABLE "{TABLE}"')
    cut_connections()


def cut_connections() -> None:
    """Every other connection to the database ends, as in a restart."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def connections_refused() -> None:
    """The database is down for a while: no new connection, every other one cut (this
    test's own stays)."""
    allow_connections(False)
    cut_connections()


def connections_allowed() -> None:
    allow_connections(True)


def allow_connections(allowed: bool) -> None:
    # PostgreSQL takes this from another database only ("cannot disallow connections for
    # current database"): the maintenance database, postgres.
    import psycopg

    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    maintenance = database_url().rpartition("/")[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as other:
        other.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS {str(allowed).lower()}")


def table_locked(model):
    """A session of its own holding ``model``'s table: a task that reads it waits there,
    mid-run, until the session ends (its transaction is never committed)."""
    import psycopg

    holder = psycopg.connect(database_url(), autocommit=False)
    holder.execute(f'LOCK TABLE "{model._meta.db_table}" IN ACCESS EXCLUSIVE MODE')
    return holder


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def table_back() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s), to_regclass(%s)", [TABLE, f"{TABLE}_restored"])
        present, restored = cursor.fetchone()
        if present is None and restored is not None:
            cursor.execute(f'ALTER TABLE "{TABLE}_restored" RENAME TO "{TABLE}"')


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_the_worker_waits_out_a_restore_and_runs_the_tasks_after_it(worker):
    run_a_task(worker)

    table_dropped()
    wait_for(lambda: AWAY in output(worker), 15, "the worker said the database is away", worker)
    time.sleep(2.5)  # a few of its tries fail, 1 s then 2 s apart
    table_back()
    run_a_task(worker)

    assert worker.poll() is None
    said = output(worker)
    assert said.count(AWAY) == 1, said  # once per outage, not once per try
    assert said.count(BACK) == 1, said
    assert "Traceback" not in said, said
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_sigterm_stops_a_worker_waiting_for_the_database_at_once(worker):
    run_a_task(worker)
    table_dropped()
    wait_for(lambda: AWAY in output(worker), 15, "the worker said the database is away", worker)

    asked = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    code = worker.wait(timeout=10)

    assert code == 0, output(worker)
    assert time.monotonic() - asked < 3


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_an_import_running_when_the_database_goes_away_is_shown_failed_once_it_is_back(
    worker, adam, client
):
    holder = table_locked(Project)
    try:
        job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
        wait_for(waiting_on_a_lock, 30, "the import is under way (waits for the table)", worker)
        connections_refused()
        wait_for(lambda: AWAY in output(worker), 15, "the worker said the database is away", worker)
    finally:
        holder.close()
    time.sleep(1.5)  # a try or two fail
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING  # nothing could record its end meanwhile

    connections_allowed()
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).status != ImportJob.Status.RUNNING,
        30,
        "the import was reported failed",
        worker,
    )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.failure == (
        "The database went away during the import (a restart, a restore or a lost "
        "connection). The import is one transaction, so nothing of it was written: upload "
        "the files again."
    )
    assert job.phase == "Failed: nothing was imported"
    assert not job.uploads.exists()
    assert Project.objects.count() == 0
    task = DBTaskResult.objects.get(task_path=import_jobs.run_import.module_path)
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "background.liveness.DatabaseWentAway"
    client.force_login(adam)
    html = client.get(reverse("import_job", args=[job.pk])).content.decode()
    assert "nothing of it was written: upload the files again" in html
    assert "Importing" not in html
    said = output(worker)
    assert said.count(AWAY) == 1, said
    # An outage reads as one: the import logged its own traceback first (an OperationalError
    # from inside it), before the worker's one line.
    assert "Traceback" not in said, said
    assert f"import #{job.pk} failed" not in said, said
    assert worker.poll() is None  # and it runs the next one
    run_a_task(worker)


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_a_task_safe_to_run_again_is_run_again_after_a_restore_cut_it_short(worker):
    """refresh_metrics is declared retry_when_lost: reported failed, and enqueued again."""
    assert liveness._LOST_HANDLERS[refresh_metrics.module_path] is not None
    holder = table_locked(DataVersion)
    try:
        cut_short = refresh_metrics.enqueue(version=0)
        wait_for(waiting_on_a_lock, 30, "the refresh is under way (waits for the table)", worker)
        # A dump taken now holds the refresh RUNNING under this worker; restored as it was.
        table_dropped(with_rows=True)
        wait_for(lambda: AWAY in output(worker), 15, "the worker said the database is away", worker)
    finally:
        holder.close()
    time.sleep(1.5)
    table_back()

    def ran_again() -> bool:
        return DBTaskResult.objects.filter(
            task_path=refresh_metrics.module_path, status=TaskResultStatus.SUCCESSFUL
        ).exists()

    wait_for(ran_again, 30, "the refresh was run again", worker)
    first = DBTaskResult.objects.get(id=cut_short.id)
    assert first.status == TaskResultStatus.FAILED
    assert first.exception_class_path == "background.liveness.DatabaseWentAway"
    assert "the database went away while the worker" in first.traceback
    again = DBTaskResult.objects.exclude(id=cut_short.id).get(task_path=refresh_metrics.module_path)
    assert again.args_kwargs["kwargs"] == {"version": 0}
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    said = output(worker)
    assert said.count(AWAY) == 1, said
    assert said.count(BACK) == 1, said
    assert "the database went away while task worker" in said, said


def test_run_worker_takes_what_db_worker_takes():
    """run_worker builds the worker as db_worker's handle does (background/worker.py's in
    place of its own): a django-tasks-db whose handle takes other options needs a look."""
    theirs = inspect.signature(DbWorkerCommand.handle).parameters
    ours = inspect.signature(RunWorkerCommand.run_worker).parameters
    assert list(ours) == list(theirs)
