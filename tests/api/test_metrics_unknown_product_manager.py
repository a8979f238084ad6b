"""A product manager filter naming nobody is refused as the dashboard refuses it: both metrics
APIs answered 200 with all zeros, as if the portfolio had no projects."""

from __future__ import annotations

import pytest

from tests.builders import make_project

WORDS = "No product manager with that e-mail address."


@pytest.fixture
def project(alice, bob):
    return make_project(key="P1", researcher=alice, product_manager=bob)


@pytest.mark.parametrize("email", ["nobody@x", "alice@example.com"])
def test_the_token_api_refuses_it_naming_the_filter(api_as, erin, project, email):
    answer = api_as(erin).get("/api/v1/metrics", data={"product_manager": email})
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["field"] == "product_manager"
    assert problem["detail"] == f"product_manager: {WORDS}"


def test_the_session_api_refuses_it_naming_the_filter(client, erin, project):
    client.force_login(erin)
    answer = client.get("/api/metrics", {"product_manager": "nobody@x"})
    assert answer.status_code == 400
    assert answer.json() == {"error": f"product_manager: {WORDS}"}


def test_a_product_manager_in_capitals_is_still_one(api_as, client, erin, project):
    assert api_as(erin).get("/api/v1/metrics?product_manager=BOB@example.com").status_code == 200
    client.force_login(erin)
    assert client.get("/api/metrics", {"product_manager": "Bob@Example.com"}).status_code == 200
