"""GET /api/v1/projects takes several statuses, as the project list does:
?status=active&status=on_hold lists the projects in either; one status works as before."""

from __future__ import annotations

from portfolio.models import Status
from tests.builders import make_project


def _keys(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [project["key"] for project in answer.json()["results"]]


def test_repeated_statuses_list_the_projects_in_any_of_them(api_as, alice):
    make_project(key="A", status=Status.ACTIVE)
    make_project(key="H", status=Status.ON_HOLD)
    make_project(key="K", status=Status.KILLED, current_gate=None)
    api = api_as(alice)
    assert _keys(api.get("/api/v1/projects?status=active&status=on_hold")) == ["A", "H"]
    assert _keys(api.get("/api/v1/projects?status=killed")) == ["K"]
    assert _keys(api.get("/api/v1/projects")) == ["A", "H", "K"]


def test_an_unknown_status_among_them_is_refused_naming_the_parameter(api_as, alice):
    answer = api_as(alice).get("/api/v1/projects?status=active&status=zombie")
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["field"] == "status"
    assert "'active', 'on_hold'" in problem["detail"]


def test_the_schema_says_status_may_be_repeated(client):
    schema = client.get("/api/v1/openapi.json").json()
    [status] = [
        p for p in schema["paths"]["/api/v1/projects"]["get"]["parameters"] if p["name"] == "status"
    ]
    assert "several as repeated parameters" in status["description"]
    array = next(s for s in status["schema"]["anyOf"] if s.get("type") == "array")
    assert "on_hold" in array["items"]["enum"]
