"""The API refuses a decision's rationale over the model's 10,000 characters in the decision
form's words (tests/gates/test_decision_rationale_limit.py), and takes one of the limit."""

from __future__ import annotations

import pytest

from gates.models import GateDecision
from tests.builders import make_project

pytestmark = pytest.mark.django_db

TOO_LONG = "Rationale: at most 10,000 characters."


def _hold(rationale: str) -> dict:
    return {"gate": 1, "decision": "hold", "decided_on": "2026-01-10", "rationale": rationale}


def test_the_api_refuses_one_more_in_the_same_words(api_as, alice, bob):
    make_project(key="GL-0120", researcher=alice, product_manager=bob)
    api = api_as(bob)
    answer = api.post("/api/v1/projects/GL-0120/decisions", _hold("x" * 10_001))
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == "rationale"
    assert problem["detail"] == "rationale: at most 10,000 characters."
    assert not GateDecision.objects.exists()

    answer = api.post("/api/v1/projects/GL-0120/decisions", _hold("x" * 10_000))
    assert answer.status_code == 201, answer.content
