"""The outcome form says every problem at once, and asks to confirm a large amount only
for a month that can be recorded; its amounts carry the currency, as the page's do."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from portfolio import services
from portfolio.models import Outcome
from tests.builders import greenlight, make_project

pytestmark = pytest.mark.django_db

FIRST_ALLOWED = "The project was greenlit on 2026-04-15: its outcomes start with May 2026."


@pytest.fixture
def product(alice, bob, carol):
    """Projected at 100,000 to 400,000 a year; greenlit on 15 April, so May is its first month."""
    project = make_project(
        key="GL-0029",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2026, 1, 5),
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 4, 15))


def post(client, project, month: str, value: str, **extra):
    data = {"month": month, "realized_value": value, **extra}
    return client.post(reverse("outcome_create", args=[project.key]), data)


def test_a_month_before_the_first_is_said_at_once_and_no_confirmation_is_asked(
    client, bob, product
):
    client.force_login(bob)

    response = post(client, product, "2026-04", "500000")

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["month"] == [FIRST_ALLOWED]
    assert "realized_value" not in form.errors
    page = response.content.decode()
    assert 'name="confirm_value"' not in page
    assert not Outcome.objects.exists()


def test_a_month_already_recorded_is_said_at_once_and_no_confirmation_is_asked(
    client, bob, product
):
    services.record_outcome(
        project=product, actor=bob, month=datetime.date(2026, 5, 1), realized_value=Decimal(1)
    )
    client.force_login(bob)

    response = post(client, product, "2026-05", "500000")

    form = response.context["form"]
    assert form.errors["month"] == ["2026-05 already has an outcome for this project."]
    assert "realized_value" not in form.errors
    assert 'name="confirm_value"' not in response.content.decode()


def test_a_tick_is_kept_while_another_problem_is_corrected(client, bob, product):
    client.force_login(bob)

    response = post(
        client, product, "2026-04", "500000", confirm_value="on", confirmed_value="500000.00"
    )

    assert response.context["form"].errors["month"] == [FIRST_ALLOWED]
    assert 'id="id_confirm_value" checked' in response.content.decode()

    response = post(
        client, product, "2026-05", "500000", confirm_value="on", confirmed_value="500000.00"
    )

    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("500000.00")


def test_a_large_amount_for_a_month_that_can_be_recorded_is_confirmed_with_the_currency(
    client, bob, product
):
    client.force_login(bob)

    response = post(client, product, "2026-05", "500000")

    form = response.context["form"]
    assert form.errors["realized_value"] == [
        "EUR 500,000.00 in one month is more than the high projection for a whole year "
        "(EUR 400,000.00). Check the amount; if it is right, tick “Yes, this amount is right” "
        "and record it again."
    ]
    page = response.content.decode()
    assert "EUR 500,000.00 in one month is more than GL-0029's high projection" in page
    assert "(EUR 400,000.00)" in page


def test_the_recorded_message_names_the_currency(client, bob, product):
    client.force_login(bob)

    response = post(client, product, "2026-08", "300000")

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Recorded EUR 300,000.00 realized in August 2026."
    ]


def confirmed_value(page: str) -> str | None:
    found = re.search(r'<input type="hidden" name="confirmed_value" value="([^"]*)">', page)
    return found.group(1) if found else None


def test_the_tick_carries_the_amount_it_confirms(client, bob, product):
    client.force_login(bob)

    page = post(client, product, "2026-05", "500000").content.decode()

    assert confirmed_value(page) == "500000.00"
    response = post(
        client, product, "2026-05", "500000", confirm_value="on", confirmed_value="500000.00"
    )
    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("500000.00")


def test_an_amount_changed_after_the_tick_is_asked_about_again_and_not_recorded(
    client, bob, product
):
    """The tick was given for 500,000 (kept while the month was corrected); the amount was
    then changed to 5,000,000 with the tick still on: that amount was never confirmed."""
    client.force_login(bob)

    response = post(
        client, product, "2026-05", "5000000", confirm_value="on", confirmed_value="500000.00"
    )

    assert response.status_code == 400
    assert not Outcome.objects.exists()
    form = response.context["form"]
    assert form.errors["realized_value"] == [
        "“Yes, this amount is right” was ticked for another amount. EUR 5,000,000.00 in "
        "one month is more than the high projection for a whole year (EUR 400,000.00). Check "
        "the amount; if it is right, tick “Yes, this amount is right” and record it again."
    ]
    page = response.content.decode()
    assert 'name="confirm_value"' in page
    assert 'id="id_confirm_value" checked' not in page  # unticked: asked again
    assert "EUR 5,000,000.00 in one month is more than GL-0029's high projection" in page
    assert confirmed_value(page) == "5000000.00"

    response = post(
        client, product, "2026-05", "5000000", confirm_value="on", confirmed_value="5000000.00"
    )
    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("5000000.00")


def test_a_tick_without_the_amount_it_confirms_is_not_a_confirmation(client, bob, product):
    client.force_login(bob)

    response = post(client, product, "2026-05", "500000", confirm_value="on")

    assert response.status_code == 400
    assert "was ticked for another amount" in response.context["form"].errors["realized_value"][0]
    assert not Outcome.objects.exists()


def test_the_same_amount_written_otherwise_keeps_its_tick(client, bob, product):
    client.force_login(bob)

    response = post(
        client, product, "2026-05", "500000.0", confirm_value="on", confirmed_value="500000.00"
    )

    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("500000.00")


def test_an_amount_changed_below_the_line_needs_no_tick(client, bob, product):
    client.force_login(bob)

    response = post(
        client, product, "2026-05", "300000", confirm_value="on", confirmed_value="500000.00"
    )

    assert response.status_code == 302
    assert Outcome.objects.get().realized_value == Decimal("300000.00")


def test_the_page_names_the_projected_range(client, bob, product):
    client.force_login(bob)
    page = client.get(reverse("outcome_create", args=[product.key])).content.decode()
    text = re.sub(r"\s+", " ", page)
    assert (
        "Projected for a year: low EUR 100,000.00, expected EUR 250,000.00, high "
        "EUR 400,000.00. A month above the high projection for a whole year is recorded once "
        "you confirm it."
    ) in text


def test_month_and_value_are_not_set_side_by_side(client, bob, product):
    """A long message beside the value pushed the month out of line: one field a row."""
    client.force_login(bob)
    page = post(client, product, "2026-05", "500000").content.decode()
    start = page.index(f'action="{reverse("outcome_create", args=[product.key])}"')
    form = page[start : page.index("</form>", start)]
    assert 'id="field-realized_value"' in form
    assert "form-row" not in form
