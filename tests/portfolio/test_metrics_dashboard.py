"""The dashboard's extra numbers (risk and reward, zombies, reliability bins, outcome details)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from gates.models import Gate, GateDecision
from portfolio import metrics, rollups
from portfolio.metrics import MetricsFilterError, Scope
from portfolio.metrics.calibration import RELIABILITY_COLUMNS
from portfolio.metrics.open_projects import RISK_COLUMNS, ZOMBIE_COLUMNS
from portfolio.metrics.outcomes import DETAIL_COLUMNS as OUTCOME_COLUMNS
from portfolio.models import Outcome, Project, SpendEntry, Status
from tests.builders import make_project

D = datetime.date


def decide(project, gate: int, decision: str, on: D, probability=None):
    """Record history directly: these tests are about reading it, not the process rules."""
    sequence = GateDecision.objects.filter(project=project).count() + 1
    return GateDecision.objects.create(
        project=project,
        gate=Gate.objects.get(number=gate),
        decision=decision,
        decided_on=on,
        decided_by=project.product_manager,
        probability_of_success=None if probability is None else Decimal(probability),
        sequence=sequence,
        rationale="test",
    )


def spend(project, on: D, amount: str):
    """An entry and its monthly rollup, as every write path keeps them."""
    entry = SpendEntry.objects.create(
        project=project, spent_on=on, amount=Decimal(amount), category="people"
    )
    rollups.add_spend(project_id=project.pk, spent_on=on, amount=entry.amount)
    return entry


def outcome(project, month: D, value: str):
    return Outcome.objects.create(project=project, month=month, realized_value=Decimal(value))


def scope(as_of: D, **filters) -> Scope:
    return Scope.of(as_of=as_of, **filters)


def dashboard_extras(checked: Scope) -> dict:
    """The dashboard's sections beyond metrics.md, computed together."""
    names = ("risk", "zombies", "reliability", "outcome_details")
    return metrics.compute_for(checked, names)


def zombies(checked: Scope) -> list[dict]:
    return metrics.compute_for(checked, ("zombies",))["zombies"]


def risk_reward(checked: Scope) -> list[dict]:
    return metrics.compute_for(checked, ("risk",))["risk"]


def reliability(checked: Scope) -> list[dict]:
    return metrics.compute_for(checked, ("reliability",))["reliability"]


def outcome_details(checked: Scope) -> list[dict]:
    return metrics.compute_for(checked, ("outcome_details",))["outcome_details"]


def keys(rows) -> list[str]:
    return [row["key"] for row in rows]


# --- Zombies -------------------------------------------------------------------------------------

A = D(2025, 10, 15)  # A - 180 days = 2025-04-18; A - 90 days = 2025-07-17


@pytest.fixture
def idle(alice, bob):
    """Go at gate 1 long ago, spend before and after that decision and in the last 90 days."""
    project = make_project(key="IDLE", submitted_on=D(2025, 1, 5))
    spend(project, D(2025, 1, 20), "100.00")  # before the decision
    decide(project, 1, "go", D(2025, 2, 1), "0.5")
    spend(project, D(2025, 3, 1), "200.00")
    spend(project, D(2025, 9, 15), "300.50")
    spend(project, D(2025, 10, 15), "0.25")  # on A itself
    spend(project, D(2025, 10, 16), "999.00")  # after A: does not exist yet
    return project


def test_it_lists_an_idle_project_that_still_spends(idle):
    [zombie] = zombies(scope(A))
    assert zombie["key"] == "IDLE"
    assert zombie["status"] == "active"
    assert zombie["last_decision_on"] == D(2025, 2, 1)
    assert zombie["days_without_decision"] == (A - D(2025, 2, 1)).days
    assert zombie["spend_since_decision"] == Decimal("500.75")
    assert zombie["spend_last_90_days"] == Decimal("300.75")


