"""A month above the project's high projection for a whole year is recorded through the API
only with ``"confirm_value": true``, as the outcome form asks “Yes, this amount is right”;
without it the 422 names the field and says what to send, beside every other problem."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from portfolio import services
from portfolio.models import AuditEntry, DataVersion, Outcome
from tests.builders import greenlight, make_project

URL = "/api/v1/projects/GL-0070/outcomes"
UNCONFIRMED = (
    "EUR 1,000,000.00 in one month is more than GL-0070's high projection for a whole year "
    '(EUR 400,000.00). Check the amount; if it is right, send it again with "confirm_value": '
    "true."
)


@pytest.fixture
def product(alice, bob, carol):
    """Projected at 100,000 to 400,000 a year; greenlit on the first of January."""
    project = make_project(
        key="GL-0070",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 12, 1),
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 1, 1))


def _snapshot():
    return (
        list(Outcome.objects.values_list("month", "realized_value")),
        AuditEntry.objects.filter(action__startswith="outcome.").count(),
        list(DataVersion.objects.values_list("number", flat=True)),
    )


def test_a_month_above_a_year_s_high_projection_is_refused_without_confirm_value(
    api_as, bob, product
):
    api = api_as(bob)
    before = _snapshot()

    answer = api.post(URL, {"month": "2026-02", "realized_value": "1000000.00"})

    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:greenlight:problem:rule"
    assert problem["field"] == "confirm_value"
    assert problem["detail"] == UNCONFIRMED
    assert problem["errors"] == [{"field": "confirm_value", "message": UNCONFIRMED}]
    assert _snapshot() == before


def test_a_confirmed_month_above_a_year_s_high_projection_is_recorded(api_as, bob, product):
    answer = api_as(bob).post(
        URL, {"month": "2026-02", "realized_value": "1000000.00", "confirm_value": True}
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["realized_value"] == {"amount": "1000000.00", "currency": "EUR"}
    assert Outcome.objects.get().realized_value == Decimal("1000000.00")


def test_a_confirmation_of_false_is_no_confirmation(api_as, bob, product):
    answer = api_as(bob).post(
        URL, {"month": "2026-02", "realized_value": "400000.01", "confirm_value": False}
    )

    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == "confirm_value"
    assert not Outcome.objects.exists()


def test_a_month_within_a_year_s_high_projection_needs_no_confirmation(api_as, bob, product):
    answer = api_as(bob).post(URL, {"month": "2026-02", "realized_value": "400000.00"})

    assert answer.status_code == 201, answer.content
    assert Outcome.objects.get().realized_value == Decimal("400000.00")


def test_the_missing_confirmation_is_listed_with_every_other_problem(api_as, bob, product):
    services.record_outcome(
        project=product, actor=bob, month=datetime.date(2026, 2, 1), realized_value=Decimal(1)
    )
    api = api_as(bob)
    before = _snapshot()

    answer = api.post(URL, {"month": "2026-02", "realized_value": "1000000.00"})

    assert answer.status_code == 422, answer.content
    problem = answer.json()
    expected = [
        {"field": "month", "message": "2026-02 already has an outcome for this project."},
        {"field": "confirm_value", "message": UNCONFIRMED},
    ]
    assert problem["errors"] == expected
    assert problem["field"] == "month"
    assert problem["detail"] == " ".join(e["message"] for e in expected)
    assert _snapshot() == before


def test_the_schema_documents_confirm_value(client):
    schema = client.get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["OutcomeIn"]["properties"]["confirm_value"]
    assert field["type"] == "boolean"
    assert field["default"] is False
    assert "high projection for a whole year" in field["description"]
    assert "confirm_value" not in schema["components"]["schemas"]["OutcomeIn"].get("required", [])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("242000.011", "Realized value: at most 2 decimal places."),
        ("-5", "Realized value cannot be negative."),
        (
            "99999999999999999999",
            "Realized value: at most 9,999,999,999,999.99 (13 digits before the decimal point).",
        ),
    ],
)
def test_a_value_refused_for_itself_is_said_in_the_app_s_words(
    api_as, bob, product, value, message
):
    """As the outcome form and the admin say it (portfolio.services.spend), not pydantic's
    "Decimal input should have no more than 2 decimal places"."""
    answer = api_as(bob).post(URL, {"month": "2026-02", "realized_value": value})

    assert answer.status_code == 400, answer.content
    problem = answer.json()
    assert problem["errors"] == [{"field": "realized_value", "message": message}]
    assert problem["detail"] == "realized_value: " + message.removeprefix("Realized value: ")
    assert not Outcome.objects.exists()
