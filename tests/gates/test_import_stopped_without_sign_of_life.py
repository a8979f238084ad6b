"""A stopped import whose worker left no sign of life after the start: said in words.

A running import whose task worker stopped shows "Stopped after" and how long it ran:
from its start to the worker's last sign of life (its heartbeat, or the progress it left
in the cache). When the worker left none after the start (no heartbeat since, nothing in
the cache; a worker of another machine never heard from), the page counted to now
instead ("Stopped after 2 min 0 s", then 2 min 1 s, … for as long as the page was open),
or, with a heartbeat from before the start, said "0 s". Now it says that no progress was
recorded after the import started, and when it started: the same words at every poll.
"""

from __future__ import annotations

import datetime
import re
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from background import liveness
from gates import import_jobs
from gates.models import ImportJob
from gates.views import import_jobs as import_job_views
from tests.gates.test_import_worker_stopped_page import (
    ALIVE_HERE,
    DEAD_HERE,
    ELSEWHERE,
    heard,
    running,
    status_of,
    stopped_after,
)

pytestmark = pytest.mark.django_db


def later(monkeypatch, by: datetime.timedelta) -> None:
    """The page's clock moves on by ``by`` (the worker stays as silent as it was)."""
    now = timezone.now() + by
    monkeypatch.setattr(import_job_views, "timezone", SimpleNamespace(now=lambda: now))


def the_stopped_after(html: str) -> str:
    """The words after "Stopped after", whitespace as one space."""
    found = re.search(r"<dt>Stopped after</dt><dd>(.*?)</dd>", html, re.DOTALL)
    assert found, html
    return " ".join(found[1].split())


def started_at(job: ImportJob, format: str = "%H:%M") -> str:
    job.refresh_from_db()
    return timezone.localtime(job.started_at).strftime(format)


@pytest.mark.parametrize(
    "worker",
    [
        pytest.param(DEAD_HERE, id="this-machine-never-heard"),
        pytest.param(ELSEWHERE, id="another-machine-never-heard"),
    ],
)
def test_a_worker_never_heard_from_does_not_make_the_clock_run_to_now(
    client, adam, database_tasks, monkeypatch, worker
):
    job = running(adam, worker)  # started 2 min ago; no heartbeat, nothing in the cache

    first = status_of(client, adam, job)  # the full page holds the polled part: both say it
    later(monkeypatch, datetime.timedelta(minutes=10))
    second = status_of(client, adam, job)

    assert "Stopped: its task worker is gone" in first
    assert the_stopped_after(first) == (
        f"no progress was recorded after it started at {started_at(job)}"
    )
    assert the_stopped_after(second) == the_stopped_after(first)  # not 2 min, then 12 min
    assert not re.search(r"\d+ s\b", the_stopped_after(first))


def test_a_heartbeat_from_before_the_start_is_no_sign_of_life_of_the_import(
    client, adam, database_tasks
):
    """It said "0 s", as if the import had stopped the moment it started."""
    job = running(adam, DEAD_HERE)
    heard(DEAD_HERE, ago=datetime.timedelta(minutes=3))  # a minute before it started

    html = status_of(client, adam, job)

    assert the_stopped_after(html) == (
        f"no progress was recorded after it started at {started_at(job)}"
    )


def test_progress_in_the_cache_from_before_the_start_is_no_sign_of_life_either(
    client, adam, database_tasks
):
    job = running(adam, DEAD_HERE)
    key = import_jobs._progress_key(job.pk)
    cache.set(key, ("Starting", 0, time.time() - 180), 60)
    try:
        html = status_of(client, adam, job)
    finally:
        cache.delete(key)

    assert the_stopped_after(html).startswith("no progress was recorded after it started at ")


def test_an_import_started_on_another_day_gives_the_day_too(client, adam, database_tasks):
    job = running(adam, DEAD_HERE)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2, minutes=1),
        started_at=timezone.now() - datetime.timedelta(days=2),
    )
    job.refresh_from_db()
    if timezone.localdate(job.started_at) == timezone.localdate(job.created_at):
        ImportJob.objects.filter(pk=job.pk).update(
            created_at=job.started_at - datetime.timedelta(days=1)
        )

    html = status_of(client, adam, job)

    assert the_stopped_after(html) == (
        f"no progress was recorded after it started at {started_at(job, '%Y-%m-%d %H:%M')}"
    )


def test_a_sign_of_life_after_the_start_still_gives_how_long_it_ran(
    client, adam, database_tasks, monkeypatch
):
    """The last heartbeat 65 s ago, 55 s after the start: 55 s, now and ten minutes on."""
    job = running(adam, DEAD_HERE)
    heard(DEAD_HERE, ago=liveness.STALE_AFTER + datetime.timedelta(seconds=5))

    first = stopped_after(status_of(client, adam, job))
    later(monkeypatch, datetime.timedelta(minutes=10))
    second = stopped_after(status_of(client, adam, job))

    assert 54 <= first <= 56
    assert second == first
    assert "no progress was recorded" not in status_of(client, adam, job)


def test_a_live_import_says_nothing_of_it(client, adam, database_tasks):
    """A worker importing (this test's own process): the clock runs, no words of a stop."""
    job = running(adam, ALIVE_HERE)

    html = status_of(client, adam, job)

    assert "<dt>Elapsed</dt><dd>2 min 0" in html
    assert "no progress was recorded" not in html
