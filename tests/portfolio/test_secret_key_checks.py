"""One warning for a weak or missing SECRET_KEY under `check --deploy`, never two.

Django's security.W009 is silenced (portfolio/settings.py); portfolio/checks.py warns of
every key W009 warned of, saying which test it failed, and on every command, not only
under --deploy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks.security.base import check_secret_key
from django.test import override_settings

from portfolio.checks import secret_key_is_set, secret_key_is_strong_for_deployment

ROOT = Path(__file__).resolve().parents[2]
# Fixed, not random: the test ids (pytest-xdist asks every process for the same ones).
STRONG = "k7Qz-p2Lw9_xR4" * 4
KEYS = [
    "",  # none
    "short",
    "x" * 60,  # 1 different character
    "abcd" * 15,  # 4 different characters, 60 long
    ("abcde" * 10)[:49],  # 5 different characters, 49 long
    "abcde" * 10,  # 5 and 50: strong enough for Django
    "django-insecure-" + STRONG,
    "django-insecure-greenlight-development-only-key-change-me-0123456789",  # make run's
    STRONG,
]


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("key", KEYS)
def test_the_deploy_checks_warn_once_of_every_key_django_calls_weak(key, debug):
    """Every case of W009 (any DEBUG: --deploy is about the deployment to come) is said by
    exactly one of ours, and a key W009 passes by none."""
    with override_settings(SECRET_KEY=key, DEBUG=debug):
        django_calls_it_weak = bool(check_secret_key(None))
        ours = secret_key_is_set(None) + secret_key_is_strong_for_deployment(None)
    assert len(ours) == (1 if django_calls_it_weak else 0), ours
    assert all(warning.id in {"greenlight.W001", "greenlight.W002"} for warning in ours)


@pytest.mark.parametrize("key", KEYS)
def test_without_deploy_the_checks_still_warn_in_production(key):
    """Where ours is stricter than W009: on every command (a worker's start, migrate)."""
    with override_settings(SECRET_KEY=key, DEBUG=False):
        assert len(secret_key_is_set(None)) == (1 if check_secret_key(None) else 0)
    with override_settings(SECRET_KEY=key, DEBUG=True):  # make run: any key does
        assert secret_key_is_set(None) == [] or key == ""


def _check_deploy(tmp_path, **env: str) -> str:
    dropped = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env, DATABASE_URL=f"sqlite:///{tmp_path / 'check.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=90,
    )
    return done.stdout + done.stderr


@pytest.mark.no_database
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "env, warning",
    [
        (
            {"SECRET_KEY": "short", "DEBUG": "false"},
            "(greenlight.W002) SECRET_KEY is too weak for production: it has 5 characters",
        ),
        ({"SECRET_KEY": "", "DEBUG": "false"}, "(greenlight.W001) SECRET_KEY is not set"),
        (
            {"SECRET_KEY": "", "DEBUG": "true"},  # the development key
            "(greenlight.W002) SECRET_KEY is too weak for production: it starts with "
            "'django-insecure-'",
        ),
    ],
)
def test_check_deploy_warns_once_of_a_weak_secret_key(tmp_path, env, warning):
    output = _check_deploy(tmp_path, ALLOWED_HOSTS="greenlight.example.org", **env)
    assert warning in output, output
    assert "security.W009" not in output
    key_lines = [line for line in output.splitlines() if "SECRET_KEY" in line]
    assert len(key_lines) == 1, output
