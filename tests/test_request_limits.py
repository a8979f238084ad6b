"""Oversized request bodies are refused before they are read; gunicorn's settings are explicit."""

from __future__ import annotations

import io
import os
import runpy
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
# A production key (Django's deploy check: 50+ characters, 5+ different ones): the app
# servers refuse a weaker one.
SECRET_KEY = secrets.token_urlsafe(50)


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


@pytest.mark.parametrize(
    "variable, value",
    [
        ("WEB_CONCURRENCY", "three"),
        ("WEB_CONCURRENCY", "3.5"),
        ("WEB_CONCURRENCY", "0"),
        ("PORT", "http"),
        ("PORT", "99999"),
        ("GUNICORN_TIMEOUT", "-5"),
        ("GUNICORN_TIMEOUT", "0"),
        ("GUNICORN_KEEPALIVE", "-1"),
        ("GUNICORN_MAX_REQUESTS", "lots"),
    ],
)
def test_a_bad_number_stops_gunicorn_with_the_variables_name(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SystemExit, match=f"^{variable} must be a whole number .*, not '{value}'$"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))


@pytest.mark.no_database
def test_a_negative_number_stops_gunicorn_with_the_variables_name():
    """gunicorn's own check of the value says only "Value must be positive: -5"."""
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": SECRET_KEY, "GUNICORN_TIMEOUT": "-5"},
    )
    assert done.returncode != 0
    assert "GUNICORN_TIMEOUT must be a whole number of at least 1, not '-5'" in done.stderr


def test_gunicorns_control_socket_is_off_unless_asked_for(monkeypatch, tmp_path):
    """gunicorn 25.1+ puts one control socket per user at ~/.gunicorn/gunicorn.ctl: two web
    processes on one machine would share it, and stopping one would delete it."""
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["control_socket_disable"] is True and "control_socket" not in config
    path = str(tmp_path / "web-8701.ctl")
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", path)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["control_socket"] == path and "control_socket_disable" not in config


@pytest.mark.no_database
@pytest.mark.timeout(90)
def test_a_running_gunicorn_opens_no_shared_control_socket(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),  # gunicorn's default: ~/.gunicorn/gunicorn.ctl
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": "127.0.0.1:0",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_LOG_LEVEL": "debug",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Booting worker" not in log.read_text() and server.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert server.poll() is None, log.read_text()
        time.sleep(0.5)  # the control server starts beside the workers
        text = log.read_text()
        assert "Control socket disabled" in text, text
        assert "Control socket listening" not in text
        assert not (tmp_path / ".gunicorn").exists()
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.no_database
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "key, why",
    [
        ("short", "it has 5 characters, fewer than 50"),
        ("ab" * 30, "it has 2 different characters, fewer than 5"),
        ("django-insecure-" + "x1y2z3" * 10, "it starts with 'django-insecure-'"),
        ("", "SECRET_KEY is not set"),
    ],
)
def test_gunicorn_refuses_a_weak_secret_key_once_before_any_worker_starts(tmp_path, key, why):
    """Each worker refused on its own: some 220 lines of tracebacks, the message among them
    ten times, and gunicorn's last words "Worker failed to boot" (exit code 3, or 1)."""
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "SECRET_KEY": key,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "GUNICORN_BIND": "127.0.0.1:0",
            "WEB_CONCURRENCY": "2",
        },
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert output.count(why) == 1, output
    assert output.count("secrets.token_urlsafe(50)") == 1  # how to make one
    assert output.strip().splitlines()[-1].startswith("Greenlight refuses to start: SECRET_KEY")
    assert "Traceback" not in output
    assert "Booting worker" not in output and "Worker failed to boot" not in output


@pytest.mark.no_database
def test_gunicorn_accepts_the_config_file():
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--check-config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": SECRET_KEY, "DEBUG": "false"},
    )
    assert done.returncode == 0, done.stderr + done.stdout


@pytest.mark.no_database
def test_a_new_gunicorn_worker_loads_every_view_before_its_first_request():
    """Otherwise a worker's first request (after a start, a reload or a recycling) pays for
    importing the URLconf and every view: about half a second. What it loaded is then
    frozen (set aside from the cycle collector, portfolio/warmup.py), the views among it."""
    script = (
        "import gc, runpy, sys, django; django.setup();"
        "hook = runpy.run_path('gunicorn.conf.py')['post_worker_init'];"
        "before = 'gates.views.interchange' in sys.modules;"
        "frozen_before = gc.get_freeze_count();"
        "hook(None);"
        "view = sys.modules['gates.views.interchange'].__dict__;"
        "frozen = gc.get_freeze_count();"
        "print(before, 'gates.views.interchange' in sys.modules, 'portfolio.urls' in sys.modules,"
        " frozen_before, frozen > 100_000, any(o is view for o in gc.get_objects(2)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        },
    )
    assert done.stdout.split() == ["False", "True", "True", "0", "True", "False"], done.stderr