def test_it_ignores_decisions_and_spend_after_the_as_of_date(idle):
    decide(idle, 2, "go", D(2025, 10, 20))
    assert keys(zombies(scope(A))) == ["IDLE"]
    assert zombies(scope(D(2025, 10, 20))) == []


def test_it_leaves_out_a_project_decided_within_180_days(alice, bob):
    project = make_project(key="RECENT", submitted_on=D(2025, 1, 5))
    decide(project, 1, "go", A - datetime.timedelta(days=179))
    spend(project, D(2025, 9, 1), "10.00")
    assert zombies(scope(A)) == []
    # On the 180th day it becomes one.
    assert keys(zombies(scope(A + datetime.timedelta(days=1)))) == ["RECENT"]


def test_it_leaves_out_an_idle_project_with_no_spend_in_the_last_90_days(alice, bob):
    project = make_project(key="QUIET", submitted_on=D(2025, 1, 5))
    decide(project, 1, "go", D(2025, 2, 1))
    spend(project, A - datetime.timedelta(days=90), "10.00")  # just outside the window
    assert zombies(scope(A)) == []
    spend(project, A - datetime.timedelta(days=89), "5.00")
    [zombie] = zombies(scope(A))
    assert zombie["spend_last_90_days"] == Decimal("5.00")
    assert zombie["spend_since_decision"] == Decimal("15.00")


def test_it_counts_a_project_never_decided_from_its_submission(alice, bob):
    project = make_project(key="NEVER", submitted_on=D(2025, 1, 5))
    spend(project, D(2025, 1, 5), "40.00")
    spend(project, D(2025, 10, 1), "60.00")
    [zombie] = zombies(scope(A))
    assert zombie["last_decision_on"] is None
    assert zombie["days_without_decision"] == (A - D(2025, 1, 5)).days
    assert zombie["spend_since_decision"] == Decimal("100.00")


def test_it_includes_on_hold_but_not_closed_projects(alice, bob):
    held = make_project(key="HELD", submitted_on=D(2025, 1, 5))
    decide(held, 1, "hold", D(2025, 2, 1))
    killed = make_project(key="KILLED", submitted_on=D(2025, 1, 5))
    decide(killed, 1, "kill", D(2025, 2, 1))
    for project in (held, killed):
        spend(project, D(2025, 10, 1), "10.00")
    [zombie] = zombies(scope(A))
    assert (zombie["key"], zombie["status"]) == ("HELD", "on_hold")


def test_it_sorts_zombies_by_spend_since_the_last_decision(alice, bob):
    for key, amount in (("SMALL", "10.00"), ("BIG", "900.00"), ("MID", "50.00")):
        project = make_project(key=key, submitted_on=D(2025, 1, 5))
        spend(project, D(2025, 10, 1), amount)
    assert keys(zombies(scope(A))) == ["BIG", "MID", "SMALL"]


def test_it_applies_the_filters_to_zombies(idle, pete):
    other = make_project(
        key="OTHER", submitted_on=D(2025, 1, 5), bucket="revenue", product_manager=pete
    )
    spend(other, D(2025, 10, 1), "10.00")
    assert keys(zombies(scope(A))) == ["IDLE", "OTHER"]
    assert keys(zombies(scope(A, bucket="revenue"))) == ["OTHER"]
    assert keys(zombies(scope(A, product_manager="PETE@example.com"))) == ["OTHER"]
    assert keys(zombies(scope(A, research_type="science"))) == []


# --- Risk and reward -----------------------------------------------------------------------------


