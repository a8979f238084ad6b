"""The money fields of the pages read an amount as the planner does: a comma only between
thousands (``1,200``, ``12,345,678.50``), anything else refused saying where a comma may go
(``portfolio.money.without_thousands_separators``), the text shown back.

Before, ``1,200`` typed in a spend, a proposal's projection, a decision's funding, an estimate's
cost or a month's realized value was refused ("Amount: write the amount in plain digits, e.g.
1200.50."), where the planning page and the next-stage ask took it as 1200. A percentage's range
message said no range to enter beside the field, then named it ("Probability of success (%):
between 0 and 100."); it says what to enter, the summary putting the label before it.
"""

from __future__ import annotations

import datetime
import html
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from gates.models import ArchitectureEstimate, GateDecision
from portfolio.forms import MoneyField, PercentField
from portfolio.models import Outcome, Project, SpendEntry
from tests.builders import decide, greenlight, make_project
from tests.gates.test_decision_create import post_data
from tests.portfolio.test_proposal_create import valid
from tests.portfolio.test_unreadable_numbers import amount_refused, refused_beside_it


def comma_message(typed: str) -> str:
    return amount_refused(typed)


# --- The field ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,200", "1200.00"),
        ("1,200.50", "1200.50"),
        ("12,345,678.50", "12345678.50"),
        (" 1,000,000 ", "1000000.00"),
        ("+1,000", "1000.00"),
        ("9,999,999,999,999.99", "9999999999999.99"),
        ("1200.50", "1200.50"),
    ],
)
def test_a_comma_between_thousands_is_read(typed, read):
    assert MoneyField(label="Amount").clean(typed) == Decimal(read)


@pytest.mark.parametrize(
    "typed",
    ["1000,50", "12,50", "2,5", "1,00", "0,1", "1,0000", "10,00,000", "1,000,00", "1,000.5,0",
     ",500", "1,000,", "1,,000", "01,000"],
)  # fmt: skip
def test_a_comma_anywhere_else_is_refused_saying_where_a_comma_goes(typed):
    with pytest.raises(forms.ValidationError) as refused:
        MoneyField(label="Build cost").clean(typed)
    assert refused.value.messages == [comma_message(typed)]


@pytest.mark.parametrize("typed", ["1e6", "1,000e3", "1,000.5E2"])
def test_an_exponent_is_still_refused(typed):
    with pytest.raises(forms.ValidationError) as refused:
        MoneyField(label="Amount").clean(typed)
    assert refused.value.messages == ["Write the amount in plain digits, e.g. 1000000 (not 1e6)."]


def test_what_the_planner_refuses_the_field_refuses():
    from planning.inputs import WRITTEN, read_number
    from portfolio.errors import DomainError

    for typed in ["1,200", "1,200.50", "12,345,678.50", "1000,50", "2,5", "1,00", "1_000", "1e6"]:
        try:
            read_number(typed, written=WRITTEN["budget"], label="Budget")
        except DomainError:
            planner = None
        else:
            planner = "read"
        try:
            MoneyField(label="Amount").clean(typed)
        except forms.ValidationError:
            field = None
        else:
            field = "read"
        assert field == planner, typed


def test_more_than_the_largest_amount_grouped_in_thousands_is_refused_for_its_size():
    with pytest.raises(forms.ValidationError) as refused:
        MoneyField(label="Amount").clean("10,000,000,000,000")
    assert refused.value.messages == [
        "Enter an amount of at most 9,999,999,999,999.99 (13 digits before the decimal point)."
    ]


# --- The pages ---------------------------------------------------------------------------------


@pytest.fixture
def product(alice, bob, carol):
    """Greenlit on 15 April 2026: outcomes start with May 2026."""
    project = make_project(
        key="GL-0032", researcher=alice, product_manager=bob, submitted_on=datetime.date(2026, 1, 5)
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 4, 15))


@pytest.mark.django_db
def test_a_spend_grouped_in_thousands_is_recorded(client, alice, project):
    client.force_login(alice)
    data = {"spent_on": "2026-02-02", "category": "compute", "amount": "1,200.50"}
    response = client.post(reverse("spend_create", args=[project.key]), data)
    assert response.status_code == 302
    assert [e.amount for e in SpendEntry.objects.all()] == [Decimal("1200.50")]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1000,50", "12,50"])
def test_a_spend_with_a_decimal_comma_is_refused_and_shown_back(client, alice, project, typed):
    client.force_login(alice)
    data = {"spent_on": "2026-02-02", "category": "compute", "amount": typed}
    response = client.post(reverse("spend_create", args=[project.key]), data)
    refused_beside_it(response, "amount", comma_message(typed), typed)
    assert not SpendEntry.objects.exists()


