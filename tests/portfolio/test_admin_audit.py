"""Changes made in the admin land in the audit trail, with who and what."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from gates.models import Criterion, Gate
from portfolio.models import AuditEntry
from tests.builders import gate_admin_form_data


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


def _row(data: dict, prefix: str, pk: int) -> str:
    """The form prefix of the inline row showing the object ``pk``."""
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and str(value) == str(pk)
    )


def test_an_inline_criterion_edit_records_its_value_before_and_after(client, db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    gate = Gate.objects.get(number=2)
    criterion = Criterion.objects.filter(gate=gate, kind="should").first()
    before = f"{criterion.weight:.2f}"
    data = gate_admin_form_data(client, gate)
    row = _row(data, "criteria", criterion.pk)
    data[f"{row}-weight"] = "2.5"
    data.pop(f"{row}-is_active", None)  # unticked
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    entry = AuditEntry.objects.get(action="criterion.changed_in_admin")
    assert entry.changes == {"weight": [before, "2.50"], "is_active": ["True", "False"]}
    # The gate's own fields did not change: no entry for the gate.
    assert not AuditEntry.objects.filter(action="gate.changed_in_admin").exists()


def test_an_inline_gatekeeper_edit_records_its_old_kind(client, db, django_user_model):
    from gates.models import Gatekeeper

    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    gate = Gate.objects.get(number=4)
    keeper = Gatekeeper.objects.filter(gate=gate, kind="architect").first()
    data = gate_admin_form_data(client, gate)
    row = _row(data, "gatekeepers", keeper.pk)
    data[f"{row}-kind"] = "role"
    data[f"{row}-role"] = "Architect"
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    entry = AuditEntry.objects.get(action="gatekeeper.changed_in_admin")
    assert entry.changes == {"kind": ["architect", "role"], "role": ["", "Architect"]}


def test_saving_the_gate_page_unchanged_writes_no_audit_entry(client, db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    gate = Gate.objects.get(number=3)
    data = gate_admin_form_data(client, gate)
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert not AuditEntry.objects.exclude(action__startswith="sign_in.").exists()


def test_a_gate_purpose_edit_records_before_and_after(client, db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    gate = Gate.objects.get(number=1)
    old = gate.purpose
    data = gate_admin_form_data(client, gate)
    data["purpose"] = "Is it worth a study?"
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="gate.changed_in_admin")
    assert entry.changes == {"purpose": [old, "Is it worth a study?"]}