def test_it_shows_active_projects_with_latest_probability_value_and_spend(alice, bob):
    project = make_project(
        key="BUBBLE",
        submitted_on=D(2025, 1, 5),
        probability_of_success=Decimal("0.4"),
        projected_expected=Decimal("250000"),
        bucket="revenue",
    )
    decide(project, 1, "go", D(2025, 2, 1), "0.55")
    decide(project, 2, "recycle", D(2025, 5, 1))  # no probability: the 0.55 stands
    spend(project, D(2025, 1, 20), "1000.00")
    spend(project, D(2025, 9, 30), "250.00")
    spend(project, D(2025, 10, 15), "25.50")  # A's month, on A
    spend(project, D(2025, 10, 16), "7000.00")  # after A
    decide(project, 2, "go", D(2025, 11, 1), "0.9")  # after A
    [bubble] = risk_reward(scope(A))
    assert bubble == {
        "key": "BUBBLE",
        "title": project.title,
        "bucket": "revenue",
        "research_type": "applied",
        "product_manager": "bob@example.com",
        "current_gate": 2,
        "probability": Decimal("0.55"),
        "projected_expected": Decimal("250000"),
        "spend_to_date": Decimal("1275.50"),
    }


def test_it_uses_the_probability_at_submission_until_a_decision_gives_one(alice, bob):
    make_project(key="FRESH", submitted_on=D(2025, 1, 5), probability_of_success=Decimal("0.35"))
    [bubble] = risk_reward(scope(A))
    assert bubble["probability"] == Decimal("0.35")
    assert bubble["current_gate"] == 1
    assert bubble["spend_to_date"] == Decimal(0)


def test_it_leaves_out_closed_held_and_not_yet_submitted_projects(alice, bob):
    for key, kind in (("GONE", "kill"), ("HELD", "hold")):
        decide(make_project(key=key, submitted_on=D(2025, 1, 5)), 1, kind, D(2025, 3, 1))
    won = make_project(key="WON", submitted_on=D(2025, 1, 5))
    for gate in (1, 2, 3, 4):
        decide(won, gate, "go", D(2025, 3, gate))
    make_project(key="LATER", submitted_on=D(2025, 12, 1))
    make_project(key="DRAFT", status=Status.DRAFT)
    make_project(key="LIVE", submitted_on=D(2025, 1, 5))
    assert keys(risk_reward(scope(A))) == ["LIVE"]
    # Before its decisions, each was active.
    assert keys(risk_reward(scope(D(2025, 2, 1)))) == ["GONE", "HELD", "LIVE", "WON"]


# --- Reliability diagram -------------------------------------------------------------------------


def test_it_bins_the_forecasts_of_decided_projects(alice, bob):
    won = make_project(key="WON", submitted_on=D(2025, 1, 5), probability_of_success=Decimal("0.1"))
    for gate, p in ((1, "0.15"), (2, None), (3, "0.95"), (4, "1")):
        decide(won, gate, "go", D(2025, 3, gate), p)
    lost = make_project(
        key="LOST", submitted_on=D(2025, 1, 5), probability_of_success=Decimal("0.0999")
    )
    decide(lost, 1, "go", D(2025, 3, 1), "0.1999")
    decide(lost, 2, "kill", D(2025, 4, 1), "0.95")
    live = make_project(
        key="LIVE", submitted_on=D(2025, 1, 5), probability_of_success=Decimal("0.5")
    )
    decide(live, 1, "go", D(2025, 3, 1), "0.5")

    bins = {row["bin"]: row for row in reliability(scope(A))}
    assert len(bins) == 10
    assert (bins[0]["forecasts"], bins[0]["successes"]) == (1, 0)  # 0.0999, lost
    assert bins[1]["forecasts"] == 3  # 0.1 and 0.15 (won), 0.1999 (lost)
    assert bins[1]["successes"] == 2
    assert bins[1]["mean_forecast"] == pytest.approx(0.15, abs=1e-4)
    assert bins[1]["observed_rate"] == pytest.approx(0.6667, abs=1e-4)
    assert bins[9]["forecasts"] == 3  # 0.95 and 1 (won), 0.95 (lost)
    assert bins[9]["successes"] == 2
    assert bins[5]["forecasts"] == 0  # the active project's forecasts do not count
    assert bins[5]["mean_forecast"] is None and bins[5]["observed_rate"] is None
    assert (bins[9]["low"], bins[9]["high"]) == (Decimal("0.9"), Decimal("1"))
    assert sum(row["forecasts"] for row in bins.values()) == 7


