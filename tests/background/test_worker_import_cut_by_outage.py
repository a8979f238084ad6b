"""An import cut short by the database going away reads as an outage in the worker's log.

The worker logs an outage in one line, "the database is unavailable", then "the database is
back" (background/worker.py). An import running when the database went away logged its own
traceback first (``logger.exception("import #%s failed")``, an OperationalError from inside
the import), which read as a bug. Now an error the worker counts as the database gone away
(``background.worker.DATABASE_AWAY``) is not logged by the import when the database is indeed
gone (the failure cannot be written either); the worker's lines say it all, and the import
is reported failed once the database is back. Such an error while the database answers (a
missing column, a permission taken away) is no outage: logged with its traceback, as is
every other error. The same for the vacuum after an import (``tidy_after_import``).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.db import (
    InterfaceError,
    InternalError,
    OperationalError,
    ProgrammingError,
    connections,
)
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import worker as worker_module
from background.worker import ResilientWorker
from gates import import_jobs, interchange
from gates.models import ImportJob
from tests.gates.test_import_job import sample_files

CUT = "terminating connection due to administrator command"
GONE = "server closed the connection unexpectedly"


class Database:
    """Whether the database is away: while it is, the import's own writes fail, and so does
    the worker's record of the task's end; it comes back while the worker waits for it."""

    def __init__(self, monkeypatch, cut: Exception | None = None) -> None:
        self.away = False
        finish, set_failed = import_jobs._finish, DBTaskResult.set_failed

        def cut_mid_import(*args, **kwargs):
            self.away = True
            raise cut or OperationalError(CUT)

        def finish_while_away(*args, **kwargs):
            if self.away:
                raise OperationalError(GONE)
            return finish(*args, **kwargs)

        def set_failed_while_away(result, error):
            if self.away:
                raise InterfaceError("connection already closed")
            return set_failed(result, error)

        monkeypatch.setattr(interchange, "import_portfolio", cut_mid_import)
        monkeypatch.setattr(import_jobs, "_finish", finish_while_away)
        monkeypatch.setattr(DBTaskResult, "set_failed", set_failed_while_away)


def an_import(adam, worker_id: str = "w1") -> tuple[ImportJob, DBTaskResult]:
    """An import queued, its task taken by ``worker_id``."""
    job = import_jobs.start_import(files=sample_files(), replace=False, actor=adam)
    DBTaskResult.objects.update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=[worker_id]
    )
    return job, DBTaskResult.objects.get()


def a_worker(monkeypatch, database: Database, task: DBTaskResult) -> ResilientWorker:
    """A worker that takes ``task`` on its first poll and stops at its second; its waits are
    not slept, and the database is back after the first."""
    worker = ResilientWorker(
        queue_names=["*"],
        interval=0.1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    polls = iter(range(2))

    def poll(self) -> None:
        if next(polls) == 0:
            self.run_task(DBTaskResult.objects.get(id=task.id))
        else:
            self.running = False

    clock = [1000.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds
        database.away = False

    monkeypatch.setattr(ResilientWorker, "take_tasks", poll)
    monkeypatch.setattr(
        worker_module, "time", SimpleNamespace(sleep=sleep, monotonic=lambda: clock[0])
    )
    # The test's transaction holds the connection: it stays open.
    monkeypatch.setattr(worker_module, "close_connections", lambda: None)
    return worker


def logged(caplog) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


@pytest.mark.django_db
def test_the_worker_logs_an_import_cut_by_an_outage_as_an_outage(
    adam, database_tasks, monkeypatch, caplog
):
    database = Database(monkeypatch)
    job, task = an_import(adam)
    worker = a_worker(monkeypatch, database, task)

    with caplog.at_level(logging.WARNING):
        worker.run()

    lines = logged(caplog)
    assert [name for name, _, _ in lines] == ["background.worker"] * 3, lines
    assert "the database is unavailable (InterfaceError: connection already closed)" in lines[0][2]
    assert "the database is back" in lines[1][2]
    assert "the database went away while task worker w1 ran it; reported failed" in lines[2][2]
    assert not [r for r in caplog.records if r.exc_info], "a traceback in an outage"
    assert "import #" not in caplog.text
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.failure.startswith("The database went away during the import")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error",
    [
        OperationalError(CUT),
        InterfaceError("connection already closed"),
        ProgrammingError('relation "portfolio_project" does not exist'),  # mid-restore
    ],
    ids=lambda error: type(error).__name__,
)
def test_the_import_logs_nothing_of_an_error_of_the_database_gone_away(
    adam, database_tasks, monkeypatch, caplog, error
):
    Database(monkeypatch, cut=error)
    job, _ = an_import(adam)

    # Raised: the failure could not be written either (the worker takes it from there).
    with (
        caplog.at_level(logging.DEBUG, logger="gates.import_jobs"),
        pytest.raises(OperationalError),
    ):
        import_jobs.run_import.call(job_id=job.pk)

    assert [r for r in caplog.records if r.name == "gates.import_jobs"] == []


@pytest.mark.django_db
def test_such_an_error_while_the_database_answers_keeps_its_traceback(
    adam, database_tasks, monkeypatch, caplog
):
    """Not an outage: the failure is written, and the error logged to find the bug."""

    def missing_column(*args, **kwargs):
        raise ProgrammingError('column "priority" does not exist')

    monkeypatch.setattr(interchange, "import_portfolio", missing_column)
    job, _ = an_import(adam)

    with (
        caplog.at_level(logging.WARNING, logger="gates.import_jobs"),
        pytest.raises(ProgrammingError),
    ):
        import_jobs.run_import.call(job_id=job.pk)

    (record,) = [r for r in caplog.records if r.name == "gates.import_jobs"]
    assert (record.levelno, record.getMessage()) == (logging.ERROR, f"import #{job.pk} failed")
    assert record.exc_info is not None and record.exc_info[0] is ProgrammingError
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "unexpected error (ProgrammingError)" in job.failure


@pytest.mark.django_db
def test_any_other_error_keeps_its_traceback(adam, database_tasks, monkeypatch, caplog):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(interchange, "import_portfolio", bug)
    job, _ = an_import(adam)

    with (
        caplog.at_level(logging.WARNING, logger="gates.import_jobs"),
        pytest.raises(ZeroDivisionError),
    ):
        import_jobs.run_import.call(job_id=job.pk)

    (record,) = [r for r in caplog.records if r.name == "gates.import_jobs"]
    assert record.getMessage() == f"import #{job.pk} failed"
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    job.refresh_from_db()
    assert "unexpected error (ZeroDivisionError)" in job.failure


# --- The vacuum after an import (PostgreSQL), once it has committed -------------------------


@pytest.fixture
def vacuum_fails(monkeypatch):
    """The vacuum's statement fails with the error given; the connection answers, or not.
    No database needed: a connection outside any transaction, as in a worker."""
    connection = connections["default"]
    assert not connection.in_atomic_block
    monkeypatch.setattr(connection, "vendor", "postgresql")

    def fail(error: Exception, *, answers: bool) -> None:
        def cursor():
            raise error

        monkeypatch.setattr(connection, "cursor", cursor)
        monkeypatch.setattr(connection, "is_usable", lambda: answers)

    return fail


def test_a_vacuum_cut_by_an_outage_is_one_line(vacuum_fails, caplog):
    vacuum_fails(OperationalError(f"{GONE}\n\tThis probably means ..."), answers=False)

    with caplog.at_level(logging.WARNING, logger="gates.interchange"):
        interchange.tidy_after_import()

    (record,) = caplog.records
    assert record.getMessage() == (
        "could not vacuum the tables after an import: the database is unavailable "
        f"(OperationalError: {GONE})"
    )
    assert record.exc_info is None


@pytest.mark.parametrize(
    ("error", "answers"),
    [
        (ProgrammingError('relation "portfolio_outcome" does not exist'), True),
        (InternalError("could not resize shared memory segment"), False),  # not the away kind
    ],
    ids=["away-kind-but-answers", "another-error"],
)
def test_a_vacuum_failing_otherwise_keeps_its_traceback(vacuum_fails, caplog, error, answers):
    vacuum_fails(error, answers=answers)

    with caplog.at_level(logging.WARNING, logger="gates.interchange"):
        interchange.tidy_after_import()

    (record,) = caplog.records
    assert record.getMessage() == "could not vacuum the tables after an import"
    assert record.exc_info is not None