@pytest.mark.django_db
def test_a_realized_value_grouped_in_thousands_is_recorded(client, bob, product):
    client.force_login(bob)
    data = {"month": "2026-05", "realized_value": "12,000"}
    response = client.post(reverse("outcome_create", args=[product.key]), data)
    assert response.status_code == 302, response.content.decode()
    assert [o.realized_value for o in Outcome.objects.all()] == [Decimal("12000.00")]


@pytest.mark.django_db
def test_a_realized_value_confirmed_grouped_in_thousands_is_recorded(client, bob, product):
    """The tick confirms 1,600,000 typed with separators as the amount 1600000 it asked about."""
    client.force_login(bob)
    url = reverse("outcome_create", args=[product.key])
    data = {
        "month": "2026-05",
        "realized_value": "1,600,000",
        "confirm_value": "on",
        "confirmed_value": "1600000.00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert [o.realized_value for o in Outcome.objects.all()] == [Decimal("1600000.00")]


@pytest.mark.django_db
def test_a_realized_value_with_a_decimal_comma_is_refused(client, bob, product):
    client.force_login(bob)
    data = {"month": "2026-05", "realized_value": "1000,50"}
    response = client.post(reverse("outcome_create", args=[product.key]), data)
    refused_beside_it(response, "realized_value", comma_message("1000,50"), "1000,50")
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_a_proposal_s_projections_grouped_in_thousands_are_saved(client, alice, bob):
    client.force_login(alice)
    data = valid(
        bob, projected_low="100,000", projected_expected="250,000.50", projected_high="400,000"
    )
    response = client.post(reverse("proposal_create"), data)
    assert response.status_code == 302
    project = Project.objects.get(key="CHURN-26")
    assert project.projected_low == Decimal("100000.00")
    assert project.projected_expected == Decimal("250000.50")


@pytest.mark.django_db
def test_a_proposal_s_projection_with_a_decimal_comma_is_refused(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob, projected_high="400000,50"))
    refused_beside_it(response, "projected_high", comma_message("400000,50"), "400000,50")
    assert not Project.objects.filter(key="CHURN-26").exists()


@pytest.mark.django_db
def test_a_decision_s_funding_grouped_in_thousands_is_recorded(client, project, bob):
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]), post_data(funding_granted="25,000")
    )
    assert response.status_code == 302
    assert GateDecision.objects.get().funding_granted == Decimal("25000.00")


@pytest.mark.django_db
def test_a_decision_s_funding_with_a_decimal_comma_is_refused(client, project, bob):
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]), post_data(funding_granted="25000,50")
    )
    refused_beside_it(response, "funding_granted", comma_message("25000,50"), "25000,50")
    assert not GateDecision.objects.exists()


ESTIMATE = {
    "build_cost": "100,000",
    "monthly_run_cost": "2,000.50",
    "retraining_cadence": "quarterly",
    "cost_per_retrain": "5000",
    "platform_reused": "",
    "build_or_buy_note": "",
}


@pytest.mark.django_db
def test_an_estimate_s_costs_grouped_in_thousands_are_saved(client, project, carol):
    decide(project, 1, "go")
    client.force_login(carol)
    response = client.post(reverse("architecture_estimate_edit", args=[project.key]), ESTIMATE)
    assert response.status_code == 302
    estimate = ArchitectureEstimate.objects.get()
    assert (estimate.build_cost, estimate.monthly_run_cost) == (
        Decimal("100000.00"),
        Decimal("2000.50"),
    )


@pytest.mark.django_db
def test_an_estimate_s_cost_with_a_decimal_comma_is_refused(client, project, carol):
    decide(project, 1, "go")
    client.force_login(carol)
    url = reverse("architecture_estimate_edit", args=[project.key])
    response = client.post(url, ESTIMATE | {"cost_per_retrain": "5,0"})
    refused_beside_it(response, "cost_per_retrain", comma_message("5,0"), "5,0")
    assert not ArchitectureEstimate.objects.exists()


# --- A percentage's messages say what to enter --------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("150", "Enter a number from 0 to 100."),
        ("-1", "Enter a number from 0 to 100."),
        ("35.125", "Enter a number with at most two decimals, e.g. 35.25."),
        ("1000.5", "Enter a number from 0 to 100."),
    ],
)
def test_a_percentage_s_messages_say_what_to_enter(typed, message):
    with pytest.raises(forms.ValidationError) as refused:
        PercentField(label="Probability of success (%)").clean(typed)
    assert refused.value.messages == [message]


@pytest.mark.django_db
def test_a_decision_s_percentage_out_of_range_says_what_to_enter(client, project, bob):
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]), post_data(probability_of_success="140")
    )
    refused_beside_it(response, "probability_of_success", "Enter a number from 0 to 100.", "140")
    body = html.unescape(response.content.decode())
    assert "between 0 and 100" not in body
    assert not GateDecision.objects.exists()
