"""A refused bucket target names the API's parameter as sent (``target``), not the parser's name."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("target=efficiency=lots", "target"),
        ("target=nowhere=0.5", "target"),
        ("target=efficiency", "target"),
        ("target=efficiency=0.7&target=revenue=0.7", "target"),
        ("target=efficiency=1.5", "target"),
        # The page's links' spelling names the bucket's own parameter.
        ("target_revenue=lots", "target_revenue"),
        ("target_efficiency=0.7&target_revenue=0.7", "target_efficiency"),
        ("target=efficiency=0.1&target_revenue=lots", "target_revenue"),
    ],
)
def test_a_refused_target_names_the_parameter_sent(api_as, erin, db, query, field):
    answer = api_as(erin, "read").get(f"/api/v1/plan?budget=1000&{query}")
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field, problem
    assert problem["errors"] == [{"field": field, "message": problem["detail"]}]
    # The message speaks of the parameter sent too, not of the page's "Targets".
    assert "Targets" not in problem["detail"]


def test_the_field_named_is_a_parameter_of_the_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    names = {p["name"] for p in schema["paths"]["/api/v1/plan"]["get"]["parameters"]}
    assert "target" in names and "targets" not in names


@pytest.mark.parametrize("name", ["budgt", "targets", "pin", "format"])
def test_an_unknown_parameter_is_refused_naming_it(api_as, erin, db, name):
    """As /api/v1/metrics does: a misspelt parameter is not silently left out of the plan."""
    answer = api_as(erin, "read").get(f"/api/v1/plan?budget=1000&{name}=1")
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == name
    assert f"Unknown parameter “{name}”" in problem["detail"]


def test_every_documented_parameter_is_known(client):
    """None of the parameters the schema documents is refused as unknown."""
    from django.http import QueryDict

    from planning.inputs import check_parameters

    schema = client.get("/api/v1/openapi.json").json()
    for parameter in schema["paths"]["/api/v1/plan"]["get"]["parameters"]:
        check_parameters(QueryDict(f"{parameter['name']}=1"))
