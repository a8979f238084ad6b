"""Without Playwright the browser tests are skipped with one line, not an ImportError;
and which of them the PostgreSQL stage of `make test` runs."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Its pytest runs have a SQLite file of their own: the PostgreSQL stage would run the same.
pytestmark = pytest.mark.no_database

# Loaded by the interpreter at start-up: makes Playwright (and axe's wrapper of it) look
# not installed, as on a machine where `pip install -e .` ran without the dev extras.
BLOCK_PLAYWRIGHT = textwrap.dedent(
    """
    import sys

    class _NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("playwright", "axe_playwright_python"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, _NotInstalled())
    """
)


def run_browser_tests(tmp_path: Path, *args: str, ci: str) -> subprocess.CompletedProcess:
    (tmp_path / "sitecustomize.py").write_text(BLOCK_PLAYWRIGHT)
    # Its own SQLite file: under `make test-postgres` the outer run holds the test database.
    # Not a worker of the outer run (pytest-xdist's PYTEST_XDIST_* variables): a run of its own.
    env = {
        **{
            name: value for name, value in os.environ.items() if not name.startswith("PYTEST_XDIST")
        },
        "PYTHONPATH": str(tmp_path),
        "CI": ci,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
    )


def test_it_collects_every_browser_test_without_playwright(tmp_path):
    result = run_browser_tests(tmp_path, "tests/browser", "--collect-only", "-q", ci="")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ImportError" not in result.stdout + result.stderr
    assert "test_researcher_journey.py::" in result.stdout


# Two pytest runs of its own, one start-up each (three with its xdist workers): on a busy
# machine more than the default 120 s, though each is bounded by run_browser_tests' 110 s.
@pytest.mark.timeout(300)
def test_it_skips_with_the_reason_and_fails_under_ci(tmp_path):
    one = "tests/browser/test_researcher_journey.py"
    skipped = run_browser_tests(tmp_path, one, "-q", ci="")
    # As `make test` runs it: in two pytest-xdist processes.
    failed = run_browser_tests(tmp_path, one, "-q", "-n", "2", ci="true")

    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "Playwright not installed" in skipped.stdout
    assert "skipped" in skipped.stdout
    assert failed.returncode == 1
    assert "Playwright not installed" in failed.stdout


def test_the_postgresql_stage_runs_only_the_browser_tests_marked_for_it(tmp_path):
    """`make test` runs the browser tests on SQLite; on PostgreSQL only the worker's journeys,
    and none of the tests marked no_database."""
    makefile = (ROOT / "Makefile").read_text()
    stage_args = next(
        ["-m", line.split("=", 1)[1].strip()]
        for line in makefile.splitlines()
        if line.startswith("BROWSER_ON_SQLITE =")
    )
    result = run_browser_tests(
        tmp_path,
        "tests/browser",
        "tests/test_health.py",
        "tests/test_request_limits.py",
        "tests/portfolio/test_safe_csv.py",
        "--collect-only",
        "-q",
        *stage_args,
        ci="",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    browser = {path for path in collected if path.startswith("tests/browser/")}
    assert browser == {
        "tests/browser/test_board_pack_journey.py",
        "tests/browser/test_import_journey.py",
        "tests/browser/test_import_replace_journey.py",
        "tests/browser/test_workbook_import_journey.py",
    }
    assert "tests/test_health.py" in collected  # the rest of the suite stays
    # Those that start their own processes on a SQLite file of their own run once, on SQLite.
    tests = {line.split("::")[1] for line in result.stdout.splitlines() if "::" in line}
    assert "test_gunicorn_accepts_the_config_file" not in tests
    assert "tests/test_request_limits.py" in collected
    # Nor those that ask for no database at all (tests/pg_plugin.py marks them): the same twice.
    assert "tests/portfolio/test_safe_csv.py" not in collected


def test_markers_narrow_each_stage_without_replacing_its_own():
    """`make test MARKERS=…` keeps out what each stage leaves out (a -m in PYTEST_ARGS would
    replace the stage's expression: the PostgreSQL stage then drew every page again)."""

    def command(*args: str) -> str:
        dry_run = subprocess.run(  # noqa: S603 (make, our own Makefile)
            ["make", "--no-print-directory", "-n", *args],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return dry_run.stdout

    stage = next(
        line.split("=", 1)[1].strip()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("BROWSER_ON_SQLITE =")
    )
    assert '-m "not postgres and (not slow)"' in command("test-sqlite", "MARKERS=not slow")
    postgres = command("test-postgres", f"PG_STAGE={stage}", "MARKERS=not slow")
    assert f'-m "({stage}) and (not slow)"' in postgres
    assert '-m "not slow"' in command("test-postgres", "MARKERS=not slow")  # run alone
    assert '-m "' not in command("test-postgres")  # alone and without MARKERS: every test
