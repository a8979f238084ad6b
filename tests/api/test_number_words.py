"""The API says what is wrong with a number in the app's words, naming the field, as the pages'
forms say it: money below its minimum ("Amount: at least 0.01.") and with more than two decimals
("Build cost: at most 2 decimal places."), and a whole number that is none ("Horizon: write a
whole number in plain digits, e.g. 3.").

Before, pydantic's own words came back: "Input should be greater than 0", "Decimal input should
have no more than 2 decimal places", "Input should be a valid integer, unable to parse string as
an integer" (a horizon of ``1,5`` or ``1.5``). Over the largest amount the API already said the
app's words (tests/api/test_money_limit_wording.py).
"""

from __future__ import annotations

import datetime

import pytest

from gates.models import ArchitectureEstimate, GateDecision
from portfolio.models import Project, SpendEntry
from tests.builders import PLAN_AS_OF, candidate, full_marks, make_project

SPEND = {"spent_on": "2025-02-03", "amount": "1000", "category": "compute"}
ESTIMATE = {"build_cost": "1000", "monthly_run_cost": "10", "retraining_cadence": "none"}


@pytest.fixture
def project(alice, bob):
    return make_project(
        key="NUM",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 1, 6),
        current_gate=3,
    )


def _refused(answer, field: str, message: str) -> None:
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field
    assert problem["errors"] == [{"field": field, "message": message}]
    # The message starts with the label ("Amount: …"); the detail names the field once.
    assert problem["detail"] == f"{field}: {message.split(': ', 1)[1]}"
    assert "Input should" not in answer.content.decode()


# --- Money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Amount: at least 0.01."),
        ("-5", "Amount: at least 0.01."),
        (-5, "Amount: at least 0.01."),
        ("0.001", "Amount: at least 0.01."),
        ("1.234", "Amount: at most 2 decimal places."),
        (1.234, "Amount: at most 2 decimal places."),
    ],
)
def test_a_spend_s_amount(api_as, alice, project, amount, message):
    answer = api_as(alice).post("/api/v1/projects/NUM/spend", SPEND | {"amount": amount})
    _refused(answer, "amount", message)
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize("amount", ["0.01", "100.120", 1000.5])
def test_a_spend_that_fits_is_still_recorded(api_as, alice, project, amount):
    answer = api_as(alice).post("/api/v1/projects/NUM/spend", SPEND | {"amount": amount})
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize(
    ("ask", "message"),
    [("-5", "Next-stage ask: at least 0."), ("1.234", "Next-stage ask: at most 2 decimal places.")],
)
def test_a_next_stage_ask(api_as, alice, project, ask, message):
    answer = api_as(alice).put("/api/v1/projects/NUM/next-stage-ask", {"next_stage_ask": ask})
    _refused(answer, "next_stage_ask", message)
    project.refresh_from_db()
    assert project.next_stage_ask is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("build_cost", "-1", "Build cost: at least 0."),
        ("monthly_run_cost", "10.001", "Monthly run cost: at most 2 decimal places."),
        ("cost_per_retrain", "-0.5", "Cost per retraining: at least 0."),
    ],
)
def test_an_estimate_s_costs(api_as, carol, project, name, value, message):
    url = "/api/v1/projects/NUM/deliverables/architecture-estimate"
    answer = api_as(carol).put(url, ESTIMATE | {name: value})
    _refused(answer, name, message)
    assert not ArchitectureEstimate.objects.exists()


def test_a_decision_s_funding(api_as, bob, project):
    body = {
        "gate": 3,
        "decision": "go",
        "decided_on": "2025-03-03",
        "probability_of_success": "0.5",
        "funding_granted": "-100",
        "rationale": "Worth it.",
        "scores": [
            {"criterion": s.criterion.pk, "met": s.met, "score": s.score} for s in full_marks(3)
        ],
    }
    answer = api_as(bob).post("/api/v1/projects/NUM/decisions", body)
    _refused(answer, "funding_granted", "Funding granted: at least 0.")
    assert not GateDecision.objects.exists()


def test_every_problem_of_a_document_is_said_in_its_words(api_as, carol, project):
    url = "/api/v1/projects/NUM/deliverables/architecture-estimate"
    answer = api_as(carol).put(url, ESTIMATE | {"build_cost": "-1", "monthly_run_cost": "1.001"})
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"field": "build_cost", "message": "Build cost: at least 0."},
        {"field": "monthly_run_cost", "message": "Monthly run cost: at most 2 decimal places."},
    ]


def test_the_schema_still_documents_the_minimum_and_the_places(api_as, alice):
    schema = api_as(alice).get("/api/v1/openapi.json").json()["components"]["schemas"]
    amount = schema["SpendIn"]["properties"]["amount"]
    assert (amount["gt"], amount["decimal_places"]) == (0, 2)
    cost = schema["ArchitectureEstimateIn"]["properties"]["build_cost"]
    assert (cost["ge"], cost["decimal_places"]) == (0, 2)


# --- Whole numbers -------------------------------------------------------------------------------


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")


@pytest.mark.parametrize("horizon", ["1,5", "1.5", "x", "1.0.0"])
def test_a_plan_s_horizon_that_is_no_whole_number(api_as, erin, three, horizon):
    query = {"budget": "100", "as_of": PLAN_AS_OF, "horizon": horizon}
    answer = api_as(erin).get("/api/v1/plan", data=query)
    _refused(answer, "horizon", "Horizon: write a whole number in plain digits, e.g. 3.")


def test_a_plan_s_horizon_with_an_exponent_keeps_its_message(api_as, erin, three):
    query = {"budget": "100", "as_of": PLAN_AS_OF, "horizon": "3e0"}
    answer = api_as(erin).get("/api/v1/plan", data=query)
    assert answer.json()["errors"][0]["message"] == (
        "Input should be a number written in plain digits, e.g. 3 (not 3e0)."
    )


def test_a_whole_horizon_is_still_read(api_as, erin, three):
    query = {"budget": "100", "as_of": PLAN_AS_OF, "horizon": "2"}
    assert api_as(erin).get("/api/v1/plan", data=query).status_code == 200


@pytest.mark.parametrize("page", ["1,5", "1.5"])
def test_a_page_number_that_is_no_whole_number(api_as, alice, page):
    answer = api_as(alice).get("/api/v1/projects", data={"page": page})
    _refused(answer, "page", "Page: write a whole number in plain digits, e.g. 2.")


@pytest.mark.parametrize("gate", ["2.5", 2.5])
def test_a_decision_s_gate_that_is_no_whole_number(api_as, bob, project, gate):
    body = {"gate": gate, "decision": "hold", "decided_on": "2025-03-03"}
    answer = api_as(bob).post("/api/v1/projects/NUM/decisions", body)
    _refused(answer, "gate", "Gate: write a whole number in plain digits, e.g. 3.")
    assert not Project.objects.get(key="NUM").decisions.exists()
