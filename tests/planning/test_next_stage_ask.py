"""A project's next-stage ask: set by its researcher or product manager until the process ends."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from planning.services import set_next_stage_ask
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry, Status
from tests.builders import make_project
from tests.portfolio.test_unreadable_numbers import amount_refused, refused_beside_it


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
        ("lots", amount_refused("lots", "1000000.50", "1,000,000.50")),
        ("-5", "Enter an amount of at least 0."),
        ("1.234", "Enter an amount with at most 2 decimals, e.g. 1000000.50."),
        ("NaN", amount_refused("NaN", "1000000.50", "1,000,000.50")),
        ("42_000", amount_refused("42_000", "1000000.50", "1,000,000.50")),
    ],
)
def test_bad_input_is_refused_saying_what_to_enter(client, alice, project, value, message):
    """Beside the field what to enter, not its name ("Next-stage ask: cannot be negative."
    was said under the label Ask); the summary names it ("Ask: Enter an amount …")."""
    client.force_login(alice)
    response = client.post(url(project), {"next_stage_ask": value})
    refused_beside_it(response, "next_stage_ask", message, value)
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
