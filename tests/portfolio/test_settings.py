"""The settings read the environment through typed helpers that fail loudly."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portfolio.env import database_from_url, env_bool, env_int, env_list, env_time_of_day

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deploy check.
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    # Drop the test-only overrides: these runs must see production defaults.
    for name in (
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
    ):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="portfolio.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.no_database
def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="greenlight.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_app_servers_refuse_to_start_without_a_secret_key_in_production():
    result = _python("import portfolio.wsgi", SECRET_KEY="", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "key, why",
    [
        ("abc", "it has 3 characters, fewer than 50"),
        ("ab" * 40, "it has 2 different characters, fewer than 5"),
        ("django-insecure-" + "k7Qz-p2Lw9_xR4" * 4, "it starts with 'django-insecure-'"),
    ],
)
@pytest.mark.parametrize("entry_point", ["portfolio.wsgi", "portfolio.asgi"])
def test_app_servers_refuse_a_weak_secret_key_in_production(entry_point, key, why):
    """Django's deploy check (security.W009) only warned, under `check --deploy`."""
    result = _python(f"import {entry_point}", SECRET_KEY=key, DEBUG="false")
    assert result.returncode != 0
    assert f"SECRET_KEY is too weak for production: {why}" in result.stderr, result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # how to make one, as the README


