from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate
from portfolio.models import AuditEntry, Status
from tests.builders import add_estimate, make_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

ESTIMATE = {
    "build_cost": "100000",
    "monthly_run_cost": "2000",
    "retraining_cadence": "quarterly",
    "cost_per_retrain": "5000",
    "platform_reused": "Shared inference cluster",
    "build_or_buy_note": "No vendor handles our formats.",
}
# 100000 + 36 × 2000 + 3 × 4 × 5000
TOTAL = "EUR 232,000"


def url(project) -> str:
    return reverse("architecture_estimate_edit", args=[project.key])


def test_it_shows_the_form_to_an_architect(client, project, carol):
    client.force_login(carol)
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="build_cost"' in body
    assert "Three-year total cost" in body
    assert 'hx-trigger="input changed delay:300ms, change"' in body


def test_it_writes_the_estimate_and_shows_the_three_year_total(client, project, carol):
    client.force_login(carol)
    response = client.post(url(project), ESTIMATE)
    assert response.status_code == 302
    estimate = ArchitectureEstimate.objects.get(project=project)
    assert estimate.author == carol
    assert estimate.three_year_total == Decimal("232000")
    body = client.get(response["Location"]).content.decode()
    assert "Architecture estimate saved." in body
    assert f'data-testid="three-year-total">{TOTAL}</strong>' in body


def test_the_live_total_is_a_partial_and_saves_nothing(client, project, carol):
    client.force_login(carol)
    response = client.post(url(project), ESTIMATE | {"preview": "1"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="three-year-total"')
    assert f">{TOTAL}</strong>" in body
    assert not ArchitectureEstimate.objects.exists()


def test_the_live_total_waits_for_complete_numbers(client, project, carol):
    client.force_login(carol)
    body = client.post(url(project), {"build_cost": "100", "preview": "1"}, **HTMX).content.decode()
    assert "fill in the costs to see it" in body


def test_without_javascript_the_total_is_recomputed_on_request(client, project, carol):
    client.force_login(carol)
    response = client.post(url(project), ESTIMATE | {"preview": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert f">{TOTAL}</strong>" in body
    assert not ArchitectureEstimate.objects.exists()


def test_it_revises_the_estimate_and_audits_only_real_changes(client, project, carol):
    client.force_login(carol)
    client.post(url(project), ESTIMATE)
    client.post(url(project), ESTIMATE)  # the same numbers again: no revision
    assert not AuditEntry.objects.filter(action="architectureestimate.revised").exists()
    client.post(url(project), ESTIMATE | {"monthly_run_cost": "2500.50"})
    entry = AuditEntry.objects.get(action="architectureestimate.revised")
    assert entry.changes == {"monthly_run_cost": ["2000.00", "2500.50"]}
    assert ArchitectureEstimate.objects.get().monthly_run_cost == Decimal("2500.50")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"build_cost": "-1"}, "build_cost", "greater than or equal to 0"),
        ({"monthly_run_cost": "abc"}, "monthly_run_cost", "Enter a number"),
        ({"cost_per_retrain": "1.234"}, "cost_per_retrain", "2 decimal places"),
        ({"retraining_cadence": "daily"}, "retraining_cadence", "Select a valid choice"),
        ({"build_cost": ""}, "build_cost", "This field is required"),
    ],
)
def test_it_validates(client, project, carol, changes, field, message):
    client.force_login(carol)
    response = client.post(url(project), ESTIMATE | changes)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert body.index(message) > body.index(f'id="field-{field}"')
    assert not ArchitectureEstimate.objects.exists()


def test_it_requires_login(client, project):
    assert client.get(url(project)).status_code == 302
    assert client.post(url(project), ESTIMATE).status_code == 302


@pytest.mark.parametrize("persona", ["alice", "bob", "erin"])
def test_only_architects_write_it(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(project), ESTIMATE).status_code == 403
    assert client.post(url(project), ESTIMATE | {"preview": "1"}, **HTMX).status_code == 403
    assert not ArchitectureEstimate.objects.exists()


def test_others_read_it_with_its_total(client, project, carol, bob):
    add_estimate(project, carol)
    client.force_login(bob)
    response = client.get(url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="build_cost"' not in body
    assert f">{TOTAL}</strong>" in body


def test_it_hides_drafts(client, alice, bob, carol):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(carol)
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), ESTIMATE).status_code == 404
