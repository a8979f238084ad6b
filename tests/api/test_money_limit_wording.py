"""Money over the largest amount is refused by the API in the app's words, as the forms say
it (portfolio.money.too_large_message): "Amount: at most 9,999,999,999,999.99 (13 digits
before the decimal point).", not pydantic's "Input should be less than or equal to
Decimal('9999999999999.99')"; for every money field of the API."""

from __future__ import annotations

import datetime
import json

import pytest

from portfolio import money
from tests.builders import full_marks, make_project

TOO_LARGE = "99999999999999"
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


def _says_the_limit(answer, field: str, label: str) -> None:
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field
    message = money.too_large_message(label)
    assert message == f"{label}: at most 9,999,999,999,999.99 (13 digits before the decimal point)."
    assert problem["detail"] == (
        f"{field}: at most 9,999,999,999,999.99 (13 digits before the decimal point)."
    )
    assert problem["errors"] == [{"field": field, "message": message}]
    assert "Decimal(" not in answer.content.decode()


def test_spend(api_as, alice, project):
    body = {"spent_on": "2025-02-03", "amount": TOO_LARGE, "category": "compute"}

    answer = api_as(alice).post("/api/v1/projects/BIG/spend", body)

    _says_the_limit(answer, "amount", "Amount")


def test_spend_sent_as_a_json_number(api_as, alice, project):
    body = {"spent_on": "2025-02-03", "amount": int(TOO_LARGE), "category": "compute"}

    answer = api_as(alice).post("/api/v1/projects/BIG/spend", body)

    _says_the_limit(answer, "amount", "Amount")


def test_next_stage_ask(api_as, alice, project):
    answer = api_as(alice).put("/api/v1/projects/BIG/next-stage-ask", {"next_stage_ask": TOO_LARGE})

    _says_the_limit(answer, "next_stage_ask", "Next-stage ask")


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("build_cost", "Build cost"),
        ("monthly_run_cost", "Monthly run cost"),
        ("cost_per_retrain", "Cost per retraining"),
    ],
)
def test_the_estimates_costs(api_as, carol, project, name, label):
    answer = api_as(carol).put(
        "/api/v1/projects/BIG/deliverables/architecture-estimate", ESTIMATE | {name: TOO_LARGE}
    )

    _says_the_limit(answer, name, label)


def test_a_decisions_funding(api_as, bob, project):
    body = {
        "gate": 3,
        "decision": "go",
        "decided_on": "2025-03-03",
        "probability_of_success": "0.5",
        "funding_granted": TOO_LARGE,
        "rationale": "Worth it.",
        "scores": [
            {"criterion": s.criterion.pk, "met": s.met, "score": s.score} for s in full_marks(3)
        ],
    }

    answer = api_as(bob).post("/api/v1/projects/BIG/decisions", body)

    _says_the_limit(answer, "funding_granted", "Funding granted")


def test_a_months_realized_value(api_as, bob, alice):
    make_project(key="WON", researcher=alice, product_manager=bob, status="greenlit")

    answer = api_as(bob).post(
        "/api/v1/projects/WON/outcomes", {"month": "2026-03", "realized_value": TOO_LARGE}
    )

    _says_the_limit(answer, "realized_value", "Realized value")


def test_the_largest_amount_is_still_taken(api_as, alice, project):
    body = {"spent_on": "2025-02-03", "amount": "9999999999999.99", "category": "compute"}

    assert api_as(alice).post("/api/v1/projects/BIG/spend", body).status_code == 201


def test_the_schema_still_documents_the_largest_amount(api_as, alice):
    schema = api_as(alice).get("/api/v1/openapi.json").json()["components"]["schemas"]

    def documented(model: str, field: str) -> str:
        return json.dumps(schema[model]["properties"][field])

    assert "9999999999999.99" in documented("SpendIn", "amount")
    assert "9999999999999.99" in documented("ArchitectureEstimateIn", "build_cost")
