"""What an operator sees when the `web` process refuses to start: one line naming the problem
and a non-zero exit status, never a Python traceback (scripts/web.py, gunicorn.conf.py)."""

from __future__ import annotations

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portfolio.env import env_int

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
# What `python -c 'import secrets; print(secrets.token_urlsafe(50))'` is shown for.
WEAK = "SECRET_KEY is too weak for production: it has 5 characters, fewer than 50"


def _procfile_web() -> str:
    """The Procfile's web command, as honcho and bench/cluster_test.py read it."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("the Procfile has no web")


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    """``command`` in the project, as a process manager starts it: the virtualenv's python
    first on PATH (`make run`'s honcho, the cluster test), nothing else inherited."""
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        env={
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "HOME": env.pop("HOME", "/nonexistent"),
            "DEBUG": "false",
            "SECRET_KEY": STRONG_KEY,
            **env,
        },
    )


def _web(*extra: str, **env: str) -> subprocess.CompletedProcess:
    return _run(["sh", "-c", f"exec {_procfile_web()} {' '.join(extra)}"], **env)


@pytest.mark.no_database
@pytest.mark.timeout(120)
@pytest.mark.parametrize("value", ["two", "0", "1_000", "\uff13"])  # ３: a full-width 3
def test_the_procfiles_web_refuses_a_bad_web_concurrency_in_one_line(value):
    """gunicorn reads WEB_CONCURRENCY with int() as it is imported, before gunicorn.conf.py:
    'two' stopped it with its own traceback ("invalid literal for int()"); int() takes 1_000
    and ３, which no other number the app reads may be."""
    done = _web("--check-config", WEB_CONCURRENCY=value)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.strip() == (
        f"WEB_CONCURRENCY must be a whole number of at least 1, not {value!r}"
    ), done.stderr
    assert done.stdout == ""


@pytest.mark.no_database
@pytest.mark.timeout(120)
@pytest.mark.parametrize("value, workers", [("3", "3"), ("", None), (" ", None)])
def test_the_procfiles_web_takes_a_good_or_blank_web_concurrency(value, workers):
    """Blank is unset, as for every variable: gunicorn.conf.py's default (gunicorn's own
    int("") stopped it with a traceback)."""
    done = _web("--print-config", WEB_CONCURRENCY=value)
    assert done.returncode == 0, done.stderr
    printed = re.search(r"^workers\s*=\s*(\d+)$", done.stdout, flags=re.MULTILINE)
    default = str(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"])
    assert printed and printed.group(1) == (workers or default), done.stdout


@pytest.mark.parametrize("value", ["3", "+3", " 3 ", "-1", "0", "1_000", "\uff13", "\u0663", "3.0"])
def test_gunicorn_conf_reads_a_number_as_the_app_does(monkeypatch, value):
    """gunicorn.conf.py imports nothing of the app (its master stays free of it), so it has
    its own reading of numbers: the same as portfolio/env.py's, for every value."""
    monkeypatch.setenv("GUNICORN_TIMEOUT", value)
    try:
        expected = env_int("GUNICORN_TIMEOUT", 60, minimum=1)
    except ImproperlyConfigured as refused:
        with pytest.raises(SystemExit) as stopped:
            runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        assert str(stopped.value) == str(refused)
    else:
        assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["timeout"] == expected


@pytest.mark.no_database
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "arguments, env, refusal",
    [
        (["--check-config"], {"SECRET_KEY": "short"}, WEAK),
        (["--check-config"], {"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        (["--check-c"], {"CURRENCY": "xx"}, "CURRENCY must be an ISO 4217 currency code"),
        ([], {"SECRET_KEY": "short", "GUNICORN_CMD_ARGS": "--print-config"}, WEAK),
    ],
)
def test_gunicorn_check_config_refuses_in_one_line(tmp_path, arguments, env, refusal):
    """--check-config runs no server hook (on_starting, where gunicorn refuses a weak key
    before starting) and loads the app: its refusal came as a traceback under "Error while
    loading the application"."""
    done = _run(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", *arguments],
        HOME=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Greenlight refuses to start: {refusal}"), (
        done.stderr
    )
    assert done.stdout == ""


@pytest.mark.no_database
@pytest.mark.timeout(120)
def test_gunicorn_check_config_passes_a_good_configuration_through_the_procfile(tmp_path):
    done = _web("--check-config", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "refuses" not in done.stderr


def test_the_readme_starts_web_as_the_procfile_does():
    readme = (ROOT / "README.md").read_text()
    assert f"web: {_procfile_web()}" in readme
    assert f"{_procfile_web().replace(' portfolio.wsgi', '')} " in readme
    assert os.access(ROOT / "scripts" / "web.py", os.X_OK)


# gunicorn started bare: `-m gunicorn`, "-m", "gunicorn" (a command as a list) or `gunicorn ...`
# at the start of a command line.
_BARE_GUNICORN = re.compile(r"""-m["',\s]+gunicorn\b|(?:^|[`;&|]\s*|exec\s+)gunicorn\s+-""", re.M)


def test_the_project_starts_gunicorn_only_through_scripts_web():
    """gunicorn reads WEB_CONCURRENCY with int() as it is imported, before gunicorn.conf.py:
    nothing in that file can turn 'two' into one line. Every gunicorn the project starts
    (the Procfiles, the README's commands, the benchmark) is scripts/web.py's, which can;
    only the tests of gunicorn.conf.py's own refusals start it bare."""
    started_here = {
        path.relative_to(ROOT): path.read_text()
        for path in [
            ROOT / "Procfile",
            ROOT / "Procfile.sso",
            ROOT / "Makefile",
            *sorted((ROOT / "bench").glob("*.py")),
            ROOT / "bench" / "run",
            ROOT / "bench" / "fault-restart",
            *sorted((ROOT / "scripts").glob("*.py")),
        ]
        if path.exists() and path.name != "web.py"
    }
    # The README's commands, not its words about gunicorn.
    readme = (ROOT / "README.md").read_text()
    started_here["README.md"] = "\n".join(re.findall(r"^```[a-z]*\n(.*?)^```", readme, re.M | re.S))
    bare = [
        f"{name}: {found.group(0)!r}"
        for name, text in started_here.items()
        for found in _BARE_GUNICORN.finditer(text)
    ]
    assert bare == []
