"""A throwaway Redis (Debian's redis-server) on a free loopback port, and settings helpers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Redis:
    """One redis-server process that a test may stop and start again on the same port."""

    def __init__(self, directory) -> None:
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.started = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start redis-server; on a port another process took meanwhile, try a new one.

        The port is only reserved until ``_free_port`` closes its probe, and test runs in
        parallel (pytest-xdist) start their own servers: so the server that answers must be
        this one (its process id), else a test would share another worker's Redis. A restart
        keeps the port, as the tests that stop and start the server expect.
        """
        for _attempt in range(5):
            if self._launch():
                self.started = True
                return
            if not self.started:
                self.port = _free_port()
        raise RuntimeError(f"redis-server did not start (last port {self.port})")

    def _launch(self) -> bool:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self._answering_pid() == self.process.pid:
                    return True
            except (OSError, redis.RedisError):
                pass
            time.sleep(0.05)
        self.stop()
        return False

    def _answering_pid(self) -> int:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5)
        try:
            return int(client.info("server")["process_id"])
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def redis_server(tmp_path) -> Iterator[Redis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing: CI=true needs it (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_server):
    """The app's cache is the throwaway Redis for the test."""
    settings.CACHES = {
        "default": {
            "BACKEND": "background.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "greenlight",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    return redis_server


@pytest.fixture
def database_cache(settings, db):
    from django.core.management import call_command

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "greenlight_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    yield
