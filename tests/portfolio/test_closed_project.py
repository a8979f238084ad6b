"""A closed project shows what it came to; no spend dated after a kill; the first outcome month is named."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio import process
from portfolio.errors import DomainError
from portfolio.models import SpendEntry
from tests.builders import decide, greenlight, make_project, record_outcome, record_spend

pytestmark = pytest.mark.django_db


def page(client, project) -> str:
    return client.get(reverse("project_detail", args=[project.key])).content.decode()


@pytest.fixture
def killed(project):
    record_spend(project, datetime.date(2026, 1, 20), "1200.50")
    decide(project, 1, "kill", decided_on=datetime.date(2026, 2, 3), rationale="No data.")
    project.refresh_from_db()
    return project


@pytest.fixture
def today(monkeypatch):
    """Sets the app's today (timezone.localdate) for a test."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kw: day)

    return set_today


def test_a_killed_project_shows_its_outcome_spend_and_sunk_cost(client, killed, bob):
    client.force_login(bob)
    body = page(client, killed)
    summary = body[body.index('class="closed-summary"') :]
    summary = summary[: summary.index("</section>")]
    assert "Killed" in summary and "2026-02-03" in summary
    assert "Sunk cost" in summary and "1,201" in summary
    # Not what an open project shows.
    assert "Probability of success" not in body
    assert "Next-stage ask" not in body
    assert "Needed for gate" not in body


def test_a_killed_projects_review_shows_no_probability_nor_ecv(client, killed, bob):
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[killed.key])).content.decode()
    assert "Sunk cost" in body
    assert "Probability of success" not in body
    assert "Expected commercial value" not in body
    assert "A go needs" not in body


def test_no_spend_dated_after_a_kill_is_recorded(client, killed, alice):
    with pytest.raises(
        DomainError,
        match=f"{killed.key} was killed on 2026-02-03: spend dated after the kill is not recorded",
    ):
        record_spend(killed, datetime.date(2026, 2, 4), "10")
    client.force_login(alice)
    url = reverse("spend_create", args=[killed.key])
    response = client.post(url, {"spent_on": "2026-02-10", "amount": "10", "category": "compute"})
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        f"{killed.key} was killed on 2026-02-03: spend dated after the kill is not recorded."
        in body
    )
    assert SpendEntry.objects.filter(project=killed).count() == 1


def test_a_late_invoice_dated_up_to_the_kill_is_recorded_as_sunk_cost(client, killed, alice):
    client.force_login(alice)
    assert ">Record spend</a>" in page(client, killed)
    url = reverse("spend_create", args=[killed.key])
    form = client.get(url).content.decode()
    assert f"{killed.key} was killed on 2026-02-03: spend dated on or before that day is" in form
    assert 'value="2026-02-03"' in form  # the form starts at the kill's day
    for day in ("2026-01-25", "2026-02-03"):  # before the kill, and on its day
        response = client.post(url, {"spent_on": day, "amount": "100", "category": "compute"})
        assert response.status_code == 302, response.content.decode()
    killed.refresh_from_db()
    assert killed.spend_total == Decimal("1400.50")
    summary = page(client, killed)
    summary = summary[summary.index('class="closed-summary"') :]
    assert "Sunk cost" in summary and "1,401" in summary[: summary.index("</section>")]


def test_a_greenlit_project_shows_realized_against_projected(client, project, bob, carol):
    greenlit = greenlight(project, bob, carol, on=datetime.date(2026, 1, 20))
    for month, value in ((2, "20000"), (3, "22000"), (4, "24000")):
        record_outcome(greenlit, datetime.date(2026, month, 1), value)
    client.force_login(bob)
    body = page(client, greenlit)
    summary = body[body.index('class="closed-summary"') :]
    summary = summary[: summary.index("</section>")]
    assert "Greenlit" in summary
    assert "Realized against projected" in summary
    assert "264,000" in summary  # 12 × the mean of 22,000
    assert "250,000" in summary and "106%" in summary
    assert "Probability of success" not in body


def test_on_the_day_of_greenlight_the_page_says_when_outcomes_start(
    client, alice, bob, carol, today
):
    today(datetime.date(2026, 3, 17))
    project = make_project(researcher=alice, product_manager=bob)
    greenlit = greenlight(project, bob, carol, on=datetime.date(2026, 3, 17))
    client.force_login(bob)
    body = page(client, greenlit)
    assert "The first outcome month is April 2026: it can be recorded from 2026-04-01" in body
    assert ">Record outcome</a>" not in body
    form = client.get(reverse("outcome_create", args=[greenlit.key])).content.decode()
    assert "The first outcome month is April 2026" in form
    assert 'name="realized_value"' not in form

    today(datetime.date(2026, 4, 1))
    assert ">Record outcome</a>" in page(client, greenlit)
    response = client.post(
        reverse("outcome_create", args=[greenlit.key]),
        {"month": "2026-04", "realized_value": "1000"},
    )
    assert response.status_code == 302


def test_greenlit_on_the_first_counts_that_month(client, alice, bob, carol, today):
    today(datetime.date(2026, 3, 1))
    project = make_project(researcher=alice, product_manager=bob)
    greenlit = greenlight(project, bob, carol, on=datetime.date(2026, 3, 1))
    outcome = record_outcome(greenlit, datetime.date(2026, 3, 1), "500")
    assert outcome.realized_value == Decimal("500")


def test_a_month_before_the_first_is_refused_naming_the_first(project, bob, carol):
    greenlit = greenlight(project, bob, carol, on=datetime.date(2026, 3, 17))
    with pytest.raises(DomainError, match="its outcomes start with April 2026"):
        record_outcome(greenlit, datetime.date(2026, 3, 1), "500")


@pytest.mark.parametrize(
    ("greenlit_on", "first"),
    [
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 1)),
        (datetime.date(2026, 3, 2), datetime.date(2026, 4, 1)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)),
    ],
)
def test_the_first_outcome_month(greenlit_on, first):
    assert process.first_outcome_month(greenlit_on) == first
