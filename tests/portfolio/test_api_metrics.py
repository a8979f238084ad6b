"""GET /api/metrics: exactly ``portfolio_metrics --format json``, behind the dashboard's permission."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from portfolio import metrics
from tests.portfolio.dashboard_sample import EXPECTED, expected, import_sample, metrics_md

URL = reverse("api_metrics")


def assert_same_json(actual, wanted, path="$"):
    """Equal, and of the same JSON types: 0.0 is not 0, null is not 0."""
    assert type(actual) is type(wanted), f"{path}: {actual!r} is not of the type of {wanted!r}"
    if isinstance(wanted, dict):
        assert list(actual) == list(wanted), f"{path}: keys {list(actual)} != {list(wanted)}"
        for key in wanted:
            assert_same_json(actual[key], wanted[key], f"{path}.{key}")
    elif isinstance(wanted, list):
        assert len(actual) == len(wanted), f"{path}: {len(actual)} items != {len(wanted)}"
        for i, (a, w) in enumerate(zip(actual, wanted, strict=True)):
            assert_same_json(a, w, f"{path}[{i}]")
    else:
        assert actual == wanted, f"{path}: {actual!r} != {wanted!r}"


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_it_returns_each_expected_file_exactly(client, erin, filename):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, EXPECTED[filename])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_same_json(metrics_md(response.json()), expected(filename))


def test_it_matches_the_metrics_engine_as_of_today_by_default(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL)

    assert response.json() == metrics.compute()
    assert response.json()["as_of"] == timezone.localdate().isoformat()


def test_it_matches_product_managers_ignoring_case(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2026-06-30", "product_manager": "PM3@Example.COM"})

    assert_same_json(metrics_md(response.json()), expected("metrics-2026-06-30-pm3.json"))


def test_it_refuses_anonymous_callers_with_json_not_a_login_page(client, db):
    response = client.get(URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "Sign in" in response.json()["error"]


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_it_refuses_researchers_and_architects(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "executives" in response.json()["error"]


@pytest.mark.parametrize("persona", ["bob", "erin", "adam"])
def test_it_answers_product_managers_executives_and_admins(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL, {"as_of": "2026-01-31"})

    assert response.status_code == 200
    assert response.json()["as_of"] == "2026-01-31"


def test_it_answers_a_researcher_granted_the_dashboard_permission(client, alice):
    alice.user_permissions.add(Permission.objects.get(codename="view_portfolio_dashboard"))
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"bucket": "moonshots"}, "Unknown bucket"),
        ({"research_type": "alchemy"}, "Unknown research type"),
        ({"as_of": "2026-02-30"}, "as_of: give a date as YYYY-MM-DD."),
        ({"as_of": "20260630"}, "as_of: give a date as YYYY-MM-DD."),
        ({"as_of": "yesterday"}, "as_of: give a date as YYYY-MM-DD."),
        ({"asof": "2026-06-30"}, "Unknown parameter “asof”"),
        ({"as_of": "0001-01-01"}, "as_of: choose a date between 1900-01-01 and 2100-12-31."),
        ({"as_of": "9999-12-31"}, "as_of: choose a date between 1900-01-01 and 2100-12-31."),
    ],
)
def test_it_refuses_a_bad_filter_with_a_message(client, erin, params, message):
    client.force_login(erin)

    response = client.get(URL, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert message in response.json()["error"]


def test_it_treats_an_empty_filter_as_no_filter(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(
        URL, {"as_of": "2026-06-30", "bucket": "", "research_type": "", "product_manager": ""}
    )

    assert_same_json(metrics_md(response.json()), expected("metrics-2026-06-30.json"))


def test_it_only_reads(client, erin):
    client.force_login(erin)

    assert client.post(URL).status_code == 405


def test_it_answers_for_a_date_before_any_project(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2000-01-01"})

    assert response.status_code == 200
    assert response.json()["headline"]["projects"] == 0
    assert datetime.date.fromisoformat(response.json()["as_of"]) == datetime.date(2000, 1, 1)
