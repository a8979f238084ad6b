"""manage.py portfolio_metrics: exactly the expected files (byte for byte), and a text summary."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gates.interchange import command_line_import
from tests.portfolio.dashboard_sample import metrics_md

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
EXPECTED = {
    "metrics-2026-06-30.json": ["--as-of", "2026-06-30"],
    "metrics-2026-06-30-bucket-revenue.json": ["--as-of", "2026-06-30", "--bucket", "revenue"],
    "metrics-2026-06-30-pm3.json": [
        "--as-of",
        "2026-06-30",
        "--product-manager",
        "pm3@example.com",
    ],
    "metrics-2026-11-20-pm3.json": [
        "--as-of",
        "2026-11-20",
        "--product-manager",
        "pm3@example.com",
    ],
    "metrics-2025-03-31-research-type-science.json": [
        "--as-of",
        "2025-03-31",
        "--research-type",
        "science",
    ],
}


def run(*args: str) -> str:
    stdout = io.StringIO()
    call_command("portfolio_metrics", *args, stdout=stdout)
    return stdout.getvalue()


@pytest.fixture
def sample(db):
    command_line_import(SAMPLE)


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_it_prints_each_expected_file_exactly(sample, filename):
    output = run(*EXPECTED[filename], "--format", "json")

    expected = (SAMPLE / "expected" / filename).read_text(encoding="utf-8")
    assert metrics_md(json.loads(output)) == json.loads(expected)
    # Written exactly as the file, then the feedback loop's sections.
    assert output.startswith(expected.rstrip().removesuffix("}").rstrip() + ",\n")


def test_it_prints_a_readable_summary(sample):
    output = run("--as-of", "2026-06-30", "--bucket", "revenue", "--format", "text")

    assert output.startswith("Portfolio metrics as of 2026-06-30 (bucket revenue)\n")
    assert "Funnel" in output
    assert "By strategic bucket" in output
    assert "Forecast calibration: Brier" in output


def test_it_prints_text_unless_asked_for_json(sample):
    assert run("--as-of", "2026-06-30").startswith("Portfolio metrics as of 2026-06-30")


def test_it_defaults_to_today(db):
    import datetime

    output = json.loads(run("--format", "json"))

    assert output["as_of"] == datetime.date.today().isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bucket", "moonshots"], "Unknown bucket 'moonshots'"),
        (["--research-type", "basic"], "Unknown research type 'basic'"),
        (["--as-of", "2026-13-01"], "--as-of: '2026-13-01' is not a date"),
    ],
)
def test_it_refuses_bad_options_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--format", "json")


def test_it_shows_an_empty_portfolio(db):
    output = run("--as-of", "2026-06-30")

    assert "Projects           0" in output
    assert "No projects." in output
    assert "No activity yet." in output
