"""The API's conventions: pagination, money, dates, ETags, rate limits, no CORS."""

from __future__ import annotations

import datetime
from decimal import Decimal

from portfolio import services
from portfolio.metrics import compute
from tests.builders import make_project


def test_pages_are_stable_and_linked(api_as, alice, bob):
    for n in range(7):
        make_project(key=f"K-{n}", researcher=alice, product_manager=bob)
    api = api_as(alice, "read")
    first = api.get("/api/v1/projects?per_page=3&sort=-key").json()
    assert first["count"] == 7 and first["pages"] == 3 and first["previous"] is None
    assert [p["key"] for p in first["results"]] == ["K-6", "K-5", "K-4"]
    second = api.get(first["next"]).json()
    assert [p["key"] for p in second["results"]] == ["K-3", "K-2", "K-1"]
    last = api.get(second["next"]).json()
    assert [p["key"] for p in last["results"]] == ["K-0"] and last["next"] is None
    assert "sort=-key" in last["previous"]


def test_filters_are_the_project_lists(api_as, alice, bob, pete):
    make_project(key="A", researcher=alice, product_manager=bob, bucket="revenue")
    make_project(key="B", researcher=alice, product_manager=pete, bucket="efficiency")
    api = api_as(alice, "read")
    assert [p["key"] for p in api.get("/api/v1/projects?bucket=revenue").json()["results"]] == ["A"]
    assert [
        p["key"] for p in api.get("/api/v1/projects?pm=PETE@example.com").json()["results"]
    ] == ["B"]
    assert [p["key"] for p in api.get("/api/v1/projects?q=b").json()["results"]] == ["A", "B"]


def test_money_is_a_decimal_string_with_the_currency(api_as, client, alice, bob, settings):
    settings.CURRENCY = "CHF"
    project = make_project(
        key="M", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 1, 6)
    )
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2025, 2, 1),
        amount=Decimal("0.10"),
        category="data",
    )
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2025, 2, 2),
        amount=Decimal("0.20"),
        category="data",
    )
    body = api_as(alice, "read").get("/api/v1/projects/M").json()
    assert body["spend_total"] == {"amount": "0.30", "currency": "CHF"}
    assert body["submitted_on"] == "2025-01-06"
    spend = api_as(alice, "read").get("/api/v1/projects/M/spend").json()["results"]
    assert [s["amount"]["amount"] for s in spend] == ["0.10", "0.20"]
    assert datetime.datetime.fromisoformat(spend[0]["recorded_at"]).tzinfo is not None
    # One setting for the pages and the API: the project page says the API's currency.
    client.force_login(alice)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "CHF 0.10" in page and "EUR" not in page


def test_metrics_are_the_engines_numbers_with_an_etag(api_as, erin, alice, bob):
    project = make_project(
        key="E", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 1, 6)
    )
    api = api_as(erin, "read")
    first = api.get("/api/v1/metrics?as_of=2025-06-30")
    assert first.status_code == 200
    body = first.json()
    assert body.pop("currency") == "EUR"
    assert body == compute(as_of=datetime.date(2025, 6, 30))
    etag = first["ETag"]
    again = api.get("/api/v1/metrics?as_of=2025-06-30", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = api.get("/api/v1/metrics?as_of=2025-06-29", headers={"If-None-Match": etag})
    assert other.status_code == 200
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2025, 2, 1),
        amount=Decimal(5),
        category="data",
    )
    changed = api.get("/api/v1/metrics?as_of=2025-06-30", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["headline"]["cumulative_spend"] == 5.0


def test_metrics_take_the_same_parameters_as_api_metrics(api_as, client, erin, alice, bob):
    make_project(
        key="E", researcher=alice, product_manager=bob, submitted_on=datetime.date(2025, 1, 6)
    )
    query = (
        "as_of=2025-06-30&bucket=efficiency&research_type=applied&product_manager=BOB@example.com"
    )
    client.force_login(erin)
    old = client.get(f"/api/metrics?{query}").json()
    new = api_as(erin, "read").get(f"/api/v1/metrics?{query}").json()
    new.pop("currency")
    assert new == old


def test_each_token_has_its_own_rate_limit(api_as, alice, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    busy, quiet = api_as(alice, "read"), api_as(alice, "read")
    answers = [busy.get("/api/v1/me").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = busy.get("/api/v1/me")
    assert refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert quiet.get("/api/v1/me").status_code == 200


def test_no_cross_origin_access_is_offered(api_as, alice):
    answer = api_as(alice, "read").get(
        "/api/v1/me", headers={"Origin": "https://elsewhere.example"}
    )
    assert "Access-Control-Allow-Origin" not in answer


def test_the_schema_is_openapi_3_and_names_problem_documents(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    spend = schema["paths"]["/api/v1/projects/{key}/spend"]["post"]
    assert "application/problem+json" in spend["responses"]["422"]["content"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