@pytest.mark.parametrize(
    "env",
    [
        {"SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "false"},
        # The cluster test's key (bench/cluster_test.py).
        {"SECRET_KEY": "cluster-test-" + secrets.token_hex(32), "DEBUG": "false"},
        # `make run`: no key, the fixed development key; or a short one of the developer's.
        {"SECRET_KEY": "", "DEBUG": "true"},
        {"SECRET_KEY": "dev", "DEBUG": "true"},
    ],
)
def test_app_servers_start_with_a_strong_key_or_in_development(env):
    result = _python("import portfolio.wsgi; print('started')", **env)
    assert result.stdout.split() == ["started"], result.stderr


@pytest.mark.no_database
def test_the_checks_warn_of_a_weak_secret_key(tmp_path):
    """On every command (the worker's start among them), not only under --deploy."""
    check = _manage("check", SECRET_KEY="short", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert "greenlight.W002" in check.stderr + check.stdout
    assert "SECRET_KEY is too weak for production" in check.stderr + check.stdout


@pytest.mark.no_database
def test_the_checks_warn_without_a_secret_key_but_migrations_can_be_checked(tmp_path):
    env = {
        "SECRET_KEY": "",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    check = _manage("check", "--fail-level", "WARNING", **env)
    assert check.returncode != 0
    assert "SECRET_KEY is not set" in check.stderr + check.stdout
    migrations = _manage("makemigrations", "--check", "--dry-run", **env)
    assert migrations.returncode == 0, migrations.stderr


def test_a_bad_boolean_stops_start_up_with_its_name():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_env_helpers_read_typed_values(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    monkeypatch.setenv("COUNT", "12")
    monkeypatch.setenv("HOSTS", "a.example.com, b.example.com,")
    assert env_bool("FLAG") is True
    assert env_int("COUNT", 1) == 12
    assert env_list("HOSTS") == ["a.example.com", "b.example.com"]
    assert env_bool("UNSET_FLAG", default=True) is True


def test_env_int_names_the_variable_on_a_bad_value(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25)


def test_the_housekeeping_limit_follows_the_liveness_window():
    """Derived, not copied: a longer window allows a longer period, and never one that
    lets a live worker go unheard for the whole window."""
    from background import heartbeat, liveness

    assert liveness.STALE_AFTER.total_seconds() == heartbeat.STALE_AFTER_SECONDS
    assert 3 * heartbeat.HOUSEKEEPING_MAX_SECONDS <= heartbeat.STALE_AFTER_SECONDS


def test_the_longest_housekeeping_period_starts(monkeypatch):
    result = _python(
        "from django.conf import settings; print(settings.WORKER_HOUSEKEEPING_SECONDS)",
        DEBUG="true",
        WORKER_HOUSEKEEPING_SECONDS="20",
    )
    assert result.stdout.split() == ["20"], result.stderr


@pytest.mark.parametrize("value", ["1_000", "\uff11\uff10", "\u0661\u0660", "1.5", "-"])
def test_env_int_refuses_what_the_apps_number_fields_refuse(monkeypatch, value):
    """int() reads "1_000" as 1000 and full-width or Arabic-Indic digits as numbers."""
    monkeypatch.setenv("EMAIL_PORT", value)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number, not "):
        env_int("EMAIL_PORT", 25)


def test_env_int_reads_signs_and_spaces_and_bounds(monkeypatch):
    monkeypatch.setenv("COUNT", " -3 ")
    assert env_int("COUNT", 1) == -3
    monkeypatch.setenv("COUNT", "+7")
    assert env_int("COUNT", 1, minimum=1, maximum=7) == 7
    monkeypatch.setenv("COUNT", "8")
    with pytest.raises(
        ImproperlyConfigured, match="^COUNT must be a whole number of at most 7, not '8'$"
    ):
        env_int("COUNT", 1, maximum=7)


def test_database_url_understands_postgres_and_sqlite():
    pg = database_from_url("postgres://app:s%40cret@db.internal:6543/greenlight?sslmode=require")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "app",
        "s@cret",
        "db.internal",
        "6543",
        "greenlight",
    )
    # PostgreSQL's JIT is off unless the URL asks for it (it cost the metrics statement 2/3).
    assert pg["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off"}
    own = database_from_url("postgres://app@db/greenlight?options=-c%20jit%3Don")
    assert own["OPTIONS"] == {"options": "-c jit=on"}
    # Options of its own about something else keep the JIT off (they replaced the setting,
    # and a statement_timeout turned the JIT back on: a full refresh of 6.7 s, not 0.1).
    timeout = database_from_url("postgres://app@db/greenlight?options=-c%20statement_timeout%3D30s")
    assert timeout["OPTIONS"] == {"options": "-c statement_timeout=30s -c jit=off"}
    lite = database_from_url("sqlite:////var/lib/greenlight/db.sqlite3")
    assert lite == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/var/lib/greenlight/db.sqlite3",
    }


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://x@y/z", "must start with sqlite:/// or postgres://"),
        ("postgres://x@y:5432/", "must name a database"),
        ("postgres://x@y:notaport/db", "bad port"),
    ],
)
def test_a_bad_database_url_is_refused_with_a_reason(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        database_from_url(url)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_app_talks_to_postgresql_with_jit_off():
    """The metrics statement is recomputed after every change; JIT compiling it tripled its time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_the_file_e_mail_backend_writes_each_message_to_a_file(tmp_path):
    """`make run`'s demo: the worker's e-mail lands in files, not on the console."""
    folder = tmp_path / "mail"
    result = _python(
        "import django; django.setup()\n"
        "from django.core.mail import send_mail\n"
        "send_mail('Gate review opened', 'GL-1 waits for your vote.', None, ['pm@example.org'])\n",
        DEBUG="true",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(folder),
    )
    assert result.returncode == 0, result.stderr
    (written,) = folder.iterdir()
    message = written.read_text()
    assert "Subject: Gate review opened" in message and "GL-1 waits for your vote." in message
    assert "Gate review opened" not in result.stdout  # not on the console


def test_the_file_e_mail_backend_without_a_folder_stops_start_up_naming_it():
    result = _python(
        "import django; django.setup()",
        DEBUG="true",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH="",
    )
    assert result.returncode != 0
    assert "EMAIL_FILE_PATH is not set" in result.stderr


@pytest.mark.no_database
@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("DIGEST_AT", "25:99", "DIGEST_AT must be a time of day as HH:MM"),
        ("DAILY_DIGEST_AT", "7am", "DAILY_DIGEST_AT must be a time of day as HH:MM"),
        ("DAILY_DIGEST_AT", "7:00", "DAILY_DIGEST_AT must be a time of day as HH:MM"),
        ("TIME_ZONE", "Mars/Base", "TIME_ZONE must be an IANA time zone name"),
        ("WORKER_HOUSEKEEPING_SECONDS", "0", "WORKER_HOUSEKEEPING_SECONDS must be a whole number"),
        # At or above the 60 s after which a silent worker counts as gone, live workers
        # looked dead; a huge value stopped the housekeeping thread (OverflowError).
        ("WORKER_HOUSEKEEPING_SECONDS", "21", "must be a whole number from 1 to 20"),
        ("WORKER_HOUSEKEEPING_SECONDS", "60", "must be a whole number from 1 to 20"),
        ("WORKER_HOUSEKEEPING_SECONDS", "99999999999999999999", "counts as gone"),
        ("WORKER_HOUSEKEEPING_SECONDS", "1_0", "WORKER_HOUSEKEEPING_SECONDS must be"),
    ],
)
def test_a_bad_schedule_setting_stops_start_up_naming_the_variable(
    tmp_path, variable, value, expected
):
    """Not only the worker's housekeeping, every 5 s, naming SCHEDULED_TASKS[...]: start-up."""
    result = _manage(
        "check",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        **{variable: value},
    )
    assert result.returncode != 0
    assert expected in result.stderr and repr(value) in result.stderr, result.stderr
    assert "SCHEDULED_TASKS" not in result.stderr


def test_the_digest_times_reach_the_schedule():
    result = _python(
        "from django.conf import settings\n"
        "tasks = settings.SCHEDULED_TASKS\n"
        "print(tasks['weekly-zombie-digest']['at'], tasks['daily-digest']['at'], settings.TIME_ZONE)",
        DEBUG="true",
        DIGEST_AT=" 06:45 ",
        DAILY_DIGEST_AT="18:30",
        TIME_ZONE="Europe/Berlin",
    )
    assert result.stdout.split() == ["06:45", "18:30", "Europe/Berlin"], result.stderr


@pytest.mark.parametrize("value", ["24:00", "12:60", "1200", "noon", "07:00:00"])
def test_env_time_of_day_refuses_anything_but_hh_mm(monkeypatch, value):
    monkeypatch.setenv("DIGEST_AT", value)
    with pytest.raises(ImproperlyConfigured, match=r"DIGEST_AT must be .* HH:MM .*, not '"):
        env_time_of_day("DIGEST_AT", "07:00")


def test_env_time_of_day_reads_a_time_and_defaults(monkeypatch):
    monkeypatch.setenv("DIGEST_AT", "00:00")
    assert env_time_of_day("DIGEST_AT", "07:00") == "00:00"
    monkeypatch.setenv("DIGEST_AT", "")
    assert env_time_of_day("DIGEST_AT", "07:00") == "07:00"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_metrics_statements_run_without_jit_whatever_the_connection_says():
    """A pooler may drop the connection's startup options (``-c jit=off``): the metrics'
    own transactions turn the JIT off again, both statements side by side and one alone."""
    from django.db import connection, transaction

    from portfolio import metrics
    from portfolio.metrics import side_by_side

    with connection.cursor() as cursor:
        cursor.execute("SET jit = on")  # as a connection without the option would be
    try:
        read = "SELECT current_setting('jit')"
        assert side_by_side.first_values([(read, {}), (read, {})]) == ["off", "off"]
        with transaction.atomic():
            # Inside a transaction: one statement, in the caller's transaction.
            assert metrics.compute(sections=("headline",))["headline"]["projects"] == 0
            with connection.cursor() as cursor:
                cursor.execute("SHOW jit")
                assert cursor.fetchone() == ("off",)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        side_by_side.stop()
