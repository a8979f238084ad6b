"""The sample portfolio and its expected metrics, for the dashboard's view tests."""

from __future__ import annotations

import json
from pathlib import Path

from gates.interchange import command_line_import

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"

# Each expected file, and the query string that asks for it.
EXPECTED = {
    "metrics-2026-06-30.json": {"as_of": "2026-06-30"},
    "metrics-2026-06-30-bucket-revenue.json": {"as_of": "2026-06-30", "bucket": "revenue"},
    "metrics-2026-06-30-pm3.json": {"as_of": "2026-06-30", "product_manager": "pm3@example.com"},
    "metrics-2026-11-20-pm3.json": {"as_of": "2026-11-20", "product_manager": "pm3@example.com"},
    "metrics-2025-03-31-research-type-science.json": {
        "as_of": "2025-03-31",
        "research_type": "science",
    },
}


def import_sample() -> None:
    command_line_import(SAMPLE)


def expected(filename: str) -> dict:
    return json.loads((SAMPLE / "expected" / filename).read_text())


# The feedback loop's sections (docs/metrics.md) come after those of the expected files,
# which predate them; tests/portfolio/test_feedback_metrics.py checks their numbers.
FEEDBACK = ("decision_quality", "assets", "adoption")


def metrics_md(result: dict) -> dict:
    """A metrics result without the feedback loop's sections, to compare with a file."""
    assert list(result)[-len(FEEDBACK) :] == list(FEEDBACK), list(result)
    return {key: value for key, value in result.items() if key not in FEEDBACK}
