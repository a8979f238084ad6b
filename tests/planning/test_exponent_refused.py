"""The planner's numbers typed with an exponent (``1e6``) are refused, saying to write them in
plain digits, as every number field does (``portfolio.money.written_with_exponent``): a budget
of ``1e6`` was read as 1,000,000 and a next-stage ask of ``1e6`` recorded as 1,000,000.00.

A saved scenario's numbers are kept in plain digits, since they are read again by the same
rule: str() wrote a share of 0.0000000 as "0E-7", and a budget typed 1e6 as "1E+6".
"""

from __future__ import annotations

import html
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from planning.inputs import parse
from planning.models import Scenario
from portfolio.errors import DomainError
from tests.builders import PLAN_AS_OF, candidate

SIMPLE = {"as_of": PLAN_AS_OF, "horizon": "1", "discount_rate": "0"}


@pytest.fixture
def three(db, bob):
    candidate("A", value=400, ask=80)
    candidate("B", value=200, ask=50, bucket="revenue")
    candidate("C", value=60, ask=20, bucket="new_category")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1e6", "1E6", " 2.5e5 "])
def test_a_next_stage_ask_with_an_exponent_is_refused(client, alice, project, typed):
    client.force_login(alice)
    url = reverse("next_stage_ask_edit", args=[project.key])
    response = client.post(url, {"next_stage_ask": typed})
    assert response.status_code == 400
    message = "Write the amount in plain digits, e.g. 1000000 (not 1e6)."
    assert f"Ask: {message}" in response.content.decode()  # the summary; beside it, the rest
    project.refresh_from_db()
    assert project.next_stage_ask is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"budget": "1e6"}, "Budget: write the amount in plain digits, e.g. 1000000 (not 1e6)."),
        ({"budget": "1,000e3"}, "Budget: write the amount in plain digits"),
        ({"budget": "100", "horizon": "3e0"}, "Horizon: write the number in plain digits"),
        ({"budget": "100", "discount_rate": "1E-1"}, "Discount rate: write the number in plain"),
        ({"budget": "100", "target_revenue": "5e-1"}, "Target for revenue: write the number in"),
    ],
)
def test_a_plan_s_number_with_an_exponent_is_refused(client, bob, three, query, message):
    client.force_login(bob)
    response = client.get(reverse("plan"), SIMPLE | query)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())


def test_the_parser_refuses_an_exponent_and_names_the_field():
    with pytest.raises(DomainError, match="Budget: write the amount in plain digits") as refused:
        parse(budget="1e6", **SIMPLE)
    assert refused.value.field == "budget"


def test_a_scenario_keeps_its_numbers_in_plain_digits_and_reads_them_again(db):
    request = parse(
        budget="1000000", targets={"revenue": "0.0000000"}, **SIMPLE | {"discount_rate": "0.10"}
    )
    settings = request.settings_dict()
    assert settings["targets"] == {"revenue": "0.0000000"}  # str() wrote "0E-7"
    assert (settings["budget"], settings["discount_rate"]) == ("1000000", "0.10")
    assert parse(**settings) == request


MIGRATION = "planning.migrations.0003_scenario_numbers_in_plain_digits"


def test_the_scenarios_saved_with_an_exponent_are_rewritten_in_plain_digits(bob, three):
    written = {
        "budget": "1E+6",
        "as_of": PLAN_AS_OF,
        "horizon": 1,
        "discount_rate": "0",
        "probabilities": "raw",
        "targets": {"revenue": "0E-7", "efficiency": "0.5"},
        "pin_in": [],
        "pin_out": [],
    }
    scenario = Scenario.objects.create(name="Typed 1e6", settings=written, created_by=bob)
    untouched = Scenario.objects.create(
        name="Plain", settings=written | {"budget": "100", "targets": {}}, created_by=bob
    )
    with pytest.raises(DomainError):
        parse(**scenario.settings)  # as the list and adopting read it

    importlib.import_module(MIGRATION).numbers_in_plain_digits(django_apps, None)

    scenario.refresh_from_db()
    assert scenario.settings == written | {
        "budget": "1000000",
        "targets": {"revenue": "0", "efficiency": "0.5"},
    }
    assert parse(**scenario.settings).budget == Decimal(1_000_000)
    untouched.refresh_from_db()
    assert untouched.settings["budget"] == "100"
