"""An idle task worker is woken when a task is queued, not at its next poll (PostgreSQL's
LISTEN/NOTIFY, background/wakeup.py); without notifications it polls as before."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from background import wakeup
from background.tasks import prune_task_results
from background.worker import ResilientWorker


def a_worker(*, interval: float) -> ResilientWorker:
    return ResilientWorker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="woken-1",
        excluded_queue_names=[],
    )


@pytest.mark.postgres
def test_a_task_queued_wakes_a_waiting_listener_once_it_is_committed(
    transactional_db, database_tasks
):
    listener = wakeup.Listener()
    try:
        assert listener.wait(0.2) is False  # nothing queued: the whole wait
        with transaction.atomic():
            prune_task_results.enqueue()
            # Not before the commit: a worker woken now would not see the task yet.
            assert listener.wait(0.2) is False
        assert listener.wait(30) is True
    finally:
        listener.close()


def run_in_a_thread(worker: ResilientWorker) -> threading.Thread:
    def run():
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.postgres
def test_an_idle_worker_takes_a_task_queued_while_it_waits(
    transactional_db, database_tasks, monkeypatch
):
    worker = a_worker(interval=120)  # were it to sleep out the interval, far past the join
    waiting = threading.Event()
    real_wait = wakeup.Listener.wait

    def wait(self, seconds):
        waiting.set()
        return real_wait(self, seconds)

    monkeypatch.setattr(wakeup.Listener, "wait", wait)
    thread = run_in_a_thread(worker)
    assert waiting.wait(30), "the worker never went idle"
    result = prune_task_results.enqueue()
    thread.join(timeout=60)
    worker.running = False
    assert not thread.is_alive(), "the worker slept through the queued task"
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.postgres
def test_a_task_queued_between_a_look_and_the_first_wait_wakes_the_worker(
    transactional_db, database_tasks, monkeypatch
):
    """The worker listens before its first look: a task queued after that look, before it
    starts waiting, is not missed until the interval has passed."""
    worker = a_worker(interval=120)
    queued = []
    real_wait = wakeup.Listener.wait

    def wait(self, seconds):
        if not queued:  # the first look found nothing; a task comes before the wait
            queued.append(prune_task_results.enqueue())
        return real_wait(self, seconds)

    monkeypatch.setattr(wakeup.Listener, "wait", wait)
    thread = run_in_a_thread(worker)
    thread.join(timeout=60)
    worker.running = False
    assert not thread.is_alive(), "the worker slept through the task queued before its wait"
    assert DBTaskResult.objects.get(id=queued[0].id).status == TaskResultStatus.SUCCESSFUL


def test_without_postgresql_the_wait_is_the_poll_it_was(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")  # SQLite's way, on either database
    slept = []
    monkeypatch.setattr(wakeup.time, "sleep", slept.append)
    assert wakeup.Listener().wait(1.0) is False
    assert slept == [1.0]


@pytest.mark.postgres
def test_a_listener_whose_connection_broke_sleeps_out_the_wait_and_connects_again(
    transactional_db, monkeypatch
):
    listener = wakeup.Listener()
    try:
        listener.wait(0.01)
        broken = listener.connection

        def gone():
            raise OSError("the database restarted")

        slept = []
        monkeypatch.setattr(wakeup.time, "sleep", slept.append)
        monkeypatch.setattr(listener, "_listening", gone)
        assert listener.wait(0.5) is False
        assert listener.connection is None and broken.closed
        assert len(slept) == 1 and 0 < slept[0] <= 0.5
        monkeypatch.undo()
        assert listener.wait(0.01) is False
        assert listener.connection is not None and not listener.connection.closed
    finally:
        listener.close()
