"""A database error that comes back as soon as the database answers is not an outage.

Before, the worker logged "the database is unavailable" and "the database is back" about
once a second for as long as such an error lasted (a column a migration has not added yet,
a permission taken away): a log an operator cannot read, and a poll every second. Now the
first episode is logged as an outage, a repeat within ``REPEAT_SECONDS`` of the database
answering is logged once as an error with its traceback, and the tries come less and less
often (1 s, 2 s, 4 s … up to ``BACKOFF_MAX_SECONDS``).
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from django.db import ProgrammingError

from background import worker as worker_module
from background.worker import BACKOFF_MAX_SECONDS, ResilientWorker

pytestmark = pytest.mark.django_db

BROKEN = 'column "priority" does not exist'


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The worker's waits, recorded instead of slept; its clock moves on by them."""
    waits: list[float] = []
    clock = [1000.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    # The worker's own clock only (psycopg waits by the real one), and its connections left
    # open (closing them would end the test's transaction).
    clock_of_the_worker = SimpleNamespace(sleep=sleep, monotonic=lambda: clock[0])
    monkeypatch.setattr(worker_module, "time", clock_of_the_worker)
    monkeypatch.setattr(worker_module, "close_connections", lambda: None)
    return waits


def a_worker(monkeypatch, failures: int) -> ResilientWorker:
    """A worker whose polls fail ``failures`` times (the database itself answering), then
    stops as if asked to."""
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
    polls = iter(range(failures + 1))

    def poll(self) -> None:
        if next(polls) < failures:
            raise ProgrammingError(BROKEN)
        self.running = False

    monkeypatch.setattr(ResilientWorker, "take_tasks", poll)
    return worker


def messages(caplog) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "background.worker"]


def test_an_error_that_comes_back_at_once_is_logged_once_and_tried_less_often(
    monkeypatch, caplog, slept
):
    worker = a_worker(monkeypatch, failures=8)

    with caplog.at_level(logging.WARNING, logger="background.worker"):
        worker.run()

    logged = messages(caplog)
    assert [level for level, _ in logged] == [logging.WARNING, logging.WARNING, logging.ERROR]
    assert "the database is unavailable" in logged[0][1]
    assert "the database is back" in logged[1][1]
    assert "fails again at once" in logged[2][1] and BROKEN in logged[2][1]
    error = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert error.exc_info is not None  # its traceback, to find the bug
    # Tried less and less often, never more often than every 30 s at the end.
    assert slept == [1, 2, 4, 8, 16, 30, 30, 30]
    assert max(slept) == BACKOFF_MAX_SECONDS


def test_an_error_long_after_the_last_one_is_an_outage_again(monkeypatch, caplog, slept):
    """Once the worker has worked for a while, the next error is logged as an outage and
    tried again from 1 s."""
    worker = a_worker(monkeypatch, failures=1)
    worker.back_at = worker_module.time.monotonic() - 600  # back ten minutes ago
    worker.delay, worker.repeat_logged = 16.0, True  # after a long repeat

    with caplog.at_level(logging.WARNING, logger="background.worker"):
        worker.run()

    logged = messages(caplog)
    assert [level for level, _ in logged] == [logging.WARNING, logging.WARNING]
    assert "the database is unavailable" in logged[0][1]
    assert "the database is back after 1 s" in logged[1][1]
    assert slept == [1]
