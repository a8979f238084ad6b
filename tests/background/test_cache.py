"""The shared cache: computed once per key (a lock), Redis or the database, and Redis may go away."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import json
import logging
import threading
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api import tokens
from background import cache as shared
from portfolio import metrics, services
from tests.background.conftest import _free_port
from tests.builders import make_project
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
def test_with_redis_stopped_the_api_answers_and_its_rate_limit_is_back_with_redis(
    client, alice, bob, redis_cache, settings, monkeypatch, caplog
):
    monkeypatch.setattr(shared, "REDIS_RETRY_AFTER", 0.0)
    # One rate window for the whole test: the turn of a minute would start the count over.
    monkeypatch.setattr("api.auth.time", SimpleNamespace(time=lambda: 1_800_000_010.0))
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    make_project(
        key="P1", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 1, 6)
    )
    _token, secret = tokens.create_token(actor=alice, name="finance sync", scope="read-write")
    headers = {"Authorization": f"Bearer {secret}"}

    def read():
        return client.get("/api/v1/me", headers=headers).status_code

    before = read()
    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="background.cache"):
        without_redis = [read() for _ in range(5)]
        spend = client.post(
            "/api/v1/projects/P1/spend",
            json.dumps({"spent_on": "2025-02-03", "amount": "120.50", "category": "compute"}),
            content_type="application/json",
            headers=headers,
        )
        redis_cache.start()
        with_redis_again = [read() for _ in range(4)]

    assert before == 200
    # Without Redis no request is counted (the limit fails open), none is refused.
    assert without_redis == [200] * 5
    assert spend.status_code == 201, spend.content
    assert with_redis_again == [200, 200, 200, 429]
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "background.cache"]
    assert [level for level, _ in said] == ["WARNING", "WARNING"], said  # once per outage
    assert "Redis unreachable" in said[0][1]
    assert "Redis reachable again" in said[1][1]


def run_coroutine(coroutine):
    """``asyncio.run`` on a thread of its own: this one may hold Playwright's running loop
    (a browser test ran earlier in the same test process)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_every_cache_call_is_a_miss_while_redis_is_unreachable(monkeypatch, caplog):
    monkeypatch.setattr(shared, "REDIS_RETRY_AFTER", 0.0)
    nobody_there = f"redis://127.0.0.1:{_free_port()}/0"
    away = shared.ResilientRedisCache(nobody_there, {"OPTIONS": {"socket_connect_timeout": 0.5}})

    with caplog.at_level(logging.WARNING, logger="background.cache"):
        assert away.get("k", "default") == "default"
        assert away.get_many(["a", "b"]) == {}
        assert away.set("k", 1) is None
        assert away.set_many({"a": 1}) == ["a"]
        assert away.add("k", 1) is True
        assert away.get_or_set("k", 7) == 7
        assert away.has_key("k") is False
        assert away.touch("k") is False
        # As for a key not in the cache: the callers of incr handle that already.
        with pytest.raises(ValueError):
            away.incr("k")
        with pytest.raises(ValueError):
            away.decr("k")
        assert away.delete("k") is False
        away.delete_many(["a", "b"])
        away.clear()
        assert run_coroutine(away.aget("k", "default")) == "default"
        with pytest.raises(ValueError):
            run_coroutine(away.aincr("k"))

    said = [r.getMessage() for r in caplog.records if r.name == "background.cache"]
    assert len(said) == 1, said  # once per outage
    assert "Redis unreachable" in said[0]


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


def test_cache_calls_share_one_redis_client_and_survive_a_restart(redis_cache, monkeypatch):
    """Django builds a ``redis.Redis`` (and its table of callbacks) for every cache call; the
    app keeps one per connection pool, and it still works after Redis restarts."""
    import redis

    built = []
    real_init = redis.Redis.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_init)
    monkeypatch.setattr(shared, "REDIS_RETRY_AFTER", 0.0)
    for number in range(20):
        cache.set(f"reuse-{number}", number)
        assert cache.get(f"reuse-{number}") == number
    assert len(built) == 1

    redis_cache.stop()
    redis_cache.start()  # it asks the new server with a client of its own
    built.clear()
    cache.get("after-restart")  # the pool's old connection fails once: a miss
    cache.set("after-restart", "back")
    assert cache.get("after-restart") == "back"
    assert built == []
