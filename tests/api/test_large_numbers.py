"""A number larger than any row id is refused naming its field, never a 500.

SQLite cannot look up an integer over 64 bits: a scorecard naming criterion
100000000000000000000 answered 500 on a decision and on a vote.
"""

from __future__ import annotations

import datetime

import pytest

from gates.models import GateDecision
from tests.builders import make_project

TOO_LARGE = [2**63, 10**20]


@pytest.fixture
def project(alice, bob):
    return make_project(
        key="P1", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 1, 6)
    )


def assert_refused(answer, field: str) -> None:
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field
    assert "9223372036854775807" in problem["detail"]


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize(
    ("list_name", "item"),
    [("scores", {}), ("kill_verdicts", {"met": True})],
)
def test_a_decision_naming_a_huge_criterion_is_refused(
    api_as, bob, project, number, list_name, item
):
    body = {
        "gate": 1,
        "decision": "hold",
        "rationale": "Wait for data.",
        list_name: [{"criterion": number, **item}],
    }
    answer = api_as(bob).post("/api/v1/projects/P1/decisions", body)

    assert_refused(answer, f"{list_name}[0].criterion")
    assert not GateDecision.objects.exists()


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize(
    ("list_name", "item"),
    [("scores", {}), ("kill_marks", {"met": True})],
)
def test_a_vote_naming_a_huge_criterion_is_refused(api_as, bob, project, number, list_name, item):
    body = {"gate": 1, "recommendation": "go", list_name: [{"criterion": number, **item}]}
    answer = api_as(bob).send("PUT", "/api/v1/projects/P1/review/vote", body)

    assert_refused(answer, f"{list_name}[0].criterion")
