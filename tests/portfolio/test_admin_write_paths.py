"""Every write the admin makes goes through a service, or the admin shows the model read-only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import FeasibilityStudy
from portfolio import services
from portfolio.models import Artifact, AuditEntry, Outcome, Project, SpendEntry
from tests.builders import greenlight, make_user


@pytest.fixture
def root(db):
    return make_user("root@example.com", is_superuser=True, is_staff=True)


def _spend(project, **extra) -> dict:
    data = {
        "project": project.pk,
        "spent_on": "2026-02-03",
        "amount": "120.00",
        "category": "compute",
        "note": "",
    }
    data.update(extra)
    return data


def test_refused_spend_in_the_admin_is_not_reported_as_added(client, adam, project):
    client.force_login(adam)
    response = client.post(
        reverse("admin:portfolio_spendentry_add"), _spend(project, spent_on="2025-01-01")
    )
    assert response.status_code == 200  # the form again
    body = response.content.decode()
    assert "cannot be before the project was submitted" in body
    assert "added successfully" not in body
    assert not SpendEntry.objects.exists()
    assert "/spendentry/None/" not in body


def test_spend_added_in_the_admin_goes_through_the_service(client, adam, project):
    client.force_login(adam)
    response = client.post(reverse("admin:portfolio_spendentry_add"), _spend(project))
    assert response.status_code == 302
    entry = SpendEntry.objects.get()
    assert entry.recorded_by == adam
    project.refresh_from_db()
    assert project.spend_total == Decimal("120.00")
    assert AuditEntry.objects.filter(action="spend.recorded", actor=adam).exists()


def test_a_refused_spend_correction_changes_nothing(client, adam, alice, project):
    entry = services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 3),
        amount=Decimal("50.00"),
        category="data",
    )
    client.force_login(adam)
    response = client.post(
        reverse("admin:portfolio_spendentry_change", args=[entry.pk]),
        _spend(project, spent_on="2025-01-01"),
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.spent_on == datetime.date(2026, 2, 3) and entry.amount == Decimal("50.00")


def test_outcomes_are_read_only_in_the_admin(client, root, bob, carol, project):
    greenlit = greenlight(project, bob, carol)
    client.force_login(root)
    response = client.post(
        reverse("admin:portfolio_outcome_add"),
        {"project": greenlit.pk, "month": "2026-03-15", "realized_value": "1000"},
    )
    assert response.status_code == 403
    assert not Outcome.objects.exists()


def test_artifacts_and_deliverables_are_read_only_in_the_admin(client, root, project, alice):
    Artifact.objects.create(
        project=project,
        key="AR-0001",
        kind="model",
        name="Triage",
        created_on=datetime.date(2026, 2, 1),
    )
    FeasibilityStudy.objects.create(
        project=project,
        author=alice,
        findings="x",
        hypothesis_held="yes",
        evidence="y",
        confidence="high",
        recommended_next_step="continue",
    )
    client.force_login(root)
    for name in ("portfolio_artifact_add", "gates_feasibilitystudy_add"):
        assert client.get(reverse(f"admin:{name}")).status_code == 403


def test_a_project_correction_in_the_admin_goes_through_the_service(client, adam, project, rita):
    client.force_login(adam)
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(
        {
            "title": "A better title",
            "product_manager": str(rita.pk),  # a researcher, not a product manager
            "audit_entries-TOTAL_FORMS": "0",
            "audit_entries-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "is not a product manager" in response.content.decode()
    project.refresh_from_db()
    assert project.title != "A better title"

    data["product_manager"] = str(project.product_manager_id)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    project.refresh_from_db()
    assert project.title == "A better title"
    assert AuditEntry.objects.filter(action="project.corrected", actor=adam).exists()


def test_projects_are_not_added_in_the_admin(client, root):
    client.force_login(root)
    assert client.get(reverse("admin:portfolio_project_add")).status_code == 403
    assert not Project.objects.exists()


def test_an_active_project_gets_no_outcome_through_any_path(client, root, project):
    """The headline counted an outcome the admin saved on an active project, mid-month."""
    client.force_login(root)
    client.post(
        reverse("admin:portfolio_outcome_add"),
        {"project": project.pk, "month": "2026-03-15", "realized_value": "1000"},
    )
    assert not Outcome.objects.exists()
