"""Dates and months as the API documents them and the pages say them: a date is YYYY-MM-DD
and nothing else (a timestamp was read as its day), a month that is none is said in the
outcome form's words (it was pydantic's "String should match pattern …")."""

from __future__ import annotations

import pytest

from gates.models import GateDecision
from portfolio.models import Artifact, Outcome, SpendEntry
from tests.api.test_bad_input import _refused
from tests.api.test_digits_as_typed import product, project  # noqa: F401

DATE_WORDS = "Enter a date as YYYY-MM-DD, e.g. 2026-03-02."
MONTH_WORDS = "Enter a month as YYYY-MM, e.g. 2026-03."
NOT_DATES = ["2026-12-02T00:00:00", "2026-12-02 00:00", "2026-12-2", "20261202", 1764633600]


@pytest.mark.parametrize("written", NOT_DATES)
def test_a_date_field_takes_yyyy_mm_dd_only(api_as, alice, bob, project, written):  # noqa: F811
    api = api_as(alice)
    spend = {"spent_on": written, "amount": "10", "category": "compute"}
    problem = _refused(api.post("/api/v1/projects/P1/spend", spend), 400, "spent_on")
    assert problem["detail"] == f"spent_on: {DATE_WORDS}"
    artifact = {"kind": "other", "name": "A checklist", "created_on": written}
    _refused(api.post("/api/v1/projects/P1/artifacts", artifact), 400, "created_on")
    decision = {"gate": 1, "decision": "hold", "rationale": "Wait.", "decided_on": written}
    _refused(api_as(bob).post("/api/v1/projects/P1/decisions", decision), 400, "decided_on")
    assert not SpendEntry.objects.exists()
    assert not Artifact.objects.exists()
    assert not GateDecision.objects.exists()


def test_the_plan_s_as_of_takes_yyyy_mm_dd_only(api_as, erin):
    _refused(api_as(erin).get("/api/v1/plan?as_of=2026-12-02T00:00:00"), 400, "as_of")


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "2026-03-01"])
def test_a_month_that_is_none_is_said_as_the_page_says_it(api_as, bob, product, month):  # noqa: F811
    answer = api_as(bob).post(
        f"/api/v1/projects/{product.key}/outcomes", {"month": month, "realized_value": "10"}
    )
    problem = _refused(answer, 400, "month")
    assert problem["detail"] == f"month: {MONTH_WORDS}"
    assert not Outcome.objects.exists()


def test_the_schema_still_documents_the_shapes(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schema["OutcomeIn"]["properties"]["month"]["pattern"] == r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"
    assert schema["SpendIn"]["properties"]["spent_on"]["format"] == "date"
