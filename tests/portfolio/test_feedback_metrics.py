"""The feedback loop's numbers (outcome scores, decision quality, assets, adoption) equal
the sample portfolio's expected sections, and each branch of the score is right by hand."""

from __future__ import annotations

import csv
import datetime
import json
from fractions import Fraction
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from gates.interchange import command_line_import
from portfolio import metrics
from portfolio.metrics.feedback import outcome_score

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio-v3"
AS_OF = datetime.date(2026, 11, 20)


def _rows(name: str) -> list[dict]:
    with (SAMPLE / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def sample(db):
    # Format versions 2 and 3: estimates, formula-quoted titles, artifacts, uses, adoption.
    command_line_import(SAMPLE)


def _expected(name: str) -> dict:
    return json.loads((SAMPLE / "expected" / name).read_text())


FEEDBACK = ("decision_quality", "assets", "adoption")


def _sections(**filters) -> dict:
    result = metrics.compute(as_of=AS_OF, sections=FEEDBACK, **filters)
    del result["as_of"]
    return result


def test_it_gives_the_sample_portfolios_sections(sample):
    assert _sections() == _expected("outcomes-2026-11-20.json")


def test_it_gives_the_sample_portfolios_sections_for_one_bucket(sample):
    assert _sections(bucket="revenue") == _expected("outcomes-2026-11-20-bucket-revenue.json")


def test_the_spec_json_carries_the_three_sections(sample):
    result = metrics.compute(as_of=AS_OF)
    for name, value in _expected("outcomes-2026-11-20.json").items():
        assert result[name] == value


@pytest.mark.postgres
def test_postgres_gives_the_same_sections_in_one_statement(sample):
    with CaptureQueriesContext(connection) as captured:
        assert _sections() == _expected("outcomes-2026-11-20.json")
    # The JIT turned off for the transaction (side_by_side.NO_JIT), then one statement.
    assert [query["sql"] for query in captured][:1] == ["SET LOCAL jit = off"]
    assert len(captured) == 2


def _score(*, r: int, low: int, expected: int, high: int, months: int = 12):
    """A project realizing ``r`` a year (whole currency units) over ``months`` months."""
    return outcome_score(
        value_cents=r * 100 * months // 12,
        months=months,
        low_cents=low * 100,
        expected_cents=expected * 100,
        high_cents=high * 100,
    )


def test_the_specs_example_scores_55():
    score = _score(r=500_000, low=400_000, expected=600_000, high=1_200_000)
    assert score.rounded == 55.0
    assert score.branch == "expected"
    assert score.formula == "R ≥ L: 40 + 30 · (R − L) / (E − L)"


@pytest.mark.parametrize(
    ("r", "low", "expected", "high", "score", "branch"),
    [
        (0, 100, 200, 300, 0.0, "none"),  # no value scores 0
        (0, 0, 200, 300, 0.0, "none"),  # ... even when L = 0
        (300, 100, 200, 300, 100.0, "above_high"),  # R = H
        (900, 100, 200, 300, 100.0, "above_high"),
        (250, 100, 200, 300, 85.0, "high"),  # halfway from E to H
        (200, 100, 200, 300, 70.0, "high"),  # R = E
        (150, 100, 200, 300, 55.0, "expected"),
        (100, 100, 200, 300, 40.0, "expected"),  # R = L
        (50, 100, 200, 300, 20.0, "low"),
        (150, 200, 200, 300, 30.0, "low"),  # L = E, below both
        (200, 200, 200, 300, 70.0, "high"),  # L = E, on them: E's rule, no division by 0
        (250, 100, 300, 300, 62.5, "expected"),  # E = H, below
        (300, 100, 300, 300, 100.0, "above_high"),  # E = H, on them
        (50, 0, 100, 200, 55.0, "expected"),  # L = 0: any value is at least L
        (1, 3, 3, 3, 13.33, "low"),  # 40 / 3 rounds to 13.33
        (2, 3, 3, 3, 26.67, "low"),  # 80 / 3, half up at the third decimal
    ],
)
def test_each_branch_of_the_score(r, low, expected, high, score, branch):
    result = _score(r=r, low=low, expected=expected, high=high)
    assert (result.rounded, result.branch) == (score, branch)


def _reference_score(value_cents, months, low_cents, expected_cents, high_cents) -> Fraction:
    """The spec's rules as written, on R = 12 × the mean month, in fractions."""
    r = Fraction(12 * value_cents, months)
    low, expected, high = Fraction(low_cents), Fraction(expected_cents), Fraction(high_cents)
    if r <= 0:
        return Fraction(0)
    if r >= high:
        return Fraction(100)
    if r >= expected:
        return 70 + 30 * (r - expected) / (high - expected)
    if r >= low:
        return 40 + 30 * (r - low) / (expected - low)
    return 40 * r / low


@given(
    value=st.integers(0, 10**13),
    months=st.integers(3, 240),
    range_=st.lists(st.integers(0, 10**12), min_size=3, max_size=3).map(sorted),
)
def test_the_score_is_exactly_the_specs_rules(value, months, range_):
    low, expected, high = range_
    score = outcome_score(
        value_cents=value, months=months, low_cents=low, expected_cents=expected, high_cents=high
    )
    assert score.score == _reference_score(value, months, low, expected, high)
    assert score.annualized == Fraction(12 * value, 100 * months)
    assert (score.low, score.expected, score.high) == (
        Fraction(low, 100),
        Fraction(expected, 100),
        Fraction(high, 100),
    )


def test_fewer_than_three_outcome_months_give_no_score():
    assert _score(r=100, low=1, expected=2, high=3, months=2) is None
    assert _score(r=100, low=1, expected=2, high=3, months=3).rounded == 100.0


def test_a_zero_month_counts_toward_the_three():
    score = outcome_score(
        value_cents=0, months=3, low_cents=100, expected_cents=200, high_cents=300
    )
    assert score.rounded == 0.0
    assert score.annualized == Fraction(0)


def test_the_dashboard_shows_the_three_panels_with_the_same_numbers(client, sample, erin):
    from tests.portfolio.test_dashboard import feedback_numbers, page_numbers

    client.force_login(erin)
    response = client.get(reverse("dashboard"), {"as_of": AS_OF.isoformat()})
    shown = page_numbers(response.content, feedback=True)
    wanted = feedback_numbers(_expected("outcomes-2026-11-20.json"))
    assert {name: shown.get(name) for name in wanted} == wanted
    text = response.content.decode()
    for heading in ("Decision quality", "Research as assets", "Adoption"):
        assert heading in text


def test_the_dashboard_panels_follow_the_filters(client, sample, erin):
    from tests.portfolio.test_dashboard import feedback_numbers, page_numbers

    client.force_login(erin)
    response = client.get(reverse("dashboard"), {"as_of": AS_OF.isoformat(), "bucket": "revenue"})
    shown = page_numbers(response.content, feedback=True)
    wanted = feedback_numbers(_expected("outcomes-2026-11-20-bucket-revenue.json"))
    assert {name: shown.get(name) for name in wanted} == wanted


@pytest.mark.parametrize(
    ("table", "first_line"),
    [
        ("decision_quality", "decided_by,go_decisions,mean_score"),
        ("outcome_scores", "key,title,months,annualized_value,score,rule"),
        ("assets", "measure,value"),
        ("adoption", "measure,value"),
    ],
)
def test_each_panel_has_its_csv(client, sample, erin, table, first_line):
    client.force_login(erin)
    response = client.get(reverse("dashboard_csv", args=[table]), {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    lines = body.decode().splitlines()
    assert lines[0] == first_line
    assert len(lines) > 1


def test_an_earlier_as_of_date_counts_less(sample):
    earlier = metrics.compute(as_of=datetime.date(2025, 6, 30), sections=FEEDBACK)
    now = metrics.compute(as_of=AS_OF, sections=FEEDBACK)
    assert earlier["assets"]["artifacts"] < now["assets"]["artifacts"]
    assert earlier["adoption"]["tasks_completed"] < now["adoption"]["tasks_completed"]
    assert (
        earlier["decision_quality"]["scored_projects"] <= now["decision_quality"]["scored_projects"]
    )


def test_the_v3_sample_gives_metrics_md_sections_too(sample):
    from tests.portfolio.dashboard_sample import metrics_md

    assert metrics_md(metrics.compute(as_of=AS_OF)) == _expected("metrics-2026-11-20.json")


def test_the_dashboard_lists_the_scores_of_the_largest_products_and_says_how_many(
    sample, client, erin, monkeypatch
):
    """The page stays the same size as the portfolio grows: the CSV has every score."""
    monkeypatch.setattr("portfolio.dashboard.views.SCORES_SHOWN", 3)
    scores = metrics.compute(as_of=AS_OF, sections=("outcome_scores",))["outcome_scores"]
    largest = sorted(scores, key=lambda row: (-row["annualized_value"], row["key"]))[:3]
    client.force_login(erin)

    response = client.get(reverse("dashboard"), {"as_of": AS_OF.isoformat()})

    content = " ".join(response.content.decode().split())
    assert f"the scores of the 3 largest of {len(scores)} products" in content
    table = content[content.index("Outcome score of each scored product") :]
    table = table[: table.index("</table>")]
    assert table.count('<th scope="row">') == 3
    for row in largest:
        assert f">{row['key']}</a>" in table


def test_each_projects_score_is_worked_out_once_for_the_dashboard(sample, monkeypatch):
    """Decision quality and the outcome scores table read the same rows: scored once."""
    from portfolio.metrics import feedback

    scored = []
    monkeypatch.setattr(
        feedback, "outcome_score", lambda **kw: scored.append(kw) or outcome_score(**kw)
    )
    result = metrics.compute(as_of=AS_OF, sections=metrics.DASHBOARD)

    assert len(scored) == len(result["outcome_scores"]) > 0
    assert result["decision_quality"] == _expected("outcomes-2026-11-20.json")["decision_quality"]
