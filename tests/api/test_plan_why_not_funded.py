"""The plan through the API says why each project is left out, as the planning page does."""

from __future__ import annotations

from tests.builders import PLAN_AS_OF, candidate

PLAN = f"/api/v1/plan?as_of={PLAN_AS_OF}&horizon=1&discount_rate=0"


def test_the_plan_says_why_each_project_is_left_out(api_as, erin, bob):
    candidate("A", value=400, ask=80, product_manager=bob)
    candidate("B", value=200, ask=50, bucket="revenue", product_manager=bob)
    candidate("C", value=60, ask=20, bucket="new_category", product_manager=bob)
    answer = api_as(erin, "read").get(f"{PLAN}&budget=100&pin_in=C")
    assert answer.status_code == 200, answer.content
    why = {p["key"]: p["why_not_funded"] for p in answer.json()["projects"]}
    assert why == {
        "A": "",
        "B": "asks EUR 50.00: the budget had EUR 0.00 left at its turn; funded before it "
        "though ranked below: C (pinned in).",
        "C": "",
    }


def test_the_schema_documents_why_not_funded(client):
    schema = client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["PlanProject"]["properties"]["why_not_funded"]
    assert field["type"] == "string"
    assert "Empty when funded" in field["description"]