def test_it_counts_as_many_forecasts_as_the_brier_score(alice, bob):
    won = make_project(key="WON", submitted_on=D(2025, 1, 5))
    for gate in (1, 2, 3, 4):
        decide(won, gate, "go", D(2025, 3, gate), "0.6")
    lost = make_project(key="LOST", submitted_on=D(2025, 1, 5))
    decide(lost, 1, "kill", D(2025, 3, 1), "0.2")
    decide(make_project(key="LATE", submitted_on=D(2025, 1, 5)), 1, "kill", D(2025, 12, 1), "0.3")
    total = sum(row["forecasts"] for row in reliability(scope(A)))
    assert total == metrics.compute(as_of=A)["calibration"]["forecasts"] == 7


# --- Outcome details -----------------------------------------------------------------------------


def greenlit(key: str, low: str, expected: str, high: str, **kw):
    project = make_project(
        key=key,
        submitted_on=D(2024, 1, 5),
        projected_low=Decimal(low),
        projected_expected=Decimal(expected),
        projected_high=Decimal(high),
        **kw,
    )
    for gate in (1, 2, 3, 4):
        decide(project, gate, "go", D(2024, 3, gate))
    return project


def test_it_compares_annualized_value_with_the_projected_range(alice, bob):
    under = greenlit("UNDER", "12000", "24000", "36000")
    outcome(under, D(2025, 1, 1), "999.99")  # 11,999.88 a year
    edge = greenlit("EDGE", "12000", "24000", "36000")
    outcome(edge, D(2025, 1, 1), "1000.00")
    outcome(edge, D(2025, 2, 1), "3000.00")  # mean 2000: 24,000 a year
    top = greenlit("TOP", "12000", "24000", "36000")
    outcome(top, D(2025, 1, 1), "3000.01")
    outcome(top, D(2025, 11, 1), "0")  # after A: not yet
    greenlit("NOTHING", "1", "2", "3")  # no outcome months: left out
    rows = {row["key"]: row for row in outcome_details(scope(A))}
    assert set(rows) == {"UNDER", "EDGE", "TOP"}
    assert rows["UNDER"]["verdict"] == "under"
    assert rows["UNDER"]["annualized_value"] == Decimal("11999.88")
    assert (rows["EDGE"]["verdict"], rows["EDGE"]["months"]) == ("within", 2)
    assert rows["EDGE"]["annualized_value"] == Decimal("24000.00")
    assert (rows["TOP"]["verdict"], rows["TOP"]["months"]) == ("over", 1)
    assert metrics.compute(as_of=A)["outcomes"] == {"under": 1, "within": 1, "over": 1}


def test_it_runs_a_fixed_number_of_queries(alice, bob, django_assert_max_num_queries):
    for n in range(5):
        project = greenlit(f"G{n}", "1", "2", "3")
        outcome(project, D(2025, 1, 1), "5")
        spend(make_project(key=f"Z{n}", submitted_on=D(2025, 1, 5)), D(2025, 10, 1), "10.00")
    with django_assert_max_num_queries(3):  # one on PostgreSQL
        extras = dashboard_extras(scope(A))
    assert len(extras["zombies"]) == 5
    assert len(extras["outcome_details"]) == 5
    assert len(extras["risk"]) == 5


def test_it_refuses_an_as_of_date_out_of_range(db):
    with pytest.raises(MetricsFilterError, match="between 1900-01-01 and 2100-12-31"):
        Scope.of(as_of=D(1, 1, 1))
    with pytest.raises(MetricsFilterError, match="between 1900-01-01 and 2100-12-31"):
        Scope.of(as_of=D(9999, 12, 31))


