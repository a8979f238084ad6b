from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Outcome
from tests.builders import greenlight


def url(project) -> str:
    return reverse("outcome_create", args=[project.key])


@pytest.fixture
def greenlit(project, bob, carol):
    return greenlight(project, bob, carol)


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def test_it_requires_login(client, greenlit):
    response = client.get(url(greenlit))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["bob", "erin", "adam"])
def test_it_lets_the_pm_executives_and_admins_record(client, greenlit, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(greenlit)).status_code == 200
    response = client.post(
        url(greenlit), {"month": f"{this_month():%Y-%m}", "realized_value": "5000"}
    )
    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert outcome.month == this_month()
    assert outcome.realized_value == Decimal(5000)


@pytest.mark.parametrize("persona", ["alice", "pete", "carol", "rita"])
def test_it_refuses_everyone_else(client, greenlit, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(greenlit)).status_code == 403


def test_it_refuses_a_project_that_is_not_greenlit(client, project, bob):
    client.force_login(bob)
    assert client.get(url(project)).status_code == 403


def test_it_accepts_a_full_date_as_its_month(client, greenlit, bob):
    client.force_login(bob)
    client.post(url(greenlit), {"month": f"{this_month():%Y-%m}-01", "realized_value": "1"})
    assert Outcome.objects.get().month == this_month()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "March"}, "month", "Enter a month as YYYY-MM"),
        ({"realized_value": "-1"}, "realized_value", "Enter an amount of at least 0."),
        ({"month": "2026-01"}, "month", "The project was greenlit on 2026-01-05"),
        ({"month": "2999-01"}, "month", "That month has not started yet."),
    ],
)
def test_it_shows_errors_beside_the_field(client, greenlit, bob, data, field, message):
    client.force_login(bob)
    posted = {"month": f"{this_month():%Y-%m}", "realized_value": "10", **data}
    response = client.post(url(greenlit), posted)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])


def test_it_refuses_a_second_outcome_for_a_month(client, greenlit, bob):
    client.force_login(bob)
    posted = {"month": f"{this_month():%Y-%m}", "realized_value": "10"}
    client.post(url(greenlit), posted)
    response = client.post(url(greenlit), posted)
    assert response.status_code == 400
    assert "already has an outcome" in response.context["form"].errors["month"][0]


def test_the_project_page_shows_r_to_the_cent_when_it_is_not_whole(client, greenlit, bob):
    # Three months of 1,000.01: R = 12 × 3,000.03 ÷ 3 = 12,000.12, an exact fraction with cents.
    first = greenlit.last_decision_on.replace(day=1)
    for offset in (1, 2, 3):
        month = (first + datetime.timedelta(days=32 * offset)).replace(day=1)
        Outcome.objects.create(project=greenlit, month=month, realized_value=Decimal("1000.01"))
    client.force_login(bob)
    page = client.get(reverse("project_detail", args=[greenlit.key])).content.decode()
    assert "Annualized realized value R = <strong>EUR 12,000.12</strong>" in page
