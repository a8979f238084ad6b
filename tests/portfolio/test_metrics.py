"""The metrics engine: the sample portfolio's expected files to the cent, and hand-computed edges."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from gates.interchange import command_line_import
from gates.models import Gate, GateDecision
from portfolio import metrics
from portfolio.metrics.numbers import json_number, ratio
from portfolio.models import Role, Status
from tests.builders import decide, greenlight, make_project, make_user, record_outcome, record_spend
from tests.portfolio.dashboard_sample import metrics_md

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
EXPECTED = {
    "metrics-2026-06-30.json": {"as_of": datetime.date(2026, 6, 30)},
    "metrics-2026-06-30-bucket-revenue.json": {
        "as_of": datetime.date(2026, 6, 30),
        "bucket": "revenue",
    },
    "metrics-2026-06-30-pm3.json": {
        "as_of": datetime.date(2026, 6, 30),
        "product_manager": "pm3@example.com",
    },
    "metrics-2026-11-20-pm3.json": {
        "as_of": datetime.date(2026, 11, 20),
        "product_manager": "pm3@example.com",
    },
    "metrics-2025-03-31-research-type-science.json": {
        "as_of": datetime.date(2025, 3, 31),
        "research_type": "science",
    },
}

D = datetime.date


# --- The sample portfolio ---------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_it_matches_each_expected_file_to_the_cent(db, filename):
    command_line_import(SAMPLE)
    expected = json.loads((SAMPLE / "expected" / filename).read_text())

    result = metrics.compute(**EXPECTED[filename])

    assert metrics_md(result) == expected


def test_it_rounds_an_exact_brier_tie_away_from_zero(db):
    command_line_import(SAMPLE)

    result = metrics.compute(as_of=D(2026, 6, 30), product_manager="PM3@Example.com")

    # 0.21675 exactly: a float computation would give 0.2167.
    assert result["calibration"]["brier"] == 0.2168


# --- Rounding ------------------------------------------------------------------------------


def test_it_rounds_halves_away_from_zero_from_the_exact_value():
    assert ratio(21675, 100000, 4) == Decimal("0.2168")
    assert ratio(2301436625, 1000, 2) == Decimal("2301436.63")
    assert ratio(21674, 100000, 4) == Decimal("0.2167")
    assert ratio(2, 3, 4) == Decimal("0.6667")
    assert ratio(-21675, 100000, 4) == Decimal("-0.2168")
    assert ratio(1, 0) is None
    assert json_number(ratio(2301436625, 1000, 2)) == 2301436.63


# --- Hand-computed edges --------------------------------------------------------------------


def test_it_reports_a_portfolio_where_nothing_is_decided_yet(alice, bob):
    first = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    second = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 20))
    record_spend(first, D(2026, 1, 10), "100.10")
    record_spend(second, D(2026, 2, 1), "50.05")

    result = metrics.compute(as_of=D(2026, 2, 15))

    assert result["headline"] == {
        "projects": 2,
        "active": 2,
        "on_hold": 0,
        "greenlit": 0,
        "killed": 0,
        "cumulative_spend": 150.15,
        "funding_granted": 0.0,
        "success_rate": None,
        "spend_per_success": None,
        "killed_spend": 0.0,
        "projected_value_greenlit": 0.0,
        "realized_value": 0.0,
        "realized_roi": 0.0,
    }
    assert result["funnel"][0] == {
        "gate": 1,
        "reached": 2,
        "go": 0,
        "kill": 0,
        "hold": 0,
        "recycle": 0,
        "killed_here": 0,
        "pass_rate": None,
        "sunk_spend_killed_here": 0.0,
    }
    assert [row["reached"] for row in result["funnel"]] == [2, 0, 0, 0]
    assert result["series"] == [
        {
            "month": "2026-01",
            "cumulative_spend": 100.1,
            "greenlit": 0,
            "killed": 0,
            "success_rate": None,
        },
        {
            "month": "2026-02",
            "cumulative_spend": 150.15,
            "greenlit": 0,
            "killed": 0,
            "success_rate": None,
        },
    ]
    assert result["calibration"] == {
        "forecasts": 0,
        "brier": None,
        "by_product_manager": [
            {"product_manager": "bob@example.com", "forecasts": 0, "brier": None}
        ],
    }


def test_it_reports_a_portfolio_where_everything_was_killed(alice, bob):
    early = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    later = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    record_spend(early, D(2026, 1, 6), "200.00")
    record_spend(later, D(2026, 1, 15), "300.50")
    decide(early, 1, "kill", decided_on=D(2026, 1, 20), probability_of_success="0.1")
    decide(
        later,
        1,
        "go",
        decided_on=D(2026, 1, 10),
        probability_of_success="0.3",
        funding_granted="1000",
    )
    decide(later, 2, "kill", decided_on=D(2026, 2, 10))

    result = metrics.compute(as_of=D(2026, 3, 1))

    headline = result["headline"]
    assert (headline["active"], headline["greenlit"], headline["killed"]) == (0, 0, 2)
    assert headline["success_rate"] == 0.0
    assert headline["spend_per_success"] is None
    assert headline["cumulative_spend"] == headline["killed_spend"] == 500.5
    assert headline["funding_granted"] == 1000.0
    gate_1, gate_2, gate_3, gate_4 = result["funnel"]
    assert (gate_1["reached"], gate_1["go"], gate_1["kill"], gate_1["killed_here"]) == (2, 1, 1, 1)
    assert gate_1["pass_rate"] == 0.5  # one went on, one was killed here
    assert gate_1["sunk_spend_killed_here"] == 200.0
    assert (gate_2["reached"], gate_2["killed_here"], gate_2["pass_rate"]) == (1, 1, 0.0)
    assert gate_2["sunk_spend_killed_here"] == 300.5
    assert gate_3["reached"] == gate_4["reached"] == 0
    assert [(p["month"], p["killed"], p["success_rate"]) for p in result["series"]] == [
        ("2026-01", 1, 0.0),
        ("2026-02", 2, 0.0),
        ("2026-03", 2, 0.0),
    ]
    # Forecasts 0.4 and 0.1 (early), 0.4 and 0.3 (later), all o = 0:
    # (0.16 + 0.01 + 0.16 + 0.09) / 4 = 0.105
    assert result["calibration"]["forecasts"] == 4
    assert result["calibration"]["brier"] == 0.105


def test_it_takes_two_decisions_on_one_day_in_recorded_order(alice, bob):
    project = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    gate_1 = Gate.objects.get(number=1)
    # Written directly, go first, so the row ids disagree with the recorded order
    # (sequence), as an import may leave them; the service always inserts in order.
    for sequence, decision in ((2, "go"), (1, "hold")):
        GateDecision.objects.create(
            project=project,
            gate=gate_1,
            decision=decision,
            decided_on=D(2026, 2, 2),
            sequence=sequence,
            decided_by=bob,
        )

    result = metrics.compute(as_of=D(2026, 2, 2))

    assert result["headline"]["active"] == 1
    assert result["headline"]["on_hold"] == 0
    gate_1_row, gate_2_row = result["funnel"][:2]
    assert (gate_1_row["hold"], gate_1_row["go"], gate_1_row["reached"]) == (1, 1, 1)
    assert gate_2_row["reached"] == 1  # now waiting at gate 2


def test_it_shows_a_project_on_hold_until_its_next_decision(alice, bob):
    project = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    decide(project, 1, "hold", decided_on=D(2026, 1, 10))
    decide(project, 1, "go", decided_on=D(2026, 2, 10))

    on_hold = metrics.compute(as_of=D(2026, 1, 31))["headline"]
    moved_on = metrics.compute(as_of=D(2026, 2, 28))["headline"]

    assert (on_hold["on_hold"], on_hold["active"]) == (1, 0)
    assert (moved_on["on_hold"], moved_on["active"]) == (0, 1)


def _empty_result(as_of: str) -> dict:
    return {
        "as_of": as_of,
        "headline": {
            "projects": 0,
            "active": 0,
            "on_hold": 0,
            "greenlit": 0,
            "killed": 0,
            "cumulative_spend": 0.0,
            "funding_granted": 0.0,
            "success_rate": None,
            "spend_per_success": None,
            "killed_spend": 0.0,
            "projected_value_greenlit": 0.0,
            "realized_value": 0.0,
            "realized_roi": None,
        },
        "funnel": [
            {
                "gate": gate,
                "reached": 0,
                "go": 0,
                "kill": 0,
                "hold": 0,
                "recycle": 0,
                "killed_here": 0,
                "pass_rate": None,
                "sunk_spend_killed_here": 0.0,
            }
            for gate in (1, 2, 3, 4)
        ],
        "series": [],
        "buckets": [],
        "outcomes": {"under": 0, "within": 0, "over": 0},
        "calibration": {"forecasts": 0, "brier": None, "by_product_manager": []},
        "decision_quality": {"scored_projects": 0, "mean_outcome_score": None, "by_decider": []},
        "assets": {
            "artifacts": 0,
            "by_kind": {"model": 0, "dataset": 0, "report": 0, "code": 0, "other": 0},
            "reused_artifacts": 0,
            "projects_reusing": 0,
            "salvaged_from_killed": 0,
            "value_on_reuse": 0.0,
        },
        "adoption": {
            "projects_with_adoption": 0,
            "active_users_latest": 0,
            "tasks_completed": 0,
            "minutes_saved": 0.0,
        },
    }


def test_it_shows_nothing_as_of_a_date_before_any_activity(db):
    command_line_import(SAMPLE)

    result = metrics.compute(as_of=D(2020, 1, 1))

    assert result == _empty_result("2020-01-01")


def test_it_shows_nothing_for_a_filter_that_leaves_no_project(db):
    command_line_import(SAMPLE)

    by_stranger = metrics.compute(as_of=D(2026, 6, 30), product_manager="nobody@example.com")

    assert by_stranger == _empty_result("2026-06-30")


def test_it_shows_nothing_for_an_empty_portfolio(db):
    assert metrics.compute(as_of=D(2026, 6, 30)) == _empty_result("2026-06-30")


def test_it_keeps_a_month_without_events_in_the_series(alice, bob):
    project = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    record_spend(project, D(2026, 1, 10), "10.00")
    record_spend(project, D(2026, 3, 3), "5.25")
    record_spend(project, D(2026, 3, 20), "1.00")  # after the as-of date: not yet

    result = metrics.compute(as_of=D(2026, 3, 15))

    assert [(p["month"], p["cumulative_spend"]) for p in result["series"]] == [
        ("2026-01", 10.0),
        ("2026-02", 10.0),
        ("2026-03", 15.25),
    ]
    assert result["headline"]["cumulative_spend"] == 15.25


def test_it_starts_the_series_at_the_earliest_submission(alice, bob):
    make_project(researcher=alice, product_manager=bob, submitted_on=D(2025, 11, 30))

    result = metrics.compute(as_of=D(2026, 1, 2))

    assert [p["month"] for p in result["series"]] == ["2025-11", "2025-12", "2026-01"]


def test_it_judges_outcomes_against_the_projected_range_exactly(alice, bob):
    # Projected low 100000, high 400000 a year (make_project's defaults).
    under, at_low, over = (
        make_project(researcher=alice, product_manager=bob, submitted_on=D(2025, 1, 5))
        for _ in range(3)
    )
    monthly = {
        under: ["8000", "8000"],  # 96000 a year
        at_low: ["8000", "8000", "9000"],  # exactly 100000 a year: within
        over: ["40000"],  # 480000 a year
    }
    for project, values in monthly.items():
        greenlight(project, on=D(2025, 2, 1))
        for month, value in enumerate(values, start=3):
            record_outcome(project, D(2025, month, 1), value)

    result = metrics.compute(as_of=D(2025, 12, 31))

    assert result["outcomes"] == {"under": 1, "within": 1, "over": 1}
    assert result["headline"]["realized_value"] == 81000.0
    assert result["headline"]["projected_value_greenlit"] == 750000.0
    assert result["headline"]["success_rate"] == 1.0


def test_it_scores_each_product_managers_forecasts(alice, bob, pete):
    won = make_project(researcher=alice, product_manager=bob, submitted_on=D(2025, 1, 5))
    lost = make_project(researcher=alice, product_manager=pete, submitted_on=D(2025, 1, 5))
    make_project(researcher=alice, product_manager=pete, submitted_on=D(2025, 1, 5))
    greenlight(won, on=D(2025, 2, 1))  # forecast 0.4 at submission: (0.4 - 1)² = 0.36
    decide(
        lost, 1, "kill", decided_on=D(2025, 2, 1), probability_of_success="0.25"
    )  # 0.16 and 0.0625

    calibration = metrics.compute(as_of=D(2025, 3, 1))["calibration"]

    assert calibration == {
        "forecasts": 3,
        "brier": 0.1942,  # (0.36 + 0.16 + 0.0625) / 3 = 0.194166…
        "by_product_manager": [
            {"product_manager": "bob@example.com", "forecasts": 1, "brier": 0.36},
            {"product_manager": "pete@example.com", "forecasts": 2, "brier": 0.1113},
        ],
    }


def test_it_leaves_out_drafts_and_projects_submitted_after_the_as_of_date(alice, bob):
    make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 5, 1))
    make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 4, 1))

    assert metrics.compute(as_of=D(2026, 4, 30))["headline"]["projects"] == 1


def test_it_matches_the_product_manager_ignoring_case(alice, bob):
    make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))

    result = metrics.compute(as_of=D(2026, 2, 1), product_manager="  Bob@Example.COM ")

    assert result["headline"]["projects"] == 1


def test_it_restricts_everything_to_the_filtered_projects(alice, bob):
    kept = make_project(
        researcher=alice, product_manager=bob, submitted_on=D(2026, 2, 5), bucket="revenue"
    )
    other = make_project(
        researcher=alice, product_manager=bob, submitted_on=D(2025, 6, 5), bucket="efficiency"
    )
    record_spend(kept, D(2026, 2, 10), "7.00")
    record_spend(other, D(2025, 7, 1), "1000.00")

    result = metrics.compute(as_of=D(2026, 3, 1), bucket="revenue")

    assert result["headline"]["cumulative_spend"] == 7.0
    assert [p["month"] for p in result["series"]] == ["2026-02", "2026-03"]
    assert [b["bucket"] for b in result["buckets"]] == ["revenue"]


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"bucket": "moonshots"}, "Unknown bucket 'moonshots'"),
        ({"research_type": "basic"}, "Unknown research type 'basic'"),
    ],
)
def test_it_refuses_an_unknown_bucket_or_research_type(db, filters, message):
    with pytest.raises(metrics.MetricsFilterError, match=message):
        metrics.compute(as_of=D(2026, 1, 1), **filters)


def test_it_treats_blank_filters_as_no_filter(alice, bob):
    make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))

    result = metrics.compute(as_of=D(2026, 2, 1), bucket="", research_type=" ", product_manager="")

    assert result["headline"]["projects"] == 1


def test_it_defaults_to_today(alice, bob):
    assert metrics.compute()["as_of"] == datetime.date.today().isoformat()


# --- A fixed number of queries ------------------------------------------------------------------


def _portfolio(size: int) -> None:
    researcher = make_user(f"r{size}@example.com", Role.RESEARCHER)
    managers = [make_user(f"pm{size}-{i}@example.com", Role.PRODUCT_MANAGER) for i in range(3)]
    for n in range(size):
        project = make_project(
            researcher=researcher,
            product_manager=managers[n % 3],
            submitted_on=D(2025, 1 + n % 6, 1),
            bucket=["efficiency", "revenue", "new_category"][n % 3],
        )
        record_spend(project, D(2025, 7, 1), "10.00")
        if n % 3 == 0:
            greenlight(project, on=D(2025, 8, 1))
            record_outcome(project, D(2025, 9, 1), "100")
        elif n % 3 == 1:
            decide(project, 1, "kill", decided_on=D(2025, 8, 1), probability_of_success="0.2")


@pytest.mark.parametrize("size", [3, 60])
def test_it_runs_a_fixed_number_of_queries_whatever_the_size(
    db, size, django_assert_max_num_queries
):
    _portfolio(size)

    # One statement per query on SQLite: five of metrics.md, five of the feedback loop.
    with django_assert_max_num_queries(10):
        result = metrics.compute(as_of=D(2025, 12, 31))

    assert result["headline"]["projects"] == size
    with django_assert_max_num_queries(10):
        metrics.compute(
            as_of=D(2025, 12, 31), bucket="revenue", product_manager=f"pm{size}-1@example.com"
        )


def test_it_summarizes_for_a_terminal(db):
    command_line_import(SAMPLE)

    text = metrics.to_text(
        metrics.compute(as_of=D(2026, 6, 30), product_manager="pm3@example.com"),
        filters={"product manager": "pm3@example.com"},
    )

    assert text.startswith("Portfolio metrics as of 2026-06-30 (product manager pm3@example.com)")
    assert "Success rate       14.29% (1 greenlit of 7 decided)" in text
    assert "2,981,708.17" in text
    assert "Brier 0.2168 over 20 forecasts" in text


def test_it_counts_the_as_of_months_spend_up_to_the_day(alice, bob):
    # Whole months come from the monthly rollup, the as-of month from the entries.
    project = make_project(researcher=alice, product_manager=bob, submitted_on=D(2026, 1, 5))
    record_spend(project, D(2026, 1, 31), "100.00")
    record_spend(project, D(2026, 2, 1), "20.00")
    record_spend(project, D(2026, 2, 28), "3.00")

    assert metrics.compute(as_of=D(2026, 1, 31))["headline"]["cumulative_spend"] == 100.0
    assert metrics.compute(as_of=D(2026, 2, 1))["headline"]["cumulative_spend"] == 120.0
    assert metrics.compute(as_of=D(2026, 2, 27))["headline"]["cumulative_spend"] == 120.0
    assert metrics.compute(as_of=D(2026, 3, 1))["headline"]["cumulative_spend"] == 123.0
