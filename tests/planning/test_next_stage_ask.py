"""A project's next-stage ask: set by its researcher or product manager until the process ends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from planning.services import set_next_stage_ask
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry, Status
from tests.builders import make_project


def url(project) -> str:
    return reverse("next_stage_ask_edit", args=[project.key])


def test_the_researcher_sets_the_ask(client, alice, project):
    client.force_login(alice)
    response = client.post(url(project), {"next_stage_ask": "125,000.50"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.next_stage_ask == Decimal("125000.50")
    entry = AuditEntry.objects.get(action="project.next_stage_ask_set")
    assert entry.changes == {"next_stage_ask": [None, "125000.50"]}
    assert entry.summary == f"{project.key}: next-stage ask set to EUR 125,000.50"


def test_the_product_manager_clears_it(client, bob, project):
    project.next_stage_ask = Decimal("1000")
    project.save()
    client.force_login(bob)
    client.post(url(project), {"next_stage_ask": ""})
    project.refresh_from_db()
    assert project.next_stage_ask is None


def test_it_shows_on_the_project_page_and_gate_review(client, bob, project):
    project.next_stage_ask = Decimal("42000")
    project.save()
    client.force_login(bob)
    page = client.get(reverse("project_detail", args=[project.key])).content.decode()
    assert "Next-stage ask" in page and "42,000" in page
    assert "calibrated" in page and "0 forecasts" in page
    review = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert "42,000" in review and "funding granted so far" in review


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "lots",
            "Next-stage ask: lots is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
        ("-5", "Next-stage ask: cannot be negative."),
        ("1.234", "Next-stage ask: at most 2 decimal places."),
        ("NaN", "NaN is not an amount"),
        (
            "42_000",
            "Next-stage ask: 42_000 is not an amount: write it in plain digits with a point for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message(client, alice, project, value, message):
    client.force_login(alice)
    response = client.post(url(project), {"next_stage_ask": value})
    assert response.status_code == 400
    assert message in response.content.decode()
    project.refresh_from_db()
    assert project.next_stage_ask is None


def test_it_is_closed_once_the_process_ends(alice, bob):
    project = make_project(researcher=alice, product_manager=bob, status=Status.KILLED)
    with pytest.raises(PermissionDenied):
        set_next_stage_ask(project=project, ask=Decimal(1), actor=alice)


def test_someone_elses_project_is_refused(rita, project):
    with pytest.raises(PermissionDenied):
        set_next_stage_ask(project=project, ask=Decimal(1), actor=rita)


def test_the_service_refuses_a_negative_ask(alice, project):
    with pytest.raises(DomainError):
        set_next_stage_ask(project=project, ask=Decimal(-1), actor=alice)
