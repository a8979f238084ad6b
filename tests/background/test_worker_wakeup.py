"""An idle task worker is woken when a task is queued, not at its next poll (PostgreSQL's
LISTEN/NOTIFY, background/wakeup.py); without notifications it polls as before."""

from __future__ import annotations

import threading
import time

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
        listener.listen()  # as the worker does, before its first look
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


def an_idle_worker(monkeypatch) -> tuple[ResilientWorker, threading.Thread]:
    """A worker (its interval 120 s: were it to sleep that out, far past any join here)
    started in a thread and now waiting, having found nothing to take."""
    worker = a_worker(interval=120)
    waiting = threading.Event()
    real_wait = wakeup.Listener.wait

    def wait(self, seconds):
        waiting.set()
        return real_wait(self, seconds)

    monkeypatch.setattr(wakeup.Listener, "wait", wait)
    thread = run_in_a_thread(worker)
    assert waiting.wait(30), "the worker never went idle"
    return worker, thread


@pytest.mark.postgres
def test_an_idle_worker_takes_a_task_queued_while_it_waits(
    transactional_db, database_tasks, monkeypatch
):
    worker, thread = an_idle_worker(monkeypatch)
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


def end_the_listening_connection(listener: wakeup.Listener) -> None:
    """What a database restart, an administrator or a pooler's timeout does to it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [listener.connection.info.backend_pid])


@pytest.mark.postgres
def test_listening_starts_on_a_new_connection_each_time(transactional_db):
    """The worker listens again once the database answers after an outage: the connection
    from before it is most likely dead, though it may not say so until the wait."""
    listener = wakeup.Listener()
    try:
        listener.listen()
        before = listener.connection
        listener.listen()
        assert before.closed
        assert listener.connection is not before and not listener.connection.closed
    finally:
        listener.close()


@pytest.mark.postgres
def test_the_listening_connection_probes_a_silent_database_within_a_minute(transactional_db):
    """A database host gone without closing the socket would leave the idle listening
    connection open and silent for good (Linux's first keepalive probe comes after two
    hours): the worker would poll without knowing. Its own keepalives end it sooner."""
    listener = wakeup.Listener()
    try:
        listener.listen()
        parameters = listener.connection.info.get_parameters()
        assert parameters.get("keepalives_idle") == "30"
        assert parameters.get("keepalives_interval") == "10"
        assert parameters.get("keepalives_count") == "3"
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_listener_whose_connection_is_ended_listens_again_at_once_and_says_look(
    transactional_db, database_tasks
):
    """A task queued between the failure and the new LISTEN was announced to nobody: the
    wait ends at once, as if woken, and the worker looks once more."""
    listener = wakeup.Listener()
    try:
        listener.listen()
        ended = listener.connection
        end_the_listening_connection(listener)
        started = time.monotonic()
        assert listener.wait(60) is True
        assert time.monotonic() - started < 10
        assert ended.closed
        assert listener.connection is not None and not listener.connection.closed
        assert listener.wait(0.2) is False  # listening again: a whole wait when nothing comes
        prune_task_results.enqueue()
        assert listener.wait(30) is True
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_listener_that_cannot_connect_sleeps_out_the_wait_and_connects_at_the_next(
    transactional_db, monkeypatch
):
    listener = wakeup.Listener()
    try:
        listener.listen()
        broken = listener.connection
        end_the_listening_connection(listener)

        def refused(self):
            raise OSError("the database is restarting")

        slept = []
        monkeypatch.setattr(wakeup.time, "sleep", slept.append)
        monkeypatch.setattr(wakeup.Listener, "_connect", refused)
        assert listener.wait(0.5) is False
        assert listener.connection is None and broken.closed
        assert len(slept) == 1 and 0 < slept[0] <= 0.5
        monkeypatch.undo()
        assert listener.wait(30) is True  # listening anew: look once more, at once
        assert listener.connection is not None and not listener.connection.closed
        assert listener.wait(0.01) is False
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_connection_failing_again_within_the_interval_is_not_made_again_at_once(
    transactional_db, monkeypatch
):
    """A connection that fails as soon as it is made does not make the worker look in a
    loop: after one new connection at once, the wait sleeps out its interval."""
    listener = wakeup.Listener()
    try:
        listener.listen()
        end_the_listening_connection(listener)
        assert listener.wait(60) is True  # made again at once
        end_the_listening_connection(listener)
        slept = []
        monkeypatch.setattr(wakeup.time, "sleep", slept.append)
        assert listener.wait(60) is False
        assert listener.connection is None
        assert len(slept) == 1 and 50 < slept[0] <= 60
        assert listener.wait(60) is True  # the next wait connects, and says look
        assert len(slept) == 1  # no sleep: it connected
    finally:
        listener.close()


@pytest.mark.postgres
def test_a_worker_whose_listening_connection_is_ended_takes_a_task_queued_then_at_once(
    transactional_db, database_tasks, monkeypatch
):
    """The database restarted (or the connection was ended) while the worker waited: it
    listens again at once and looks, rather than sleep out its interval."""
    worker, thread = an_idle_worker(monkeypatch)
    end_the_listening_connection(worker.listener)
    result = prune_task_results.enqueue()
    thread.join(timeout=30)
    worker.running = False
    assert not thread.is_alive(), "the worker slept through the task queued after the failure"
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.postgres
def test_a_task_queued_before_the_worker_could_listen_is_taken_at_once(
    transactional_db, database_tasks, monkeypatch
):
    """The database refused the listening connection as the worker started (or came back
    after an outage): the first wait connects, and the worker looks once more rather than
    wait out the interval for a task queued after its look, before that LISTEN."""
    worker = a_worker(interval=120)
    queued = []
    real_wait = wakeup.Listener.wait

    def wait(self, seconds):
        if not queued:  # the first look found nothing; a task comes before the wait listens
            assert self.connection is None
            queued.append(prune_task_results.enqueue())
        return real_wait(self, seconds)

    monkeypatch.setattr(wakeup.Listener, "listen", lambda self: None)  # could not connect
    monkeypatch.setattr(wakeup.Listener, "wait", wait)
    thread = run_in_a_thread(worker)
    thread.join(timeout=30)
    worker.running = False
    assert not thread.is_alive(), "the worker slept through the task queued before it listened"
    assert DBTaskResult.objects.get(id=queued[0].id).status == TaskResultStatus.SUCCESSFUL
