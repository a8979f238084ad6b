"""The API refuses a kill dated before the project's latest spend, naming decided_on, as the
decision form does (tests/gates/test_kill_before_spend.py)."""

from __future__ import annotations

import datetime

import pytest

from portfolio.models import Status
from tests.builders import decide, make_project, record_spend

pytestmark = pytest.mark.django_db

MESSAGE = (
    "GL-0095 has spend recorded up to 2026-11-30: date the kill on or after it, "
    "or correct the spend first."
)


@pytest.fixture
def on_hold(alice, bob):
    """GL-0095, on hold since 2026-03-26, with spend recorded up to 2026-11-30."""
    project = make_project(key="GL-0095", researcher=alice, product_manager=bob)
    decide(project, 1, "hold", decided_on=datetime.date(2026, 3, 26))
    record_spend(project, datetime.date(2026, 11, 30), "1200")
    return project


def test_the_api_answers_422_naming_decided_on(api_as, bob, on_hold):
    api = api_as(bob)
    body = {
        "gate": 1,
        "decision": "kill",
        "decided_on": "2026-04-01",
        "rationale": "The data does not exist.",
    }
    answer = api.post("/api/v1/projects/GL-0095/decisions", body)
    assert answer.status_code == 422, answer.content
    problem = answer.json()
    assert problem["field"] == "decided_on"
    assert problem["detail"] == MESSAGE
    assert problem["errors"] == [{"field": "decided_on", "message": MESSAGE}]
    on_hold.refresh_from_db()
    assert on_hold.status == Status.ON_HOLD

    answer = api.post("/api/v1/projects/GL-0095/decisions", {**body, "decided_on": "2026-11-30"})
    assert answer.status_code == 201, answer.content
