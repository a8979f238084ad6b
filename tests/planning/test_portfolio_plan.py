"""manage.py portfolio_plan against the sample portfolio's expected plans."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tests.planning.sample import expected, import_sample


def plan(*args: str) -> dict:
    out = io.StringIO()
    call_command("portfolio_plan", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def sample(db):
    import_sample()


def test_it_gives_the_expected_plan_for_2m(sample):
    got = plan("--as-of", "2026-11-20", "--budget", "2000000")
    assert got == expected("plan-2026-11-20-budget-2m.json")


def test_it_gives_the_expected_plan_with_targets_and_calibration(sample):
    got = plan(
        "--as-of",
        "2026-11-20",
        "--budget",
        "3000000",
        "--target",
        "efficiency=0.5",
        "--target",
        "revenue=0.3",
        "--target",
        "new_category=0.2",
        "--calibrated",
    )
    assert got == expected("plan-2026-11-20-budget-3m-targets-calibrated.json")
