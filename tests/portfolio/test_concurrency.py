"""Twenty people writing at once on PostgreSQL: no lost update, one decision wins each race."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from gates.models import GateDecision
from gates.services import record_decision
from portfolio import services
from portfolio.errors import DomainError
from portfolio.models import Project, SpendEntry
from portfolio.rollups import check_spend_months
from tests.builders import make_project

THREADS = 20
SPEND_PER_THREAD = 5


def _run_at_once(workers) -> list:
    """Start every worker at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait()
            results[index] = work()
        except Exception as exc:  # collected and asserted on below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("races")
def test_twenty_writers_lose_no_spend_and_each_race_has_one_winner(alice, bob, erin):
    spent_on = make_project(researcher=alice, product_manager=bob, key="SHARED-SPEND")
    raced = [make_project(researcher=alice, product_manager=bob, key=f"RACE-{n}") for n in range(4)]

    def worker(index):
        def work():
            outcome = {"spend": 0, "decision": None}
            for round_ in range(SPEND_PER_THREAD):
                amount = Decimal(index * 10 + round_ + 1) + Decimal("0.25")
                services.record_spend(
                    project=spent_on,
                    actor=alice,
                    spent_on=datetime.date(2026, 2, 1 + round_),
                    amount=amount,
                    category="compute",
                )
                outcome["spend"] += amount
            target = raced[index % len(raced)]
            try:
                record_decision(
                    project=target,
                    gate=1,
                    decision="kill",
                    actor=erin if index % 2 else bob,
                    rationale=f"Killed by writer {index}",
                )
                outcome["decision"] = "won"
            except DomainError as error:
                outcome["decision"] = error.message
            return outcome

        return work

    results = _run_at_once([worker(i) for i in range(THREADS)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []

    expected_spend = sum(r["spend"] for r in results)
    spent_on.refresh_from_db()
    assert SpendEntry.objects.filter(project=spent_on).count() == THREADS * SPEND_PER_THREAD
    assert spent_on.spend_total == expected_spend
    assert check_spend_months() == []

    for project in raced:
        assert GateDecision.objects.filter(project=project).count() == 1
        project.refresh_from_db()
        assert project.status == "killed"
        assert project.decisions_count == 1
    winners = [r for r in results if r["decision"] == "won"]
    losers = [r["decision"] for r in results if r["decision"] != "won"]
    assert len(winners) == len(raced)
    assert len(losers) == THREADS - len(raced)
    assert all("killed" in message for message in losers)
    assert Project.objects.get(key="SHARED-SPEND").spend_total == expected_spend


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("races")
def test_two_first_saves_of_one_deliverable_make_one_estimate(alice, bob, carol):
    from gates.models import ArchitectureEstimate
    from gates.services import save_architecture_estimate

    # At gate 2, where the estimate is asked for.
    project = make_project(
        researcher=alice, product_manager=bob, key="ESTIMATE-RACE", current_gate=2
    )

    def save(build_cost):
        return lambda: save_architecture_estimate(
            project=project,
            actor=carol,
            build_cost=Decimal(build_cost),
            monthly_run_cost=Decimal("100"),
            retraining_cadence="quarterly",
            cost_per_retrain=Decimal("50"),
            platform_reused="",
            build_or_buy_note="",
        )

    results = _run_at_once([save("1000"), save("2000")])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert ArchitectureEstimate.objects.filter(project=project).count() == 1
    assert ArchitectureEstimate.objects.get(project=project).build_cost in (
        Decimal("1000"),
        Decimal("2000"),
    )
