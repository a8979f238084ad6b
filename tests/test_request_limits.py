"""Oversized request bodies are refused before they are read; gunicorn's settings are explicit."""

from __future__ import annotations

import io
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


class NeverRead(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read")


def _serve(path: str, length: int, cookie: str = "") -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": NeverRead(),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(length),
        "HTTP_COOKIE": cookie,
    }
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, headers: status.append(s)))
    return status[0], body


def test_an_anonymous_201_mb_post_to_sign_in_is_refused_unread(db):
    status, body = _serve(reverse("login"), 201 * 1024 * 1024)
    assert status.startswith("413")
    assert b"Nothing was read or saved" in body


def test_a_small_post_is_served_as_before(client, db):
    response = client.post(reverse("login"), {"username": "x@example.com", "password": "x"})
    assert response.status_code == 200


def test_the_import_page_takes_its_files_only_from_those_who_may_import(
    client, adam, alice, settings
):
    settings.REQUEST_MAX_BYTES = 1000
    big = 50_000
    # A signed-in admin: past the general limit (the view then reads the files).
    client.force_login(adam)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    from django.db import transaction

    with transaction.atomic():
        status, _ = _serve_expecting_read(reverse("portfolio_import"), big, cookie)
    assert not status.startswith("413")
    # Anyone else, and anonymous: the general limit.
    client.force_login(alice)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    assert _serve(reverse("portfolio_import"), big, cookie)[0].startswith("413")
    assert _serve(reverse("portfolio_import"), big)[0].startswith("413")


def _serve_expecting_read(path: str, length: int, cookie: str) -> tuple[str, bytes]:
    """As _serve, with a body that may be read (it is empty: the form reports missing files)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b"a=1".ljust(length, b"&")),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(length),
        "HTTP_COOKIE": cookie,
    }
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, headers: status.append(s)))
    return status[0], body


def test_a_nonsense_content_length_is_a_400(db):
    status, _ = _serve_with_header(reverse("login"), "lots")
    assert status.startswith("400")


def _serve_with_header(path: str, header: str) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": NeverRead(),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": header,
    }
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, headers: status.append(s)))
    return status[0], body


def test_the_gunicorn_config_is_explicit():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["forwarded_allow_ips"] not in ("*", "")
    assert config["wsgi_app"] == "portfolio.wsgi:application"
    assert config["timeout"] > 0 and config["workers"] >= 1
    assert config["limit_request_line"] > 0 and config["limit_request_field_size"] > 0


def test_the_gunicorn_config_reads_workers_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 3 and config["forwarded_allow_ips"] == "10.0.0.5"


@pytest.mark.parametrize("value", ["three", "3.5"])
def test_a_bad_number_stops_gunicorn_with_the_variables_name(monkeypatch, value):
    monkeypatch.setenv("WEB_CONCURRENCY", value)
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_accepts_the_config_file():
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "x" * 60, "DEBUG": "false"},
    )
    assert done.returncode == 0, done.stderr + done.stdout
