from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import SpendEntry, Status
from tests.builders import make_project


def url(project) -> str:
    return reverse("spend_create", args=[project.key])


def valid(**overrides) -> dict:
    data = {"spent_on": "2026-01-20", "amount": "1250.50", "category": "compute", "note": "GPUs"}
    data.update(overrides)
    return data


def test_it_requires_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "bob", "adam"])
def test_it_lets_the_researcher_pm_and_admin_record(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(project)).status_code == 200
    response = client.post(url(project), valid())
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    project.refresh_from_db()
    assert project.spend_total == Decimal("1250.50")


def test_it_says_how_a_mistake_is_corrected(client, project, alice):
    # Only an admin corrects recorded spend: the researcher is told so before typing.
    client.force_login(alice)
    assert "To correct a mistake, ask an admin" in client.get(url(project)).content.decode()


@pytest.mark.parametrize("persona", ["rita", "pete", "carol", "erin"])
def test_it_refuses_everyone_else(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), valid()).status_code == 403
    assert not SpendEntry.objects.exists()


def test_it_hides_drafts_of_others(client, alice, rita):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(rita)
    assert client.get(url(draft)).status_code == 404


def test_it_refuses_spend_on_a_draft(client, alice):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    assert client.get(url(draft)).status_code == 403


def test_it_records_the_entry_with_who_recorded_it(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), valid(), follow=True)
    entry = SpendEntry.objects.get()
    assert entry.recorded_by == bob
    assert entry.category == "compute"
    assert entry.note == "GPUs"
    assert "Recorded 1,250.50 of compute spend" in response.content.decode()


def test_it_prefills_today(client, project, alice):
    client.force_login(alice)
    body = client.get(url(project)).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in body


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "Enter an amount of at least 0.01."),
        ({"amount": "-5"}, "amount", "Enter an amount of at least 0.01."),
        ({"amount": "1.234"}, "amount", "Enter an amount with at most 2 decimals, e.g. 1200.50."),
        ({"amount": "lots"}, "amount", "“lots” is not an amount: write it in plain digits"),
        # Not 1,000: a slip.
        ({"amount": "1_000"}, "amount", "“1_000” is not an amount: write it in plain"),
        ({"spent_on": "not a date"}, "spent_on", "Enter a date as YYYY-MM-DD, e.g. "),
        ({"category": "snacks"}, "category", "Select a valid choice"),
        ({"spent_on": "2025-12-31"}, "spent_on", "before the project was submitted (2026-01-05)"),
    ],
)
def test_it_shows_errors_beside_the_field(client, project, alice, data, field, message):
    client.force_login(alice)
    response = client.post(url(project), valid(**data))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not SpendEntry.objects.exists()


def test_it_refuses_a_future_date(client, project, alice):
    client.force_login(alice)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(url(project), valid(spent_on=tomorrow.isoformat()))
    assert response.context["form"].errors["spent_on"] == ["Spend cannot be dated in the future."]
