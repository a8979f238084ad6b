"""Changes made in the admin land in the audit trail, with who and what."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from gates.models import Criterion, Gate
from portfolio.models import AuditEntry


def test_an_admin_editing_a_gate_criterion_is_audited(client, db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    criterion = Criterion.objects.filter(gate__number=2, kind="should").first()
    url = reverse("admin:gates_criterion_change", args=[criterion.pk])
    response = client.post(
        url,
        {
            "gate": criterion.gate_id,
            "name": criterion.name,
            "help_text": "",
            "kind": "should",
            "weight": "4.00",
            "position": criterion.position,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    criterion.refresh_from_db()
    assert criterion.weight == Decimal("4.00")
    entry = AuditEntry.objects.get(action="criterion.changed_in_admin")
    assert entry.actor == root
    assert entry.changes["weight"][1] == "4.00"


def test_the_gate_admin_page_lists_its_criteria(client, db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    gate = Gate.objects.get(number=3)
    response = client.get(reverse("admin:gates_gate_change", args=[gate.pk]))
    assert response.status_code == 200
    assert "Research results meet the agreed quality bar" in response.content.decode()
