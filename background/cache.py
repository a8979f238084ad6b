"""The shared cache: Redis when ``REDIS_URL`` is set, the database otherwise.

The cache only ever holds numbers that can be computed again (everything in it
is keyed by the data version, portfolio/versioning.py), so losing it must
never cost more than time: ``ResilientRedisCache`` answers "not cached" while
Redis is away instead of raising, and tries again a few seconds later. Every
call of the cache does so, ``incr`` included (the API's rate limit, which then
counts nothing and refuses nobody); the outage is logged once, as is its end.

``computed_once`` is how the dashboard and the API read a cached result: a
reader that finds none computes it, and only one process computes a given key
at a time (a lock in the cache); the others wait for its result, briefly.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


# After a failed call, Redis is left alone this long (seconds), so a stopped server costs
# one refused connection per process every few seconds, not one per cache call.
REDIS_RETRY_AFTER = 3.0

_MISSING = object()


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one ``redis.Redis`` per connection pool.

    Django makes a new ``redis.Redis`` for every cache call, and each one builds its table of
    response callbacks (≈ 80 µs: 2 ms of a dashboard refresh's two dozen calls). A client is
    only its pool and that table, and is safe to share between threads, so one is kept per
    pool; the pool itself still opens connections anew after a fork.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, except that an unreachable Redis is a cache miss, not an error."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down_until = 0.0
        self._down = False

    def _call(self, method: str, fallback: Any, *args, **kwargs) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = getattr(super(), method)(*args, **kwargs)
        except Exception as error:  # redis.exceptions.* and OSError: the server is away
            if not _is_redis_error(error):
                raise
            if not self._down:  # once per outage, not once per retry
                logger.warning("Redis unreachable (%s): computing without the cache", error)
                self._down = True
            self._down_until = time.monotonic() + REDIS_RETRY_AFTER
            return fallback
        if self._down:  # at the outage's level, so that a log at WARNING shows its end too
            logger.warning("Redis reachable again: using the cache")
            self._down = False
        return result

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default=default, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout=timeout, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout=timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # No cache, no lock to share: every process computes for itself, which is correct.
        return self._call("add", True, key, value, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version=version)

    def incr(self, key, delta=1, version=None):
        # Also decr, incr_version and their async forms, which Django builds on incr/get/set.
        # Without Redis no key is cached, so the answer is a missing key's: ValueError.
        value = self._call("incr", _MISSING, key, delta=delta, version=version)
        if value is _MISSING:
            raise ValueError(f"Key '{key}' not found (Redis is unreachable)")
        return value

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout=timeout, version=version)

    def clear(self):
        return self._call("clear", False)


def _is_redis_error(error: Exception) -> bool:
    if isinstance(error, OSError):
        return True
    try:
        import redis
    except ImportError:  # pragma: no cover - the backend cannot be built without it
        return False
    return isinstance(error, redis.exceptions.RedisError)


# How long a computation may hold its lock, and how long others wait for it before they
# compute for themselves: correct numbers late rather than none. Waiting readers look again
# every POLL_SECONDS: a cache read is cheap next to the wait, and every poll missed after the
# result is stored is latency a reader sees (at 50 ms, a reader behind a 100 ms refresh
# waited 150 ms).
LOCK_SECONDS = 30
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.01


def computed_once[T](key: str, compute: Callable[[], T], timeout: int) -> T:
    """The cached value of ``key``, computing it with ``compute`` when absent.

    Only one process computes a key at a time: the first to take the lock
    (``cache.add`` is atomic in Redis and in the database) computes and stores;
    the others poll for its result and, should it not come in time (the
    computing process died), compute it themselves.
    """
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return value
    lock = f"{key}:lock"
    token = uuid.uuid4().hex
    if cache.add(lock, token, LOCK_SECONDS):
        try:
            value = compute()
            cache.set(key, value, timeout)
            return value
        finally:
            if cache.get(lock) == token:
                cache.delete(lock)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if cache.get(lock, _MISSING) is _MISSING:
            break  # the computing process gave up (an error): compute here
    value = compute()
    cache.set(key, value, timeout)
    return value
