"""The plan's horizon out of its range and an unknown probabilities mode are refused by
/api/v1/plan in the planning page's words, naming the parameter: "horizon: Horizon: a whole
number of years from 1 to 10." and "probabilities: Probabilities: “bayes” is unknown: use raw
or calibrated.".

Before, pydantic's own words came back: "Input should be less than or equal to 10", "Input
should be greater than or equal to 1" and "Input should be 'raw' or 'calibrated'".
"""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"budget": "100", "as_of": PLAN_AS_OF}
HORIZON = "Horizon: a whole number of years from 1 to 10."


@pytest.fixture
def one(db, bob):
    candidate("A", value=400, ask=80)


def _refused(answer, field: str, message: str) -> None:
    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["field"] == field
    assert problem["errors"] == [{"field": field, "message": message}]
    # The message starts with the label ("Horizon: …"); the detail names the field once.
    assert problem["detail"] == f"{field}: {message.split(': ', 1)[1]}"
    assert "Input should" not in answer.content.decode()


def _page_says(client, user, query: dict, message: str) -> None:
    client.force_login(user)
    page = client.get(reverse("plan"), SIMPLE | query)
    assert page.status_code == 400
    assert message in html.unescape(page.content.decode())


@pytest.mark.parametrize("horizon", ["0", "11", "99", "-1"])
def test_a_horizon_out_of_range_is_said_as_the_page_says_it(api_as, client, erin, one, horizon):
    answer = api_as(erin).get("/api/v1/plan", data=SIMPLE | {"horizon": horizon})
    _refused(answer, "horizon", HORIZON)
    _page_says(client, erin, {"horizon": horizon}, HORIZON)


@pytest.mark.parametrize("horizon", ["1", "10"])
def test_the_ends_of_the_range_are_still_taken(api_as, erin, one, horizon):
    answer = api_as(erin).get("/api/v1/plan", data=SIMPLE | {"horizon": horizon})
    assert answer.status_code == 200, answer.content


def test_an_unknown_probabilities_mode_is_said_as_the_page_says_it(api_as, client, erin, one):
    message = "Probabilities: “bayes” is unknown: use raw or calibrated."
    answer = api_as(erin).get("/api/v1/plan", data=SIMPLE | {"probabilities": "bayes"})
    _refused(answer, "probabilities", message)
    _page_says(client, erin, {"probabilities": "bayes"}, message)


@pytest.mark.parametrize("mode", ["raw", "calibrated"])
def test_the_two_modes_are_still_taken(api_as, erin, one, mode):
    answer = api_as(erin).get("/api/v1/plan", data=SIMPLE | {"probabilities": mode})
    assert answer.status_code == 200, answer.content


def test_the_schema_still_documents_the_range_and_the_modes(api_as, erin):
    schema = api_as(erin).get("/api/v1/openapi.json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/plan"]["get"]["parameters"]}
    horizon = parameters["horizon"]["schema"]["anyOf"][0]
    assert (horizon["type"], horizon["ge"], horizon["le"]) == ("integer", 1, 10)
    modes = parameters["probabilities"]["schema"]["anyOf"][0]
    assert modes["enum"] == ["raw", "calibrated"]
