"""The worked example of docs/metrics.md, number for number (keep the two in step)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gates.models import Gate, GateDecision
from portfolio import metrics, rollups
from portfolio.models import Outcome, Role, SpendEntry
from tests.builders import make_project, make_user

D = datetime.date


def decide(project, gate: int, decision: str, on: D, *, funding="0", probability=None):
    GateDecision.objects.create(
        project=project,
        gate=Gate.objects.get(number=gate),
        decision=decision,
        decided_on=on,
        sequence=GateDecision.objects.filter(project=project).count() + 1,
        funding_granted=Decimal(funding),
        probability_of_success=None if probability is None else Decimal(probability),
        decided_by=project.product_manager,
    )


def spend(project, on: D, amount: str):
    SpendEntry.objects.create(
        project=project, spent_on=on, amount=Decimal(amount), category="people"
    )
    rollups.add_spend(project_id=project.pk, spent_on=on, amount=Decimal(amount))


def build_the_example():
    ana = make_user("ana@example.com", Role.PRODUCT_MANAGER)
    ben = make_user("ben@example.com", Role.PRODUCT_MANAGER)
    ranker = make_project(
        key="RANK",
        bucket="efficiency",
        product_manager=ana,
        submitted_on=D(2026, 1, 5),
        projected_low=Decimal("80000"),
        projected_expected=Decimal("100000"),
        projected_high=Decimal("150000"),
        probability_of_success=Decimal("0.6"),
    )
    spend(ranker, D(2026, 1, 12), "1000.00")
    spend(ranker, D(2026, 2, 9), "500.00")
    decide(ranker, 1, "go", D(2026, 1, 20), funding="10000", probability="0.7")
    decide(ranker, 2, "go", D(2026, 2, 10), funding="50000")
    decide(ranker, 3, "go", D(2026, 2, 24), funding="100000")
    decide(ranker, 4, "go", D(2026, 3, 2))
    Outcome.objects.create(project=ranker, month=D(2026, 4, 1), realized_value=Decimal("10000"))
    Outcome.objects.create(project=ranker, month=D(2026, 5, 1), realized_value=Decimal("6000"))

    pricing = make_project(
        key="PRICE",
        bucket="revenue",
        product_manager=ben,
        submitted_on=D(2026, 1, 10),
        probability_of_success=Decimal("0.5"),
    )
    spend(pricing, D(2026, 2, 16), "2000.00")
    decide(pricing, 1, "go", D(2026, 2, 1), funding="10000")
    decide(pricing, 2, "kill", D(2026, 3, 15), probability="0.3")

    churn = make_project(
        key="CHURN",
        bucket="revenue",
        product_manager=ana,
        submitted_on=D(2026, 2, 1),
        probability_of_success=Decimal("0.4"),
    )
    spend(churn, D(2026, 3, 3), "250.00")
    decide(churn, 1, "hold", D(2026, 3, 20))


def test_the_worked_example_of_the_docs(db):
    build_the_example()

    result = metrics.compute(as_of=D(2026, 6, 30))

    assert result["headline"] == {
        "projects": 3,
        "active": 0,
        "on_hold": 1,
        "greenlit": 1,
        "killed": 1,
        "cumulative_spend": 3750.0,
        "funding_granted": 170000.0,
        "success_rate": 0.5,
        "spend_per_success": 3750.0,
        "killed_spend": 2000.0,
        "projected_value_greenlit": 100000.0,
        "realized_value": 16000.0,
        "realized_roi": 4.2667,
    }
    assert [(g["gate"], g["reached"], g["go"], g["kill"], g["hold"]) for g in result["funnel"]] == [
        (1, 3, 2, 0, 1),
        (2, 2, 1, 1, 0),
        (3, 1, 1, 0, 0),
        (4, 1, 1, 0, 0),
    ]
    assert [g["pass_rate"] for g in result["funnel"]] == [1.0, 0.5, 1.0, 1.0]
    assert [g["sunk_spend_killed_here"] for g in result["funnel"]] == [0.0, 2000.0, 0.0, 0.0]
    assert [(m["month"], m["cumulative_spend"], m["success_rate"]) for m in result["series"]] == [
        ("2026-01", 1000.0, None),
        ("2026-02", 3500.0, None),
        ("2026-03", 3750.0, 0.5),
        ("2026-04", 3750.0, 0.5),
        ("2026-05", 3750.0, 0.5),
        ("2026-06", 3750.0, 0.5),
    ]
    assert result["buckets"] == [
        {
            "bucket": "efficiency",
            "projects": 1,
            "greenlit": 1,
            "killed": 0,
            "success_rate": 1.0,
            "cumulative_spend": 1500.0,
        },
        {
            "bucket": "revenue",
            "projects": 2,
            "greenlit": 0,
            "killed": 1,
            "success_rate": 0.0,
            "cumulative_spend": 2250.0,
        },
    ]
    assert result["outcomes"] == {"under": 0, "within": 1, "over": 0}
    assert result["calibration"] == {
        "forecasts": 4,
        "brier": 0.1475,
        "by_product_manager": [
            {"product_manager": "ana@example.com", "forecasts": 2, "brier": 0.125},
            {"product_manager": "ben@example.com", "forecasts": 2, "brier": 0.17},
        ],
    }
