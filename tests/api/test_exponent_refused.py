"""A number the API reads written with an exponent, as a string (``"1e6"``) or as a JSON number
(``1e6``, valid JSON), is a 400 naming the field, saying to write it in plain digits, and
nothing is written: as the pages' forms and the import files refuse it
(``portfolio.money.written_with_exponent``).

Before, pydantic read ``"1e6"`` and ``1e6`` with Decimal as 1,000,000 (a spend of 1,000,000.00),
a score of ``8e0`` as 8, and refused ``"1e0"`` for a gate as "unable to parse string as an
integer". A JSON number in plain digits (``1000``, ``1000.5``) is read as before.
"""

from __future__ import annotations

import datetime
import json

import pytest

from api import schemas
from gates.models import GateDecision
from portfolio.models import Outcome, Project, SpendEntry
from tests.builders import greenlight, make_project

ON = datetime.date(2025, 1, 6)
MESSAGE = "Input should be a number written in plain digits, e.g. 1000000 (not 1e6)."
SPEND = {"spent_on": "2025-02-03", "amount": "1000", "category": "compute"}


@pytest.fixture
def project(alice, bob):
    return make_project(key="P1", researcher=alice, product_manager=bob, submitted_on=ON)


@pytest.fixture
def product(alice, bob, carol):
    project = make_project(key="GL-0070", researcher=alice, product_manager=bob, submitted_on=ON)
    return greenlight(project, bob, carol, on=datetime.date(2025, 6, 2))


def _refused(answer, field: str) -> None:
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:greenlight:problem:invalid-input"
    assert problem["field"] == field
    assert problem["errors"][0] == {"field": field, "message": MESSAGE}
    assert problem["detail"] == f"{field}: {MESSAGE}"


def _body(fields: dict, **written: str) -> str:
    """``fields`` as JSON, each of ``written`` a JSON number written as given (1e6)."""
    body = json.dumps(fields | dict.fromkeys(written, "<number>"))
    for name, number in written.items():
        body = body.replace(f'"{name}": "<number>"', f'"{name}": {number}', 1)
    return body


def test_the_message_is_the_schemas_own():
    assert schemas.NOT_PLAIN_DIGITS == MESSAGE


@pytest.mark.parametrize("value", ["1e6", "2E3", "1e-2", " 1e6 ", "1.5e+3"])
def test_a_spend_written_with_an_exponent_is_refused(api_as, alice, project, value):
    api = api_as(alice)
    _refused(api.post("/api/v1/projects/P1/spend", SPEND | {"amount": value}), "amount")
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize("number", ["1e6", "1E6", "1.0e3", "5e-1", "1e999"])
def test_a_spend_sent_as_a_json_number_with_an_exponent_is_refused(api_as, alice, project, number):
    api = api_as(alice)
    answer = api.post("/api/v1/projects/P1/spend", raw=_body(SPEND, amount=number))
    _refused(answer, "amount")
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize(("number", "recorded"), [("1000", "1000.00"), ("1000.5", "1000.50")])
def test_a_spend_sent_as_a_json_number_in_plain_digits_is_recorded(
    api_as, alice, project, number, recorded
):
    api = api_as(alice)
    answer = api.post("/api/v1/projects/P1/spend", raw=_body(SPEND, amount=number))
    assert answer.status_code == 201, answer.content
    assert answer.json()["amount"]["amount"] == recorded


def test_another_field_sent_a_json_number_with_an_exponent_says_what_it_said(
    api_as, alice, project
):
    # A float to a text field, however it was written: the same refusal as before.
    api = api_as(alice)
    with_exponent = api.post("/api/v1/projects/P1/spend", raw=_body(SPEND, note="1e6"))
    plain = api.post("/api/v1/projects/P1/spend", raw=_body(SPEND, note="1000000.0"))
    assert with_exponent.status_code == plain.status_code == 400
    assert with_exponent.json()["errors"] == plain.json()["errors"]
    assert with_exponent.json()["field"] == "note"


def test_an_outcome_written_with_an_exponent_is_refused(api_as, bob, product):
    api = api_as(bob)
    body = {"month": "2025-07", "realized_value": "1e6", "confirm_value": True}
    _refused(api.post("/api/v1/projects/GL-0070/outcomes", body), "realized_value")
    raw = _body(body | {"realized_value": "x"}, realized_value="1E6")
    _refused(api.post("/api/v1/projects/GL-0070/outcomes", raw=raw), "realized_value")
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"funding_granted": "1e6"}, "funding_granted"),
        ({"probability_of_success": "5e-1"}, "probability_of_success"),
        ({"gate": "1e0"}, "gate"),  # an int: refused before too, as no integer
        ({"decisions_seen": "0e0"}, "decisions_seen"),
        ({"scores": [{"criterion": "1e0", "met": True}]}, "scores[0].criterion"),
        (
            {"kill_criteria": [{"statement": "p-value", "comparison": "<=", "target": "1e-4"}]},
            "kill_criteria[0].target",
        ),
    ],
)
def test_a_decision_s_numbers_written_with_an_exponent_are_refused(
    api_as, bob, project, body, field
):
    api = api_as(bob)
    decision = {"gate": 1, "decision": "go", "decided_on": "2025-02-03"} | body
    _refused(api.post("/api/v1/projects/P1/decisions", decision), field)
    assert not GateDecision.objects.exists()


@pytest.mark.parametrize(
    ("written", "field"),
    [
        ({"funding_granted": "1e6"}, "funding_granted"),
        ({"gate": "1e0"}, "gate"),  # read as 1 before
        ({"probability_of_success": "5E-1"}, "probability_of_success"),
    ],
)
def test_a_decision_s_json_numbers_with_an_exponent_are_refused(
    api_as, bob, project, written, field
):
    api = api_as(bob)
    decision = {"gate": 1, "decision": "go", "decided_on": "2025-02-03"}
    _refused(api.post("/api/v1/projects/P1/decisions", raw=_body(decision, **written)), field)
    assert not GateDecision.objects.exists()


def test_a_next_stage_ask_written_with_an_exponent_is_refused(api_as, alice, project):
    api = api_as(alice)
    answer = api.put("/api/v1/projects/P1/next-stage-ask", {"next_stage_ask": "1e6"})
    _refused(answer, "next_stage_ask")
    raw = _body({}, next_stage_ask="1e6")
    _refused(api.put("/api/v1/projects/P1/next-stage-ask", raw=raw), "next_stage_ask")
    assert Project.objects.get(key="P1").next_stage_ask is None


@pytest.mark.parametrize(
    ("url", "name"),
    [("/api/v1/projects", "page"), ("/api/v1/projects", "gate")],
)  # the plan's horizon gives its own example: tests/planning/test_plan_examples.py
def test_a_query_number_written_with_an_exponent_is_refused(api_as, erin, project, url, name):
    _refused(api_as(erin, "read").get(url, data={name: "1e0"}), name)


def test_the_plan_s_budget_written_with_an_exponent_is_refused(api_as, erin):
    # The plan's budget is text the planning page's parser reads, in its own words.
    answer = api_as(erin, "read").get("/api/v1/plan", data={"budget": "1e6"})
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == "budget"
    assert answer.json()["detail"] == (
        "Budget: write the amount in plain digits, e.g. 1000000 (not 1e6)."
    )