def test_it_refuses_an_unknown_bucket_or_research_type(db):
    with pytest.raises(MetricsFilterError, match="bucket"):
        Scope.of(as_of=A, bucket="moonshots")
    with pytest.raises(MetricsFilterError, match="research type"):
        Scope.of(as_of=A, research_type="magic")


def test_its_rows_have_the_declared_columns(alice, bob):
    project = greenlit("DONE", "1", "2", "3")
    outcome(project, D(2025, 1, 1), "5")
    spend(make_project(key="LIVE", submitted_on=D(2025, 1, 5)), D(2025, 10, 1), "10.00")
    extras = dashboard_extras(scope(A))
    assert tuple(extras["risk"][0]) == RISK_COLUMNS
    assert tuple(extras["zombies"][0]) == ZOMBIE_COLUMNS
    assert tuple(extras["reliability"][0]) == RELIABILITY_COLUMNS
    assert tuple(extras["outcome_details"][0]) == OUTCOME_COLUMNS


def test_it_splits_spend_windows_between_whole_and_partial_months_exactly(alice, bob):
    # A = 2025-10-15: the 90-day window starts after 2025-07-17, its first whole month is August.
    project = make_project(key="EDGES", submitted_on=D(2025, 1, 5))
    amounts = {
        D(2025, 2, 5): "1.00",  # decision month, before the decision
        D(2025, 2, 10): "2.00",  # on the decision's day: not "since"
        D(2025, 2, 20): "4.00",  # decision month, after it
        D(2025, 3, 15): "8.00",  # a whole month
        D(2025, 7, 17): "16.00",  # the window's open bound: not recent
        D(2025, 7, 18): "32.00",  # recent, in a partial month
        D(2025, 8, 31): "64.00",  # recent, a whole month
        D(2025, 10, 1): "128.00",  # A's month
        D(2025, 10, 15): "256.00",  # A itself
        D(2025, 10, 16): "512.00",  # after A
    }
    for day, amount in amounts.items():
        spend(project, day, amount)
    decide(project, 1, "go", D(2025, 2, 10), "0.5")

    [zombie] = zombies(scope(A))
    assert zombie["spend_since_decision"] == Decimal("4") + 8 + 16 + 32 + 64 + 128 + 256
    assert zombie["spend_last_90_days"] == Decimal("32") + 64 + 128 + 256
    [bubble] = risk_reward(scope(A))
    assert bubble["spend_to_date"] == Decimal(1023 - 512)


def test_it_agrees_with_plain_sums_over_random_histories(alice, bob):
    rng = random.Random(5)
    for n in range(12):
        project = make_project(key=f"R{n}", submitted_on=D(2024, 1, 1))
        days = sorted(
            D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(700)) for _ in range(25)
        )
        for day in days:
            spend(project, day, f"{rng.randrange(1, 100000) / 100:.2f}")
        if n % 3:
            decide(
                project, 1, "recycle", D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(500))
            )
    for as_of in (D(2025, 3, 31), D(2025, 6, 1), D(2025, 9, 17), D(2025, 12, 31)):
        found = {z["key"]: z for z in zombies(scope(as_of))}
        spend_to_date = {b["key"]: b["spend_to_date"] for b in risk_reward(scope(as_of))}
        for project in Project.objects.all():
            entries = [e for e in project.spend_entries.all() if e.spent_on <= as_of]
            decisions = [d.decided_on for d in project.decisions.all() if d.decided_on <= as_of]
            last = max(decisions, default=None)
            recent = sum(
                (e.amount for e in entries if e.spent_on > as_of - datetime.timedelta(days=90)),
                Decimal(0),
            )
            since = sum(
                (e.amount for e in entries if last is None or e.spent_on > last), Decimal(0)
            )
            idle = (as_of - (last or project.submitted_on)).days >= 180
            assert spend_to_date[project.key] == sum((e.amount for e in entries), Decimal(0))
            if idle and recent:
                assert found[project.key]["spend_last_90_days"] == recent
                assert found[project.key]["spend_since_decision"] == since
            else:
                assert project.key not in found
