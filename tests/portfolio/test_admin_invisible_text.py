"""The admin reads text as the pages and the API do: text with no visible character is blank.

A project's title, a gate's or a criterion's name made of a zero-width space (U+200B) was
saved in the admin as written text, shown as nothing, and a spend note or a person's name
so kept as one. Now a required field with nothing visible says "This field is required."
and nothing is saved; an optional one is saved empty (portfolio.validators.is_blank,
portfolio.forms.InvisibleTextIsBlank).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import Criterion, Gate
from portfolio.models import AuditEntry, SpendEntry
from tests.builders import gate_admin_form_data, make_user

REQUIRED = "This field is required."
INVISIBLE = ["\u200b", "\ufeff", " \u2800 ", "\u200b\u3164\n"]


@pytest.fixture
def root(db):
    return make_user("root@example.com", is_superuser=True, is_staff=True)


def _project_form(client, project) -> tuple[str, dict]:
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"audit_entries-TOTAL_FORMS": "0", "audit_entries-INITIAL_FORMS": "0"})
    return url, data


def _errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_a_project_title_with_nothing_visible_is_required(client, adam, project, invisible):
    client.force_login(adam)
    url, data = _project_form(client, project)
    response = client.post(url, {**data, "title": invisible})
    assert response.status_code == 200
    assert _errors(response, "title") == [REQUIRED]
    title = project.title
    project.refresh_from_db()
    assert project.title == title
    assert not AuditEntry.objects.filter(action="project.corrected").exists()


def test_a_case_for_the_research_with_nothing_visible_is_missing(client, adam, project):
    client.force_login(adam)
    url, data = _project_form(client, project)
    response = client.post(url, {**data, "business_case": "\u200b\ufeff"})
    assert response.status_code == 200
    assert "A submitted project needs the case for the research." in response.content.decode()
    case = project.business_case
    project.refresh_from_db()
    assert project.business_case == case


def test_a_spend_note_with_nothing_visible_is_saved_empty(client, adam, project):
    client.force_login(adam)
    data = {
        "project": project.pk,
        "spent_on": "2026-02-03",
        "amount": "120.00",
        "category": "compute",
        "note": "\u200b",
    }
    response = client.post(reverse("admin:portfolio_spendentry_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SpendEntry.objects.get().note == ""


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_a_gate_name_with_nothing_visible_is_required(client, root, invisible):
    gate = Gate.objects.get(number=1)
    client.force_login(root)
    data = gate_admin_form_data(client, gate)
    response = client.post(
        reverse("admin:gates_gate_change", args=[gate.pk]), {**data, "name": invisible}
    )
    assert response.status_code == 200
    assert _errors(response, "name") == [REQUIRED]
    assert Gate.objects.get(number=1).name == gate.name


def test_a_gate_purpose_with_nothing_visible_is_saved_empty(client, root):
    gate = Gate.objects.get(number=1)
    client.force_login(root)
    data = gate_admin_form_data(client, gate)
    response = client.post(
        reverse("admin:gates_gate_change", args=[gate.pk]), {**data, "purpose": "\u200b"}
    )
    assert response.status_code == 302
    assert Gate.objects.get(number=1).purpose == ""


def test_a_criterion_name_with_nothing_visible_is_required(client, root):
    gate = Gate.objects.get(number=1)
    criterion = gate.criteria.order_by("position").first()
    client.force_login(root)
    data = gate_admin_form_data(client, gate)
    number = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("criteria-") and key.endswith("-id") and str(value) == str(criterion.pk)
    )
    data[f"criteria-{number}-name"] = "\u200b"
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 200
    assert REQUIRED in response.content.decode()
    assert Criterion.objects.get(pk=criterion.pk).name == criterion.name


def test_a_person_s_name_with_nothing_visible_is_saved_empty(client, root, alice):
    client.force_login(root)
    url = reverse("admin:portfolio_user_change", args=[alice.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "password"}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data["full_name"] = "\u200b"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.full_name == ""
    assert (str(alice), alice.display_name) == ("alice@example.com", "alice")
