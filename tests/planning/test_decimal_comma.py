"""A comma in the planner's numbers and the next-stage ask is a thousands separator only where
one goes (``1,000,000``, ``1,000,000.50``): anywhere else the number is refused, the field named,
saying to write it with a point for decimals (``portfolio.money.without_thousands_separators``).

Before, every comma was taken out: a next-stage ask of ``1000,50`` was saved as 100,050 and one
of ``2,5`` as 25, a budget of ``4000,50`` planned 400,050 without a word, and a discount rate of
``0,1`` was read as 1 and refused for its range.
"""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from api import tokens
from planning.inputs import parse
from planning.models import Scenario
from portfolio import money
from portfolio.errors import DomainError
from portfolio.models import AuditEntry
from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}


def _amount_message(label: str, typed: str) -> str:
    return (
        f"{label}: {typed} is not an amount: write it in plain digits with a point for decimals, "
        "e.g. 1000000.50 (a comma only between thousands: 1,000,000.50)."
    )


RATE_MESSAGE = (
    "Discount rate: 0,1 is not a number: write it in plain digits with a point for decimals, "
    "e.g. 0.1."
)
HORIZON_MESSAGE = "Horizon: 1,5 is not a number: write it in plain digits, e.g. 3."
TARGET_MESSAGE = (
    "Target for revenue: 0,3 is not a number: write it in plain digits with a point for "
    "decimals, e.g. 0.3."
)


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")
    candidate("C", value=60, ask=20, bucket="new_category")


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- The rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,000", "1000"),
        ("1,000,000", "1000000"),
        (" 1,000,000.50 ", "1000000.50"),
        ("125,000.50", "125000.50"),
        ("-1,000", "-1000"),
        ("1000.50", "1000.50"),
    ],
)
def test_a_comma_between_thousands_is_taken_out(typed, read):
    assert money.typed_decimal(typed) == Decimal(read)


@pytest.mark.parametrize(
    "typed",
    ["1000,50", "2,5", "1,00", "4000,50", "0,1", "0,100", "1,0000", "10,00,000", "1,000,00",
     "1,000.5,0", ",500", "1,000,", "1,,000"],
)  # fmt: skip
def test_a_comma_anywhere_else_is_no_number(typed):
    assert money.without_thousands_separators(typed) is None
    assert money.typed_decimal(typed) is None


# --- The next-stage ask ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1000,50", "2,5", "1,00"])
def test_a_next_stage_ask_with_a_decimal_comma_is_refused(client, bob, project, typed):
    project.next_stage_ask = Decimal("42000")
    project.save()
    client.force_login(bob)
    url = reverse("next_stage_ask_edit", args=[project.key])
    response = client.post(url, {"next_stage_ask": typed})
    assert response.status_code == 400
    assert f"Ask: “{typed}” is not an amount: write it in plain digits" in _text(response)
    project.refresh_from_db()
    assert project.next_stage_ask == Decimal("42000")  # not 100,050 nor 25
    assert not AuditEntry.objects.filter(action="project.next_stage_ask_set").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "saved"), [("1,000,000", "1000000.00"), ("1,000,000.50", "1000000.50")]
)
def test_a_next_stage_ask_grouped_in_thousands_is_saved(client, bob, project, typed, saved):
    client.force_login(bob)
    url = reverse("next_stage_ask_edit", args=[project.key])
    response = client.post(url, {"next_stage_ask": typed})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.next_stage_ask == Decimal(saved)


# --- The planning page -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"budget": "4000,50"}, _amount_message("Budget", "4000,50")),
        ({"budget": "2,5"}, _amount_message("Budget", "2,5")),
        ({"budget": "1,00"}, _amount_message("Budget", "1,00")),
        ({"budget": "100", "discount_rate": "0,1"}, RATE_MESSAGE),
        ({"budget": "100", "horizon": "1,5"}, HORIZON_MESSAGE),
        ({"budget": "100", "target_revenue": "0,3"}, TARGET_MESSAGE),
    ],
)
def test_the_plan_refuses_a_decimal_comma_naming_the_field(client, erin, three, query, message):
    client.force_login(erin)
    response = client.get(reverse("plan"), SIMPLE | query)
    assert response.status_code == 400
    page = _text(response)
    assert message in page
    assert "at least 0 and less than 1" not in page  # 0,1 was read as 1
    assert "Funded" not in page  # no plan is shown


@pytest.mark.parametrize(("typed", "budget"), [("1,000", "1000"), ("1,000.50", "1000.50")])
def test_the_plan_reads_a_budget_grouped_in_thousands(client, erin, three, typed, budget):
    client.force_login(erin)
    response = client.get(reverse("plan"), SIMPLE | {"budget": typed})
    assert response.status_code == 200
    assert "Funded" in _text(response)  # the plan, as a refused one does not show
    assert parse(budget=typed, **SIMPLE).budget == Decimal(budget)


def test_a_scenario_with_a_decimal_comma_is_not_saved(client, erin, three):
    client.force_login(erin)
    response = client.post(
        reverse("scenario_list"), {"name": "Comma", "budget": "4000,50", **SIMPLE}
    )
    assert _amount_message("Budget", "4000,50") in _text(response)
    assert not Scenario.objects.exists()


def test_the_parser_names_the_field():
    with pytest.raises(DomainError) as refused:
        parse(budget="4000,50", **SIMPLE)
    assert refused.value.field == "budget"
    assert refused.value.message == _amount_message("Budget", "4000,50")
    with pytest.raises(DomainError) as refused:
        parse(budget="100", **SIMPLE | {"discount_rate": "0,1"})
    assert (refused.value.field, refused.value.message) == ("discount_rate", RATE_MESSAGE)


# --- The API ---------------------------------------------------------------------------------


def _api(client, user):
    _token, secret = tokens.create_token(actor=user, name="test", scope="read-write")
    return {"headers": {"Authorization": f"Bearer {secret}"}}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"budget": "4000,50"}, "budget", _amount_message("Budget", "4000,50")),
        ({"budget": "100", "discount_rate": "0,1"}, "discount_rate", RATE_MESSAGE),
        ({"budget": "100", "target": "revenue=0,3"}, "target", TARGET_MESSAGE),
        ({"budget": "100", "target_revenue": "0,3"}, "target_revenue", TARGET_MESSAGE),
    ],
)
def test_the_api_plan_refuses_a_decimal_comma(client, erin, three, query, field, message):
    answer = client.get("/api/v1/plan", SIMPLE | query, **_api(client, erin))
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == field
    assert answer.json()["detail"] == message


def test_the_api_plan_reads_a_budget_grouped_in_thousands(client, erin, three):
    query = SIMPLE | {"budget": "1,000.50"}
    answer = client.get("/api/v1/plan", query, **_api(client, erin))
    assert answer.status_code == 200, answer.content
    assert answer.json()["budget"] == 1000.5


@pytest.mark.parametrize("typed", ["1000,50", "1,000.50"])
def test_the_api_next_stage_ask_takes_no_comma(client, alice, project, typed):
    # The API's amounts are plain digits, as its other money fields: no separator at all.
    answer = client.put(
        f"/api/v1/projects/{project.key}/next-stage-ask",
        {"next_stage_ask": typed},
        content_type="application/json",
        **_api(client, alice),
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["field"] == "next_stage_ask"
    project.refresh_from_db()
    assert project.next_stage_ask is None
