"""The admin's change forms never silently replace a change saved since they were opened.

Two admins (or two tabs) open the same record; one saves; the other's save is refused
with who changed what and when, keeps what was typed, and goes through when saved again
(knowingly). A form posted without the digest (a page drawn before the rule) is saved.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import Gate
from portfolio import services
from portfolio.models import AuditEntry, Role
from tests.builders import gate_admin_form_data, make_user

pytestmark = pytest.mark.django_db


def _project_form_data(client, url) -> dict:
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"audit_entries-TOTAL_FORMS": "0", "audit_entries-INITIAL_FORMS": "0"})
    return data


def test_a_project_changed_since_the_form_was_opened_is_not_overwritten(client, adam, project):
    ada = make_user("ada@example.com", Role.ADMIN, full_name="Ada Admin", is_staff=True)
    client.force_login(adam)
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    data = _project_form_data(client, url)
    assert data["version_seen"]
    # Meanwhile another admin corrects the title.
    services.correct_project(project=project, actor=ada, title="Their title")

    data["title"] = "My title"
    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Since this page was opened, Ada Admin changed this project (title) on" in html
    assert "Nothing was saved: what you typed is kept below." in html
    assert 'value="My title"' in html
    project.refresh_from_db()
    assert project.title == "Their title"

    # Saved again from the refused page: knowingly, so it goes through.
    data["version_seen"] = response.context["adminform"].form["version_seen"].value()
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.title == "My title"


def test_a_form_without_the_digest_is_saved_as_before(client, adam, project):
    client.force_login(adam)
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    data = _project_form_data(client, url)
    del data["version_seen"]
    data["title"] = "A better title"

    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.title == "A better title"


def test_a_gate_changed_in_another_tab_is_not_overwritten(client, adam):
    adam.is_superuser = True
    adam.save()
    client.force_login(adam)
    gate = Gate.objects.get(number=1)
    url = reverse("admin:gates_gate_change", args=[gate.pk])
    first = gate_admin_form_data(client, gate)
    second = gate_admin_form_data(client, gate)
    first["purpose"] = "Saved first."
    assert client.post(url, first).status_code == 302

    second["purpose"] = "Saved second, over it."
    response = client.post(url, second)

    assert response.status_code == 200
    assert "Since this page was opened, you changed" not in response.content.decode()
    assert "this gate (purpose)" in response.content.decode()
    gate.refresh_from_db()
    assert gate.purpose == "Saved first."
    assert AuditEntry.objects.filter(action="gate.changed_in_admin").count() == 1


def _user_form_data(client, url) -> dict:
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if name != "password"}
    data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
    data["groups"] = [str(pk) for pk in data.get("groups") or []]
    data.pop("user_permissions", None)
    data["_save"] = "Save"
    return data


def test_a_person_whose_roles_changed_since_the_form_was_opened_is_not_overwritten(
    client, adam, rita
):
    ada = make_user("ada@example.com", Role.ADMIN, full_name="Ada Admin", is_staff=True)
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[rita.pk])
    data = _user_form_data(client, url)
    assert data["version_seen"]
    # Meanwhile another admin makes her a product manager on the People page.
    services.people.set_role(person=rita, role=Role.PRODUCT_MANAGER, actor=ada, grant=True)

    data["full_name"] = "Rita R. Researcher"
    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Since this page was opened, Ada Admin changed this user (roles) on" in html
    assert "Nothing was saved: what you typed is kept below." in html
    assert 'value="Rita R. Researcher"' in html
    rita.refresh_from_db()
    assert rita.full_name != "Rita R. Researcher"
    assert Role.PRODUCT_MANAGER in set(rita.groups.values_list("name", flat=True))

    # Saved again from the refused page, with the role ticked as it is now: it goes through.
    data["version_seen"] = response.context["adminform"].form["version_seen"].value()
    data["groups"].append(str(rita.groups.get(name=Role.PRODUCT_MANAGER).pk))
    assert client.post(url, data).status_code == 302
    rita.refresh_from_db()
    assert rita.full_name == "Rita R. Researcher"
    assert Role.PRODUCT_MANAGER in set(rita.groups.values_list("name", flat=True))


def test_a_person_deactivated_since_the_form_was_opened_is_not_made_active_again(
    client, adam, rita
):
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[rita.pk])
    data = _user_form_data(client, url)
    assert data["is_active"] is True
    # Meanwhile, in another tab, the same admin deactivates her.
    other = _user_form_data(client, url)
    del other["is_active"]
    assert client.post(url, other).status_code == 302

    data["full_name"] = "Rita R."
    response = client.post(url, data)

    assert response.status_code == 200
    assert "Since this page was opened" in response.content.decode()
    rita.refresh_from_db()
    assert not rita.is_active
    assert rita.full_name != "Rita R."


def test_a_person_unchanged_since_the_form_was_opened_is_saved(client, adam, rita):
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[rita.pk])
    data = _user_form_data(client, url)
    data["full_name"] = "Rita R."
    assert client.post(url, data).status_code == 302
    rita.refresh_from_db()
    assert rita.full_name == "Rita R."
