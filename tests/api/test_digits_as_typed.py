"""Every number the API reads is written in the digits 0-9, as the forms, the admin and the
import files read one (``portfolio.money.digits_as_typed``): ``"1_000"``, full-width
``"１０００"`` and Arabic-Indic ``"١٠٠٠"`` are a 400 naming the field, and nothing is written.

Python's int and Decimal, so pydantic's lax mode, read all three as 1000: a spend of
``"1_000"`` was recorded as 1000.00 (qa-today 1).
"""

from __future__ import annotations

import datetime

import pytest
from ninja import Schema

from api import schemas
from api.main import api as the_api
from gates.models import ArchitectureEstimate, GateDecision, Vote
from portfolio.models import AuditEntry, DataVersion, Outcome, Project, SpendEntry
from tests.builders import greenlight, make_project

NOT_DIGITS = ["1_000", "１０００", "١٠٠٠", "۱۰۰۰", " 1_000 ", "1_0.5"]  # the last: 10.5
SMALL = ["1_0", "１", "٣", "0_1"]  # for the fields that take a small number only
ON = datetime.date(2025, 1, 6)


@pytest.fixture
def project(alice, bob):
    return make_project(key="P1", researcher=alice, product_manager=bob, submitted_on=ON)


@pytest.fixture
def product(alice, bob, carol):
    project = make_project(key="GL-0070", researcher=alice, product_manager=bob, submitted_on=ON)
    return greenlight(project, bob, carol, on=datetime.date(2025, 6, 2))


def _snapshot():
    return (
        GateDecision.objects.count(),
        Vote.objects.exclude(recommendation="").count(),
        SpendEntry.objects.count(),
        Outcome.objects.count(),
        ArchitectureEstimate.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
        list(DataVersion.objects.values_list("number", flat=True)),
        list(Project.objects.values_list("next_stage_ask", "spend_total")),
    )


def _refused(answer, field: str) -> None:
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:greenlight:problem:invalid-input"
    assert problem["field"] == field
    assert problem["errors"][0] == {"field": field, "message": schemas.NOT_DIGITS_AS_TYPED}
    assert problem["detail"] == f"{field}: {schemas.NOT_DIGITS_AS_TYPED}"


SPEND = {"spent_on": "2025-02-03", "amount": "1000", "category": "compute"}


@pytest.mark.parametrize("value", NOT_DIGITS)
def test_spend_written_otherwise_is_refused(api_as, alice, project, value):
    api = api_as(alice)
    before = _snapshot()
    _refused(api.post("/api/v1/projects/P1/spend", SPEND | {"amount": value}), "amount")
    assert _snapshot() == before


def test_spend_in_plain_digits_is_recorded(api_as, alice, project):
    api = api_as(alice)
    # Not "1e3" (read as 1000 until 2026-12): a number with an exponent is refused too,
    # tests/api/test_exponent_refused.py.
    for amount in ["1000", " 1000 ", 1000]:
        answer = api.post("/api/v1/projects/P1/spend", SPEND | {"amount": amount})
        assert answer.status_code == 201, (amount, answer.content)
        assert answer.json()["amount"]["amount"] == "1000.00"


@pytest.mark.parametrize("value", NOT_DIGITS)
def test_an_outcome_written_otherwise_is_refused(api_as, bob, product, value):
    api = api_as(bob)
    before = _snapshot()
    body = {"month": "2025-07", "realized_value": value, "confirm_value": True}
    _refused(api.post("/api/v1/projects/GL-0070/outcomes", body), "realized_value")
    assert _snapshot() == before
    body["realized_value"] = "1000"
    assert api.post("/api/v1/projects/GL-0070/outcomes", body).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"funding_granted": "1_000"}, "funding_granted"),
        ({"probability_of_success": "０.５"}, "probability_of_success"),
        ({"probability_of_success": "0.5_0"}, "probability_of_success"),
        ({"gate": "١"}, "gate"),
        ({"decisions_seen": "0_0"}, "decisions_seen"),
        ({"scores": [{"criterion": "1_0", "met": True}]}, "scores[0].criterion"),
        ({"scores": [{"criterion": 1, "score": "８"}]}, "scores[0].score"),
        (
            {
                "kill_criteria": [
                    {"statement": "precision", "comparison": ">=", "target": "０.８_5"}
                ]
            },
            "kill_criteria[0].target",
        ),
        ({"kill_verdicts": [{"criterion": "٧", "met": True}]}, "kill_verdicts[0].criterion"),
    ],
)
def test_a_decision_s_numbers_written_otherwise_are_refused(api_as, bob, project, body, field):
    api = api_as(bob)
    before = _snapshot()
    decision = {"gate": 1, "decision": "go", "decided_on": "2025-02-03"} | body
    _refused(api.post("/api/v1/projects/P1/decisions", decision), field)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gate": "１"}, "gate"),
        ({"review_round": "0_0"}, "review_round"),
        ({"probability_of_success": "٠.٥"}, "probability_of_success"),
        ({"scores": [{"criterion": 1, "score": "1_0"}]}, "scores[0].score"),
        ({"kill_marks": [{"criterion": "1_0", "met": True}]}, "kill_marks[0].criterion"),
    ],
)
def test_a_vote_s_numbers_written_otherwise_are_refused(api_as, bob, project, body, field):
    api = api_as(bob)
    before = _snapshot()
    vote = {"gate": 1, "recommendation": "go"} | body
    _refused(api.put("/api/v1/projects/P1/review/vote", vote), field)
    assert _snapshot() == before


