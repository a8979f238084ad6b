"""Each rule of the plan, on a hand-made portfolio, through manage.py portfolio_plan."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from portfolio.models import User
from tests.builders import (
    add_estimate,
    add_study,
    candidate,
    decide,
    greenlight,
    plan_json,
    plan_rows,
)


@pytest.fixture
def three(db, bob):
    # One year, no discount, no estimate: ECV = 0.5 · V − ask.
    candidate("A", value=400, ask=80)  # ECV 120, PI 1.5
    candidate("B", value=200, ask=50, bucket="revenue")  # ECV 50, PI 1.0
    candidate("C", value=60, ask=20, bucket="new_category")  # ECV 10, PI 0.5


def test_the_worked_example(db, bob):
    project = candidate("W", value=600000, ask=60000, probability="0.4")
    add_estimate(
        project,
        build_cost=Decimal(120000),
        monthly_run_cost=Decimal(4000),
        retraining_cadence="quarterly",
        cost_per_retrain=Decimal(3000),
    )
    result = plan_json("--budget", "100000", simple=False)
    (row,) = result["projects"]
    assert row["ecv"] == 429160.03
    assert row["pi"] == 7.1527
    assert row["funded"] is True and row["no_estimate"] is False


def test_a_project_that_does_not_fit_is_skipped_and_a_smaller_one_further_down_is_funded(three):
    result = plan_json("--budget", "100")
    got = plan_rows(result)
    assert [p["key"] for p in result["projects"]] == ["A", "B", "C"]
    assert got["A"]["reason"] == "funded"
    assert got["B"]["reason"] == "over_budget" and got["B"]["funded"] is False
    assert got["C"]["reason"] == "funded"
    assert result["funded_ask"] == 100.0 and result["unspent"] == 0.0
    assert result["funded_ecv"] == 130.0


def test_ties_in_pi_are_ranked_by_key(db, bob):
    candidate("Z", value=100, ask=10)
    candidate("Y", value=100, ask=10)
    assert [p["key"] for p in plan_json("--budget", "100")["projects"]] == ["Y", "Z"]


def test_targets_fund_each_bucket_first_then_the_rest_in_a_second_pass(three):
    # Targets: revenue 60% of 100 = 60 → B (50) fits in pass 1; efficiency has 0 → A waits.
    # Pass 2: 50 left in the pool: A (80) does not fit, C (20) does.
    result = plan_json("--budget", "100", "--target", "revenue=0.6")
    got = plan_rows(result)
    assert got["B"]["reason"] == "funded"
    assert got["A"]["reason"] == "over_budget"
    assert got["C"]["reason"] == "funded"
    buckets = {b["bucket"]: b for b in result["buckets"]}
    assert buckets["revenue"] == {
        "bucket": "revenue",
        "target_share": 0.6,
        "target": 60.0,
        "funded_ask": 50.0,
    }
    assert buckets["efficiency"]["target_share"] == 0.0
    assert buckets["new_category"]["funded_ask"] == 20.0


def test_without_targets_the_bucket_rows_have_no_target(three):
    buckets = plan_json("--budget", "100")["buckets"]
    assert [b["bucket"] for b in buckets] == ["efficiency", "revenue", "new_category"]
    assert all(b["target"] is None and b["target_share"] is None for b in buckets)


def test_pinned_in_is_funded_first_and_pinned_out_never(three):
    got = plan_rows(plan_json("--budget", "100", "--pin-in", "B", "--pin-out", "A"))
    assert got["B"]["reason"] == "pinned_in" and got["B"]["funded"] is True
    assert got["A"]["reason"] == "pinned_out" and got["A"]["funded"] is False
    assert got["C"]["reason"] == "funded"


def test_a_key_pinned_in_and_out_is_refused(three):
    with pytest.raises(CommandError, match="Pinned: A cannot be pinned both in and out"):
        plan_json("--budget", "100", "--pin-in", "A", "B", "--pin-out", "A")


def test_pinning_in_a_project_that_is_not_a_candidate_is_refused(three, bob):
    closed = candidate("K", value=100, ask=10)
    decide(closed, 1, "kill", decided_on=date.fromisoformat("2026-02-01"))
    with pytest.raises(CommandError, match="Pinned in: K is killed, and the plan funds only"):
        plan_json("--budget", "100", "--pin-in", "K")
    # Pinning it out changes nothing: the plan would not fund it anyway.
    assert plan_json("--budget", "100", "--pin-out", "K") == plan_json("--budget", "100")


def test_a_pinned_project_with_negative_ecv_is_funded_anyway(three):
    candidate("N", value=10, ask=30)  # ECV −25
    got = plan_rows(plan_json("--budget", "100", "--pin-in", "N"))
    assert got["N"]["reason"] == "pinned_in" and got["N"]["ecv"] == -25.0


def test_negative_ecv_is_not_funded_even_with_money_left(db, bob):
    candidate("N", value=10, ask=30)  # ECV 5 − 30 = −25
    got = plan_rows(plan_json("--budget", "1000"))
    assert got["N"] == {
        "key": "N",
        "bucket": "efficiency",
        "gate": 1,
        "probability": 0.5,
        "ask": 30.0,
        "ecv": -25.0,
        "pi": -0.8333,
        "rank": 1,
        "funded": False,
        "reason": "negative_ecv",
        "why_not_funded": "ECV not above 0",
        "no_estimate": True,
    }


def test_a_project_without_an_ask_is_listed_last_unranked(three):
    candidate("AA", value=1000, ask=None)
    candidate("AB", value=1000, ask=0)
    result = plan_json("--budget", "100")
    assert [p["key"] for p in result["projects"]][-2:] == ["AA", "AB"]
    last = result["projects"][-1]
    assert (last["reason"], last["rank"], last["ecv"], last["pi"], last["ask"]) == (
        "no_ask",
        None,
        None,
        None,
        0.0,
    )


def test_no_estimate_is_flagged_and_an_estimate_lowers_ecv(three):
    project = candidate("E", value=400, ask=80)
    add_estimate(
        project,
        build_cost=Decimal(100),
        monthly_run_cost=Decimal(0),
        retraining_cadence="none",
        cost_per_retrain=Decimal(0),
    )
    got = plan_rows(plan_json("--budget", "100"))
    assert got["A"]["no_estimate"] is True
    assert got["E"]["no_estimate"] is False
    assert got["E"]["ecv"] == 70.0  # 0.5 · (400 − 100) − 80


def test_closed_and_on_hold_projects_are_not_candidates(db, bob):
    candidate("OPEN", value=100, ask=10)
    on_hold = candidate("HELD", value=100, ask=10)
    decide(on_hold, 1, "hold", decided_on=date.fromisoformat("2026-02-01"))
    later = candidate("LATE", value=100, ask=10, submitted_on="2026-07-15")
    assert later.key == "LATE"
    assert [p["key"] for p in plan_json("--budget", "100")["projects"]] == ["OPEN"]


def test_the_latest_decision_probability_and_gate_are_used(db, bob):
    project = candidate("P", value=100, ask=10, probability="0.5")
    decide(
        project, 1, "go", decided_on=date.fromisoformat("2026-02-01"), probability_of_success="0.7"
    )
    decide(project, 2, "recycle", decided_on=date.fromisoformat("2026-03-01"))
    add_study(project)
    decide(
        project, 2, "go", decided_on=date.fromisoformat("2026-08-01"), probability_of_success="0.1"
    )  # after the as-of date
    (row,) = plan_json("--budget", "100")["projects"]
    assert row["probability"] == 0.7 and row["gate"] == 2


def test_calibration_with_no_record_leaves_the_probability(three):
    assert (
        plan_json("--budget", "100", "--calibrated")["projects"]
        == plan_json("--budget", "100")["projects"]
    )


def test_calibration_corrects_for_the_managers_record(db, bob, pete):
    # Bob's closed projects: killed (forecasts 0.6 at submission, 0.5 at gate 1) and
    # greenlit (0.8 at submission): n = 3, Σp = 1.9, Σo = 1; bias = (1 − 1.9) / 23.
    killed = candidate("K", value=100, ask=None, probability="0.6", product_manager=bob)
    decide(
        killed, 1, "kill", decided_on=date.fromisoformat("2026-02-01"), probability_of_success="0.5"
    )
    greenlit = candidate("G", value=100, ask=None, probability="0.8", product_manager=bob)
    greenlight(greenlit, on=date(2026, 2, 1))
    candidate("BOB", value=100, ask=10, probability="0.5", product_manager=bob)
    candidate("PETE", value=100, ask=10, probability="0.5", product_manager=pete)
    candidate("LOW", value=100, ask=10, probability="0.01", product_manager=bob)
    got = plan_rows(plan_json("--budget", "100", "--calibrated"))
    assert got["BOB"]["probability"] == 0.4609  # 0.5 − 0.9 / 23
    assert got["PETE"]["probability"] == 0.5  # no record: no correction
    assert got["LOW"]["probability"] == 0.01  # never below 1%
    assert got["BOB"]["ecv"] == 36.09  # 0.4608695… · 100 − 10, from the exact probability
    assert plan_json("--budget", "100")["probabilities"] == "raw"


def test_forecasts_after_the_as_of_date_do_not_count(db, bob):
    killed = candidate("K", value=100, ask=None, probability="0.6", product_manager=bob)
    decide(killed, 1, "kill", decided_on=date.fromisoformat("2026-08-01"))  # closed only after A
    candidate("BOB", value=100, ask=10, probability="0.5", product_manager=bob)
    assert plan_rows(plan_json("--budget", "100", "--calibrated"))["BOB"]["probability"] == 0.5


def test_the_text_format_draws_the_waterline(three):
    out = io.StringIO()
    call_command(
        "portfolio_plan", "--budget", "100", "--as-of", "2026-06-30", "--format", "text", stdout=out
    )
    text = out.getvalue()
    assert "waterline" in text
    assert text.index("waterline") < text.index(" B ")
    assert "waterline: the budget runs out here" in text


def test_the_text_format_says_how_much_above_the_waterline_is_funded_with_targets(three):
    out = io.StringIO()
    call_command(
        "portfolio_plan",
        *("--budget", "100", "--as-of", "2026-06-30", "--horizon", "1", "--discount-rate", "0"),
        *("--target", "revenue=0.6", "--format", "text"),
        stdout=out,
    )
    text = out.getvalue()
    assert "the budget runs out here" not in text
    assert "waterline: the asks above add up to 80.00, 0.00 of them funded" in text
    # A, above the line, says why it is left out: its bucket has no target, and after
    # revenue's target funded B the budget had 50 left.
    assert (
        "      asks EUR 80.00: its bucket has no target, and the budget had EUR 50.00 left at "
        "its turn; funded before it though ranked below: B (Revenue (grow existing) target)."
    ) in text.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "0"], "Budget: must be more than 0."),
        (["--budget", "-5"], "Budget: must be more than 0."),
        (
            ["--budget", "lots"],
            "Budget: lots is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        (
            ["--budget", "1_000"],
            "Budget: 1_000 is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        (["--budget", "100", "--target", "revenue=0.33333"], "Target for revenue: at most 4"),
        (["--budget", "100", "--horizon", "11"], "Horizon: a whole number of years from 1 to 10."),
        (["--budget", "100", "--horizon", "2.5"], "Horizon: a whole number of years from 1 to 10."),
        (["--budget", "100", "--discount-rate", "1"], "Discount rate: at least 0 and less than 1"),
        (["--budget", "100", "--target", "revenue=1.2"], "Target for revenue: a share from 0 to 1"),
        (
            ["--budget", "100", "--target", "revenue=0.6", "--target", "efficiency=0.5"],
            "Targets: the shares add up to 1.1, more than 1.",
        ),
        (["--budget", "100", "--target", "moonshots=0.1"], "Targets: unknown bucket “moonshots”"),
        (
            ["--budget", "100", "--target", "revenue=0.1", "--target", "revenue=0.2"],
            "Targets: bucket “revenue” is given twice.",
        ),
        (["--budget", "100", "--target", "revenue"], "should read BUCKET=SHARE"),
        (["--budget", "100", "--pin-in", "NOPE"], "Pinned: no project has the key NOPE."),
        (["--budget", "100", "--pin-out", "NOPE"], "Pinned: no project has the key NOPE."),
        (
            ["--budget", "100", "--pin-in", "A", "B"],
            "Pinned in: the asks of A and B add up to EUR 130.00, more than the budget of EUR 100.00.",
        ),
        (["--budget", "70", "--pin-in", "A"], "Pinned in: A asks EUR 80.00, more than the budget"),
        (["--budget", "100", "--as-of", "2026-13-01"], "As of: “2026-13-01” is not a date"),
        # The dashboard's range: 1900-01-01 to 2100-12-31, in the same words.
        (["--budget", "100", "--as-of", "1899-12-31"], "As of: choose a date between 1900-01-01"),
        (["--budget", "100", "--as-of", "2101-01-01"], "As of: choose a date between 1900-01-01"),
    ],
)
def test_bad_input_exits_with_one_clear_line(three, args, message):
    with pytest.raises(CommandError) as refused:
        call_command("portfolio_plan", *args, stdout=io.StringIO())
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_plan_is_made_for_any_day_the_dashboard_answers_for(three):
    assert plan_json("--budget", "100", "--as-of", "1950-01-01")["projects"] == []


def test_unknown_query_parameters_can_be_refused():
    from django.http import QueryDict

    from planning.inputs import check_parameters
    from portfolio.errors import DomainError

    check_parameters(QueryDict("budget=1&target_revenue=0.2&pin_in=A"))
    with pytest.raises(DomainError, match="Unknown parameter “budgt”"):
        check_parameters(QueryDict("budgt=1"))


def test_the_gate_review_and_project_page_show_the_same_calibration(client, bob, alice):
    killed = candidate("K", value=100, ask=None, probability="0.6", product_manager=bob)
    decide(
        killed, 1, "kill", decided_on=date.fromisoformat("2026-02-01"), probability_of_success="0.5"
    )
    greenlit = candidate("G", value=100, ask=None, probability="0.8", product_manager=bob)
    greenlight(greenlit, on=date(2026, 2, 1))
    project = candidate("BOB", value=100, ask=10, probability="0.5", product_manager=bob)
    client.force_login(bob)
    for url in (f"/projects/{project.key}/gate-review/", f"/projects/{project.key}/"):
        body = client.get(url).content.decode()
        assert "3 forecasts" in body and "bias −0.0391" in body, url
        assert "46.1%" in body, url  # 0.5 − 0.9 / 23


def test_a_managers_record_is_found_whatever_the_case_of_the_address_typed(client, bob, alice):
    # An address typed with capitals (an admin's edit) is stored in lower case (the database
    # refuses it otherwise): the one-manager record still finds the same person.
    killed = candidate("K", value=100, ask=None, probability="0.6", product_manager=bob)
    decide(
        killed, 1, "kill", decided_on=date.fromisoformat("2026-02-01"), probability_of_success="0.5"
    )
    project = candidate("BOB", value=100, ask=10, probability="0.5", product_manager=bob)
    bob.email = "Bob@Example.com"
    bob.save()
    assert User.objects.get(pk=bob.pk).email == "bob@example.com"
    client.force_login(bob)
    body = client.get(f"/projects/{project.key}/").content.decode()
    assert "2 forecasts" in body
