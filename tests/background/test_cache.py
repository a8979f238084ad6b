"""The shared cache: computed once per key (a lock), Redis or the database, and Redis may go away."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from background import cache as shared
from portfolio import metrics, services
from tests.portfolio.dashboard_sample import import_sample

API = reverse("api_metrics")


def test_it_computes_a_missing_value_once_and_keeps_it():
    calls = []

    def compute():
        calls.append(1)
        return {"answer": 42}

    first = shared.computed_once("greenlight:test", compute, 60)
    second = shared.computed_once("greenlight:test", compute, 60)

    assert first == second == {"answer": 42}
    assert len(calls) == 1


def test_a_reader_waits_for_the_process_that_holds_the_lock(monkeypatch):
    monkeypatch.setattr(shared, "POLL_SECONDS", 0.01)
    cache.add("greenlight:slow:lock", "someone else", 30)

    def the_other_process_finishes():
        time.sleep(0.2)
        cache.set("greenlight:slow", "their result", 60)

    threading.Thread(target=the_other_process_finishes).start()

    result = shared.computed_once("greenlight:slow", lambda: pytest.fail("computed twice"), 60)

    assert result == "their result"


def test_a_reader_computes_when_the_lock_holder_gives_up(monkeypatch):
    monkeypatch.setattr(shared, "POLL_SECONDS", 0.01)
    cache.add("greenlight:gone:lock", "a process that died", 30)
    threading.Timer(0.1, lambda: cache.delete("greenlight:gone:lock")).start()

    assert shared.computed_once("greenlight:gone", lambda: "mine", 60) == "mine"


def test_a_reader_does_not_wait_for_ever(monkeypatch):
    monkeypatch.setattr(shared, "WAIT_SECONDS", 0.1)
    monkeypatch.setattr(shared, "POLL_SECONDS", 0.01)
    cache.add("greenlight:stuck:lock", "a process that hangs", 30)

    assert shared.computed_once("greenlight:stuck", lambda: "mine", 60) == "mine"


@pytest.mark.django_db
def test_the_api_answers_from_the_redis_cache_and_is_never_stale(client, erin, adam, redis_cache):
    import_sample()
    client.force_login(erin)

    first = client.get(API).json()
    with CaptureQueriesContext(connection) as cached_read:
        again = client.get(API).json()
    project = metrics_project()
    services.record_spend(
        project=project,
        actor=adam,
        spent_on=project.submitted_on,
        amount=Decimal("1000.00"),
        category="people",
    )
    after_change = client.get(API).json()

    assert again == first
    # The session, the user, the data version: no metrics query.
    assert len(cached_read) <= 4
    assert after_change == metrics.compute()
    assert after_change["headline"]["cumulative_spend"] != first["headline"]["cumulative_spend"]


@pytest.mark.django_db
def test_with_redis_stopped_the_numbers_are_computed_and_the_cache_comes_back(
    client, erin, adam, redis_cache, monkeypatch
):
    monkeypatch.setattr(shared, "REDIS_RETRY_AFTER", 0.0)
    import_sample()
    client.force_login(erin)
    client.get(API)

    redis_cache.stop()
    project = metrics_project()
    services.record_spend(
        project=project,
        actor=adam,
        spent_on=project.submitted_on,
        amount=Decimal("250.00"),
        category="people",
    )
    without_redis = client.get(API)
    dashboard = client.get(reverse("dashboard"))
    redis_cache.start()
    client.get(API)
    with CaptureQueriesContext(connection) as cached_read:
        with_redis_again = client.get(API)

    assert without_redis.status_code == 200
    assert without_redis.json() == metrics.compute()
    assert dashboard.status_code == 200
    assert with_redis_again.json() == without_redis.json()
    assert len(cached_read) <= 4


@pytest.mark.django_db
def test_the_database_cache_serves_the_dashboard_and_the_api(client, erin, database_cache):
    import_sample()
    client.force_login(erin)

    api = client.get(API)
    dashboard = client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as cached_read:
        client.get(API)

    assert api.json() == metrics.compute()
    assert dashboard.status_code == 200
    assert "Success rate" in dashboard.content.decode()
    assert len(cached_read) <= 5  # the cache's own read is one query


def metrics_project():
    from portfolio.models import Project

    return Project.objects.exclude(submitted_on=None).order_by("key").first()
