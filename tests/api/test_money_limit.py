"""Money sent to the API is at most 9,999,999,999,999.99 (portfolio.money): more is a 400
naming the field and the largest amount, nothing is written, and the project still reads."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from gates.models import ArchitectureEstimate
from portfolio.models import Project, SpendEntry
from tests.builders import make_project

LARGEST = "9999999999999.99"
# 10**20 in plain digits: "1e20" is refused as written with an exponent (test_exponent_refused.py).
TOO_LARGE = ["99999999999999.99", "9999999999999999", "10000000000000", "1" + "0" * 20]
ESTIMATE = {"build_cost": "1000", "monthly_run_cost": "10", "retraining_cadence": "none"}


@pytest.fixture
def project(alice, bob):
    return make_project(
        key="BIG",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 1, 6),
        current_gate=3,
    )


def _refused(answer, field: str) -> None:
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field
    # In the app's words, as the forms say it (test_money_limit_wording.py).
    assert "at most 9,999,999,999,999.99" in problem["detail"]


def _still_reads(api) -> None:
    assert api.get("/api/v1/projects/BIG").status_code == 200


@pytest.mark.parametrize("value", TOO_LARGE)
def test_a_next_stage_ask_over_the_limit_is_refused(api_as, alice, project, value):
    api = api_as(alice)
    _refused(
        api.put("/api/v1/projects/BIG/next-stage-ask", {"next_stage_ask": value}), "next_stage_ask"
    )
    assert Project.objects.get(key="BIG").next_stage_ask is None
    _still_reads(api)


def test_the_largest_next_stage_ask_is_kept_and_read_back_exactly(api_as, alice, project):
    api = api_as(alice)
    answer = api.put("/api/v1/projects/BIG/next-stage-ask", {"next_stage_ask": LARGEST})
    assert answer.status_code == 200, answer.content
    assert answer.json()["next_stage_ask"]["amount"] == LARGEST
    assert api.get("/api/v1/projects/BIG").json()["next_stage_ask"]["amount"] == LARGEST


@pytest.mark.parametrize("name", ["build_cost", "monthly_run_cost", "cost_per_retrain"])
def test_an_estimate_cost_over_the_limit_is_refused(api_as, carol, project, name):
    api = api_as(carol)
    answer = api.put(
        "/api/v1/projects/BIG/deliverables/architecture-estimate",
        ESTIMATE | {name: "99999999999999.99"},
    )
    _refused(answer, name)
    assert not ArchitectureEstimate.objects.exists()
    _still_reads(api)


def test_the_largest_estimate_is_kept_exactly(api_as, carol, project):
    api = api_as(carol)
    answer = api.put(
        "/api/v1/projects/BIG/deliverables/architecture-estimate",
        ESTIMATE | {"build_cost": LARGEST},
    )
    assert answer.status_code == 200, answer.content
    assert ArchitectureEstimate.objects.get().build_cost == Decimal(LARGEST)
    _still_reads(api)


def test_spend_over_the_limit_is_refused(api_as, alice, project):
    api = api_as(alice)
    body = {"spent_on": "2025-02-03", "amount": "10000000000000", "category": "compute"}
    _refused(api.post("/api/v1/projects/BIG/spend", body), "amount")
    assert not SpendEntry.objects.exists()


def test_spend_that_takes_the_total_over_the_limit_is_a_422_naming_the_total(
    api_as, alice, project
):
    api = api_as(alice)
    body = {"spent_on": "2025-02-03", "amount": LARGEST, "category": "compute"}
    assert api.post("/api/v1/projects/BIG/spend", body).status_code == 201
    answer = api.post("/api/v1/projects/BIG/spend", body | {"amount": "1"})
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == "amount"
    assert "the project's spend would come to" in answer.json()["detail"]
    assert SpendEntry.objects.count() == 1
    _still_reads(api)
