"""An admin's correction that raises an outcome month above the project's high projection
for a whole year is kept only once “Yes, this amount is right” is ticked, as the outcome
form asks it; a correction checks a value by the same rules as recording one."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio import money, services
from portfolio.errors import DomainError
from portfolio.models import AuditEntry, Outcome
from portfolio.services.spend import check_outcome
from tests.builders import greenlight, make_project

FEB = datetime.date(2026, 2, 1)
UNCONFIRMED = (
    "EUR 1,000,000.00 in one month is more than GL-0060's high projection for a whole year "
    "(EUR 400,000.00). Check the amount; if it is right, tick “Yes, this amount is right”."
)
CHECKBOX = 'type="checkbox" name="confirm_value"'


@pytest.fixture
def product(alice, bob, carol):
    """Projected at 100,000 to 400,000 a year; greenlit on the first of January."""
    project = make_project(
        key="GL-0060",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2025, 12, 1),
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 1, 1))


@pytest.fixture
def outcome(product, bob) -> Outcome:
    return services.record_outcome(
        project=product, actor=bob, month=FEB, realized_value=Decimal("100000.00")
    )


def change_url(outcome: Outcome) -> str:
    return reverse("admin:portfolio_outcome_change", args=[outcome.pk])


# --- The admin ---------------------------------------------------------------------------------


def test_the_admin_asks_before_it_raises_a_month_above_a_year_s_high_projection(
    client, adam, outcome
):
    client.force_login(adam)
    assert CHECKBOX not in client.get(change_url(outcome)).content.decode()

    response = client.post(change_url(outcome), {"realized_value": "1000000.00"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["confirm_value"] == [UNCONFIRMED]
    page = response.content.decode()
    assert CHECKBOX in page
    assert '<label class="vCheckboxLabel" for="id_confirm_value">Yes, this amount is right' in page
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("100000.00")
    assert not AuditEntry.objects.filter(action="outcome.corrected").exists()

    assert 'name="confirmed_value" value="1000000.00"' in page
    response = client.post(
        change_url(outcome),
        {"realized_value": "1000000.00", "confirm_value": "on", "confirmed_value": "1000000.00"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("1000000.00")
    entry = AuditEntry.objects.get(action="outcome.corrected")
    assert entry.changes == {"realized_value": ["100000.00", "1000000.00"]}


def test_the_admin_keeps_a_tick_while_the_value_is_corrected(client, adam, outcome):
    client.force_login(adam)

    response = client.post(
        change_url(outcome),
        {
            "realized_value": "99999999999999",
            "confirm_value": "on",
            "confirmed_value": "99999999999999",
        },
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "confirm_value" not in form.errors  # the value is wrong before it is large
    assert 'name="confirm_value" id="id_confirm_value" checked' in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("100000.00")


def test_a_tick_given_for_one_amount_does_not_keep_another(client, adam, outcome):
    """Asked about 1,000,000, ticked, then 2,000,000 typed with the tick still on: the new
    amount is asked about again, not saved on the old confirmation."""
    client.force_login(adam)
    asked = client.post(change_url(outcome), {"realized_value": "1000000.00"}).content.decode()
    assert 'name="confirmed_value" value="1000000.00"' in asked

    response = client.post(
        change_url(outcome),
        {"realized_value": "2000000.00", "confirm_value": "on", "confirmed_value": "1000000.00"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["confirm_value"] == [
        "“Yes, this amount is right” was ticked for another amount. "
        + UNCONFIRMED.replace("1,000,000.00", "2,000,000.00")
    ]
    page = response.content.decode()
    assert CHECKBOX in page
    assert 'id="id_confirm_value" checked' not in page
    assert 'name="confirmed_value" value="2000000.00"' in page
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("100000.00")
    assert not AuditEntry.objects.filter(action="outcome.corrected").exists()

    response = client.post(
        change_url(outcome),
        {"realized_value": "2000000.00", "confirm_value": "on", "confirmed_value": "2000000.00"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("2000000.00")


def test_a_tick_sent_without_its_amount_confirms_nothing(client, adam, outcome):
    client.force_login(adam)

    response = client.post(
        change_url(outcome), {"realized_value": "1000000.00", "confirm_value": "on"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["confirm_value"] == [
        "“Yes, this amount is right” was ticked for another amount. " + UNCONFIRMED
    ]
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("100000.00")


def test_the_admin_lowers_a_large_month_without_asking(client, adam, product, bob):
    large = services.record_outcome(
        project=product, actor=bob, month=FEB, realized_value=Decimal(1000000), confirm_value=True
    )
    client.force_login(adam)

    # Still above the year's projection, but lower: a correction of a confirmed month.
    response = client.post(change_url(large), {"realized_value": "500000.00"})

    assert response.status_code == 302, response.content.decode()[:2000]
    large.refresh_from_db()
    assert large.realized_value == Decimal("500000.00")


# --- The service -------------------------------------------------------------------------------


def test_a_correction_raising_a_month_above_a_year_s_projection_needs_confirm_value(adam, outcome):
    with pytest.raises(DomainError) as refused:
        services.change_outcome(outcome=outcome, actor=adam, realized_value=Decimal(1000000))
    assert refused.value.field == "confirm_value"
    assert refused.value.message == UNCONFIRMED
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("100000.00")

    services.change_outcome(
        outcome=outcome, actor=adam, realized_value=Decimal(1000000), confirm_value=True
    )
    outcome.refresh_from_db()
    assert outcome.realized_value == Decimal("1000000.00")


def test_recording_a_month_above_a_year_s_projection_needs_confirm_value(bob, product):
    with pytest.raises(DomainError) as refused:
        services.record_outcome(
            project=product, actor=bob, month=FEB, realized_value=Decimal(1000000)
        )
    assert refused.value.field == "confirm_value"
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Realized value cannot be negative."),
        ("12.345", "Realized value: at most 2 decimal places."),
        ("99999999999999", money.too_large_message("Realized value")),
    ],
)
def test_a_value_is_checked_alike_when_recorded_and_when_corrected(
    adam, outcome, product, value, message
):
    with pytest.raises(DomainError) as corrected:
        services.change_outcome(outcome=outcome, actor=adam, realized_value=Decimal(value))
    with pytest.raises(DomainError) as checked:
        check_outcome(project=product, month=None, realized_value=Decimal(value))

    assert [(p.field, p.message) for p in corrected.value.problems] == [("realized_value", message)]
    assert [(p.field, p.message) for p in checked.value.problems] == [("realized_value", message)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # The admin's number field says what to enter; a negative value is the service's to
        # refuse, in its words (above).
        ("242000.011", "Enter an amount with at most 2 decimals, e.g. 1200.50."),
        ("-5", "Realized value cannot be negative."),
    ],
)
def test_the_admin_refuses_a_value_in_the_app_s_words(client, adam, outcome, value, message):
    client.force_login(adam)

    response = client.post(change_url(outcome), {"realized_value": value})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["realized_value"] == [message]


def test_a_refused_correction_is_headed_by_the_month_as_it_is_saved(client, adam, outcome):
    """The unsaved value is not in the heading, the breadcrumb or the title."""
    client.force_login(adam)

    response = client.post(change_url(outcome), {"realized_value": "1000000.00"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "GL-0060 2026-02 1000000" not in page
    assert str(Outcome.objects.get(pk=outcome.pk)) == "GL-0060 2026-02 100000.00"
    assert "<h2>GL-0060 2026-02 100000.00</h2>" in page
    assert '<li aria-current="page">GL-0060 2026-02 100000.00</li>' in page
    assert "<title>Error: GL-0060 2026-02 100000.00 |" in page
