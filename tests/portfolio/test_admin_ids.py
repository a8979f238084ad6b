"""The admin's fields that choose an object by its id refuse ``5_0`` and ``５０`` as an id.

A raw-id field (the id typed beside the magnifier) is a ModelChoiceField whose lookup
read the text with int(): a spend entry added with project ``5_0`` went onto project 50,
and a gate's gatekeeper ``５`` was person 5 (qa-today 8). ``portfolio.admin_fields`` gives
these fields the rule of the number fields (``portfolio.money.digits_as_typed``).
"""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from gates.models import Gate, Gatekeeper
from portfolio.admin_fields import NOT_AN_ID, _key_is_a_number, refuse_digit_separators
from portfolio.models import Project, SpendEntry, User
from tests.builders import gate_admin_form_data, make_project

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def slips(pk: int) -> list[str]:
    """``pk`` as Python's int() reads it and a person does not write it."""
    text = str(pk)
    return [f"0_{text}", text.translate(FULL_WIDTH), text.translate(ARABIC_INDIC), f" 0_{text} "]


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


@pytest.fixture
def project(alice, bob):
    return make_project(
        key="GL-0050",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2026, 1, 5),
    )


def _spend(project_id: str) -> dict:
    return {
        "project": project_id,
        "spent_on": "2026-11-03",
        "amount": "12.34",
        "category": "compute",
        "note": "",
    }


@pytest.mark.parametrize("slip", range(4))
def test_a_spend_entry_s_project_id_written_otherwise_is_refused(client, root, project, slip):
    typed = slips(project.pk)[slip]
    response = client.post(reverse("admin:portfolio_spendentry_add"), _spend(typed))
    assert response.status_code == 200, "saved"
    form = response.context["adminform"].form
    assert form.errors == {"project": [NOT_AN_ID % {"value": typed}]}
    assert not SpendEntry.objects.exists()
    # The raw-id box keeps what was typed and names no project beside it (it named GL-0050).
    assert str(project) not in str(form["project"])
    assert str(project) not in response.content.decode()


def test_a_refused_form_names_the_project_of_an_id_in_digits(client, root, project):
    # The control: the label beside the box names the project its id, in digits, chose.
    response = client.post(
        reverse("admin:portfolio_spendentry_add"), _spend(str(project.pk)) | {"amount": "x"}
    )
    assert response.status_code == 200, "saved"
    assert f">{project}</a></strong>" in str(response.context["adminform"].form["project"])


def test_a_spend_entry_s_project_id_in_digits_is_kept(client, root, project):
    response = client.post(reverse("admin:portfolio_spendentry_add"), _spend(str(project.pk)))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert SpendEntry.objects.get().project == project


def _with_gatekeeper(client, gate: Gate, person: str) -> dict:
    data = gate_admin_form_data(client, gate)
    row = int(data["gatekeepers-TOTAL_FORMS"])
    data["gatekeepers-TOTAL_FORMS"] = row + 1
    data |= {f"gatekeepers-{row}-kind": "person", f"gatekeepers-{row}-person": person}
    return data


@pytest.mark.parametrize("slip", range(4))
def test_a_gatekeeper_s_person_id_written_otherwise_is_refused(client, root, erin, slip):
    gate = Gate.objects.get(number=4)
    before = Gatekeeper.objects.count()
    typed = slips(erin.pk)[slip]
    response = client.post(
        reverse("admin:gates_gate_change", args=[gate.pk]), _with_gatekeeper(client, gate, typed)
    )
    assert response.status_code == 200, "saved"
    (gatekeepers,) = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "gatekeepers"
    ]
    # One message: not the model's "Choose the person who judges this gate." beside it.
    assert _errors(gatekeepers) == [NOT_AN_ID % {"value": typed}]
    assert str(erin) not in response.content.decode()  # nor erin named beside the box
    assert Gatekeeper.objects.count() == before
    # Typed in digits, the person is added.
    response = client.post(
        reverse("admin:gates_gate_change", args=[gate.pk]),
        _with_gatekeeper(client, gate, str(erin.pk)),
    )
    assert response.status_code == 302
    assert Gatekeeper.objects.filter(gate=gate, person=erin).exists()


def test_the_model_s_message_for_another_field_is_kept(client, root, erin):
    # Only the refused field's second message goes: a role row without its role says so.
    gate = Gate.objects.get(number=4)
    data = _with_gatekeeper(client, gate, f"0_{erin.pk}")
    row = int(data["gatekeepers-TOTAL_FORMS"]) - 1
    data[f"gatekeepers-{row}-kind"] = "role"
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 200, "saved"
    (gatekeepers,) = [
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "gatekeepers"
    ]
    assert gatekeepers.formset.forms[row].errors == {
        "person": [NOT_AN_ID % {"value": f"0_{erin.pk}"}],
        "role": ["Choose the role whose members judge this gate."],
    }


def _errors(inline_admin_formset) -> list[str]:
    return [
        message
        for form in inline_admin_formset.formset.forms
        for messages in form.errors.values()
        for message in messages
    ]


def test_several_ids_are_each_checked(db, alice, bob):
    class Pick(forms.Form):
        people = forms.ModelMultipleChoiceField(queryset=User.objects.all())

    field = refuse_digit_separators(Pick).base_fields["people"]
    assert set(field.clean([str(alice.pk), str(bob.pk)])) == {alice, bob}
    with pytest.raises(forms.ValidationError, match="is not an id"):
        field.clean([str(alice.pk), f"0_{bob.pk}"])
    with pytest.raises(forms.ValidationError, match="is not an id"):
        field.clean([str(alice.pk).translate(FULL_WIDTH)])


def test_a_text_key_is_left_as_it_is():
    # A key that is text (to_field_name a CharField) may hold "_": only number ids are checked.
    class Pick(forms.Form):
        project = forms.ModelChoiceField(queryset=Project.objects.all(), to_field_name="key")

    field = refuse_digit_separators(Pick).base_fields["project"]
    assert type(field) is forms.ModelChoiceField


def test_every_registered_admin_s_id_fields_refuse_them(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    checked = []

    def check(name: str, form_class) -> None:
        for field_name, field in form_class.base_fields.items():
            if isinstance(field, forms.ModelChoiceField) and _key_is_a_number(field):
                multiple = isinstance(field, forms.ModelMultipleChoiceField)
                with pytest.raises(forms.ValidationError, match="is not an id"):
                    field.clean(["0_1"] if multiple else "0_1")
                checked.append(f"{name}.{field_name}")

    for model, model_admin in admin.site._registry.items():
        check(model.__name__, model_admin.get_form(request))
        for inline in model_admin.get_inline_instances(request):
            check(inline.model.__name__, inline.get_formset(request).form)
    # The raw-id fields the report names, a select and Django's own many-to-many fields.
    assert {"SpendEntry.project", "Gatekeeper.person", "Project.researcher"} <= set(checked)
    assert "Group.permissions" in checked
