"""Oversized request bodies are refused before they are read; gunicorn's settings are explicit."""

from __future__ import annotations

import io
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


class NeverRead(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        raise AssertionError("the body was read")


def _post(client, path: str, length: int | str, body=None):
    """POST declaring ``length`` bytes; the body fails the test if read, unless given."""
    return client.generic(
        "POST",
        path,
        content_type="application/x-www-form-urlencoded",
        **{
            "wsgi.input": NeverRead() if body is None else io.BytesIO(body),
            "CONTENT_LENGTH": str(length),
        },
    )


def test_an_anonymous_201_mb_post_to_sign_in_is_refused_unread(client, db):
    response = _post(client, reverse("login"), 201 * 1024 * 1024)
    assert response.status_code == 413
    assert "Nothing was read or saved" in response.content.decode()


def test_a_small_post_is_served_as_before(client, db):
    response = client.post(reverse("login"), {"username": "x@example.com", "password": "x"})
    assert response.status_code == 200


def test_the_import_page_takes_its_files_only_from_those_who_may_import(
    client, adam, alice, settings
):
    settings.REQUEST_MAX_BYTES = 1000
    big = 50_000
    # A signed-in admin: past the general limit (the view reads the body, and reports
    # the missing files).
    client.force_login(adam)
    response = _post(client, reverse("portfolio_import"), big, b"a=1".ljust(big, b"&"))
    assert response.status_code == 400
    assert "choose the file to upload" in response.content.decode()
    # Anyone else, and anonymous: the general limit, unread.
    client.force_login(alice)
    assert _post(client, reverse("portfolio_import"), big).status_code == 413
    client.logout()
    assert _post(client, reverse("portfolio_import"), big).status_code == 413


def test_a_nonsense_content_length_is_a_400(client, db):
    assert _post(client, reverse("login"), "lots").status_code == 400


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


@pytest.mark.no_database
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


@pytest.mark.no_database
def test_a_new_gunicorn_worker_loads_every_view_before_its_first_request():
    """Otherwise a worker's first request (after a start, a reload or a recycling) pays for
    importing the URLconf and every view: about half a second."""
    script = (
        "import runpy, sys, django; django.setup();"
        "hook = runpy.run_path('gunicorn.conf.py')['post_worker_init'];"
        "before = 'gates.views.interchange' in sys.modules;"
        "hook(None);"
        "print(before, 'gates.views.interchange' in sys.modules, 'portfolio.urls' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "x" * 60,
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        },
    )
    assert done.stdout.split() == ["False", "True", "True"], done.stderr
