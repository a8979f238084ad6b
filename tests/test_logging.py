"""`make run`'s console: each line once, and no traceback for an ordinary refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import django
django.setup()
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response
request = RequestFactory().get("/projects/X/edit/")
try:
    raise PermissionDenied
except PermissionDenied as error:
    log_response("Forbidden (Permission denied): %s", request.path, response=HttpResponse(status=403),
                 request=request, exception=error)
try:
    raise ValueError("boom")
except ValueError as error:
    log_response("Internal Server Error: %s", "/crash/", response=HttpResponse(status=500),
                 request=request, exception=error)
"""


def _run(**env) -> str:
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "portfolio.settings", **env}
    environ.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr


def test_a_403_is_one_line_without_a_traceback():
    output = _run(DEBUG="true")
    assert output.count("Forbidden (Permission denied): /projects/X/edit/") == 1, output
    forbidden_part = output.split("Internal Server Error")[0]
    assert "Traceback" not in forbidden_part, output


def test_a_500_keeps_its_traceback_and_is_printed_once():
    output = _run(DEBUG="true")
    assert output.count("Internal Server Error: /crash/") == 1, output
    assert "ValueError: boom" in output


def _settings(**env) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "portfolio.settings", "DEBUG": "true", **env}
    environ.pop("DATABASE_URL", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, logging; django.setup(); "
            "print(logging.getLevelName(logging.getLogger().level), "
            "logging.getLevelName(logging.getLogger('django').level))",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_log_level_is_read_in_any_case():
    """gunicorn's GUNICORN_LOG_LEVEL is `info`: operators write LOG_LEVEL the same way."""
    done = _settings(LOG_LEVEL="info")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["INFO", "INFO"]


def test_an_unknown_log_level_stops_start_up_naming_the_variable_and_the_levels():
    done = _settings(LOG_LEVEL="verbose")
    assert done.returncode != 0
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in done.stderr
    assert "'verbose'" in done.stderr
    assert "Unable to configure logger" not in done.stderr