@pytest.mark.parametrize("value", NOT_DIGITS)
def test_a_next_stage_ask_written_otherwise_is_refused(api_as, alice, project, value):
    api = api_as(alice)
    before = _snapshot()
    answer = api.put("/api/v1/projects/P1/next-stage-ask", {"next_stage_ask": value})
    _refused(answer, "next_stage_ask")
    assert _snapshot() == before


@pytest.mark.parametrize("name", ["build_cost", "monthly_run_cost", "cost_per_retrain"])
def test_an_estimate_s_costs_written_otherwise_are_refused(api_as, alice, bob, carol, name):
    # At gate 2, where the estimate is asked for: at gate 1 the architect is refused (403)
    # before the body is read.
    make_project(key="P2", researcher=alice, product_manager=bob, submitted_on=ON, current_gate=2)
    api = api_as(carol)
    before = _snapshot()
    body = {"build_cost": "1000", "monthly_run_cost": "10", "retraining_cadence": "none"}
    answer = api.put(
        "/api/v1/projects/P2/deliverables/architecture-estimate", body | {name: "１０"}
    )
    _refused(answer, name)
    assert _snapshot() == before


@pytest.mark.parametrize("value", SMALL)
@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/projects", "page"),
        ("/api/v1/projects", "per_page"),
        ("/api/v1/projects", "gate"),
        ("/api/v1/projects/P1/spend", "page"),
        ("/api/v1/projects/P1/audit", "per_page"),
        ("/api/v1/plan", "horizon"),
    ],
)
def test_query_numbers_written_otherwise_are_refused(api_as, erin, project, url, name, value):
    _refused(api_as(erin, "read").get(url, data={name: value}), name)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"budget": "1_000"}, "budget"),
        ({"budget": "１０００"}, "budget"),
        ({"budget": "١٠٠٠"}, "budget"),
        ({"budget": "1000", "discount_rate": "0.1_0"}, "discount_rate"),
        ({"budget": "1000", "target": "efficiency=٠.٥"}, "target"),  # the parameter sent
    ],
)
def test_the_plan_s_text_numbers_written_otherwise_are_refused(api_as, erin, query, field):
    # The plan's budget, rate and targets are text the planning page's parser reads
    # (planning.inputs), which refuses them in its own words, the field named.
    answer = api_as(erin, "read").get("/api/v1/plan", data=query)
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == field
    # A budget is an amount ("is not an amount: write it in plain digits ..."), a rate a number.
    detail = answer.json()["detail"]
    assert ("is not an amount" if field == "budget" else "is not a number") in detail


# --- Every number of every operation ----------------------------------------------------------

NUMBERS = {"int", "float", "decimal"}


def _unchecked_numbers(schema, path: str, found: list[str]) -> None:
    """The number schemas under ``schema`` that ``schemas.DigitsAsTyped`` does not wrap."""
    if isinstance(schema, dict):
        if schema.get("type") == "function-before" and (
            schema["function"]["function"] is schemas.refuse_digits_not_as_typed
        ):
            return
        if schema.get("type") in NUMBERS:
            found.append(path)
            return
        for key, value in schema.items():
            _unchecked_numbers(value, f"{path}.{key}" if key != "schema" else path, found)
    elif isinstance(schema, list | tuple):
        for item in schema:
            _unchecked_numbers(item, path, found)


def _operations():
    for _prefix, router in the_api._routers:
        for url, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for model in operation.models:
                    yield f"{'/'.join(operation.methods)} {url} {model.__name__}", model


def test_every_number_an_operation_reads_refuses_digits_not_as_typed():
    models = list(_operations())
    assert len(models) > 20
    unchecked: list[str] = []
    for name, model in models:
        _unchecked_numbers(model.__pydantic_core_schema__, name, unchecked)
    assert unchecked == []


def test_the_guard_finds_a_plain_number():
    class Loose(Schema):
        amount: int

    found: list[str] = []
    _unchecked_numbers(Loose.__pydantic_core_schema__, "Loose", found)
    assert len(found) == 1
