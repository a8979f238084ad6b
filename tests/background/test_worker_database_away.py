"""The task worker outlives a database that goes away for a while (qa-ops H3).

``pg_restore --clean`` drops every table and makes it again; the worker's next
poll then met ``relation "django_tasks_database_dbtaskresult" does not exist``
and the process ended for good. Here a real ``run_worker`` process runs on the
test database while its task table is dropped and made again (and every
connection to the database cut, as a restart does): it waits, says so once,
says when the database is back, and runs a task enqueued afterwards. SIGTERM
still stops it at once while it waits.
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
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from background.management.commands.run_worker import Command as RunWorkerCommand
from portfolio.tasks import refresh_metrics

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
        table_back()  # whatever happened, the next tests need the table


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


def table_dropped() -> None:
    """As pg_restore --clean does: the table is gone (an empty copy waits to be put back),
    and, as a restart does, every other connection to the database is cut."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{TABLE}_restored" (LIKE "{TABLE}" INCLUDING ALL)')
        cursor.execute(f'DROP TABLE "{TABLE}"')
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


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


def test_run_worker_takes_what_db_worker_takes():
    """run_worker builds the worker as db_worker's handle does (background/worker.py's in
    place of its own): a django-tasks-db whose handle takes other options needs a look."""
    theirs = inspect.signature(DbWorkerCommand.handle).parameters
    ours = inspect.signature(RunWorkerCommand.run_worker).parameters
    assert list(ours) == list(theirs)
