"""The plan settings an admin edits: the planning page's defaults, changed with an audit entry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from planning.models import PlanSettings
from planning.services import update_plan_settings
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry

FORM = {
    "budget": "2500000",
    "horizon": "5",
    "discount_rate": "0.08",
    "target_efficiency": "0.5",
    "target_revenue": "",
    "target_new_category": "0.25",
}


def test_an_admin_changes_the_defaults_in_the_admin(client, adam):
    client.force_login(adam)
    response = client.post("/admin/planning/plansettings/add/", FORM)
    assert response.status_code == 302
    settings = PlanSettings.load()
    assert settings.horizon == 5 and settings.discount_rate == Decimal("0.08")
    assert settings.targets == {"efficiency": Decimal("0.5"), "new_category": Decimal("0.25")}
    assert AuditEntry.objects.filter(action="plan_settings.changed", actor=adam).exists()


def test_the_admin_refuses_targets_over_1(client, adam):
    client.force_login(adam)
    response = client.post("/admin/planning/plansettings/add/", {**FORM, "target_revenue": "0.5"})
    assert response.status_code == 200
    assert "add up to more than 1" in response.content.decode()
    assert not PlanSettings.objects.exists()


def test_only_admins_change_them(bob):
    with pytest.raises(PermissionDenied):
        update_plan_settings(actor=bob, horizon=4)


def test_the_service_refuses_targets_over_1(adam):
    with pytest.raises(DomainError):
        update_plan_settings(
            actor=adam, target_efficiency=Decimal("0.7"), target_revenue=Decimal("0.7")
        )


def test_there_is_one_row_to_change(client, adam):
    client.force_login(adam)
    client.post("/admin/planning/plansettings/add/", FORM)
    assert client.get("/admin/planning/plansettings/add/").status_code == 403
    response = client.post("/admin/planning/plansettings/1/change/", {**FORM, "horizon": "2"})
    assert response.status_code == 302
    assert PlanSettings.load().horizon == 2 and PlanSettings.objects.count() == 1
