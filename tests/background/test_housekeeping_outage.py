"""The worker's housekeeping thread through a database outage: said once, and its end once.

Every round (``WORKER_HOUSEKEEPING_SECONDS``, 5 s) that the database refused logged
"worker housekeeping skipped a round", so an outage of ten minutes wrote 120 lines.
Now the first refused round says so and the first round that works again says that
the database answers, at the same level (WARNING), as the task loop
(background/worker.py) and the Redis cache do.
"""

from __future__ import annotations

import logging
import threading

import pytest
from django.db import OperationalError

from background import liveness, schedule
from background.management.commands import run_worker

REFUSED = "the database refused"
ANSWERS = "the database answers again"


class Rounds(list):
    """The housekeeping's rounds to come, "refused" or "ok"; ``done`` once they are over."""

    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()


@pytest.fixture
def rounds(monkeypatch) -> Rounds:
    outcomes = Rounds()

    def beat(worker_id, started_at) -> None:
        if not outcomes:
            outcomes.done.set()
            return
        if outcomes.pop(0) == "refused":
            raise OperationalError(
                'connection to server at "db" failed: Connection refused\nIs it running?'
            )

    monkeypatch.setattr(liveness, "beat", beat)
    monkeypatch.setattr(liveness, "sweep", lambda: [])
    monkeypatch.setattr(schedule, "tick", lambda: None)
    return outcomes


def housekeeping_through(outcomes) -> None:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker.housekeeping, args=("here:1:test", stop, 0.001), daemon=True
    )
    thread.start()
    assert outcomes.done.wait(10), "the housekeeping did not go through its rounds"
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def said(caplog) -> list[tuple[str, str]]:
    return [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "background.worker"
    ]


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(rounds, caplog):
    rounds.extend(["ok", *["refused"] * 20, "ok", "ok", *["refused"] * 5, "ok"])

    with caplog.at_level(logging.INFO, logger="background.worker"):
        housekeeping_through(rounds)

    lines = said(caplog)
    assert [message.split(" (")[0].split(";")[0] for _, message in lines] == [
        f"worker housekeeping: {REFUSED}",
        f"worker housekeeping: {ANSWERS} after 0 s",
        f"worker housekeeping: {REFUSED}",
        f"worker housekeeping: {ANSWERS} after 0 s",
    ]
    assert {level for level, _ in lines} == {"WARNING"}
    # The error's first line, not its whole text.
    assert "Connection refused" in lines[0][1] and "Is it running" not in lines[0][1]
    assert "skipped a round" not in caplog.text


def test_rounds_that_work_say_nothing(rounds, caplog):
    rounds.extend(["ok"] * 5)

    with caplog.at_level(logging.INFO, logger="background.worker"):
        housekeeping_through(rounds)

    assert said(caplog) == []
