"""The admin's number fields refuse ``1_000`` and ``１０００`` as the pages' forms do.

Django's IntegerField and DecimalField read them with int and Decimal, which take both
as 1000; the admin site gives every model admin registered on it, and their inlines,
``portfolio.admin_fields.PlainNumbersAdmin`` (``portfolio.apps.AdminConfig``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from boardpack.models import BoardPack
from gates.models import Criterion, Gate
from planning.models import PlanSettings
from portfolio.admin_fields import PlainNumbersAdmin
from tests.builders import gate_admin_form_data

SETTINGS = {
    "budget": "2500000",
    "horizon": "5",
    "discount_rate": "0.08",
    "target_efficiency": "0.5",
    "target_revenue": "",
    "target_new_category": "0.25",
}
# Python's int and Decimal read each of these as a number; typed in a form, none is one.
SLIPS = ["1_0", "１０", "١٠"]  # a digit separator, full-width and Arabic-Indic digits


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


@pytest.fixture
def plan_settings(client, root) -> PlanSettings:
    assert client.post(reverse("admin:planning_plansettings_add"), SETTINGS).status_code == 302
    return PlanSettings.load()


@pytest.mark.parametrize("typed", SLIPS)
def test_an_integer_field_refuses_digit_separators_and_other_digits(client, plan_settings, typed):
    url = reverse("admin:planning_plansettings_change", args=[plan_settings.pk])
    response = client.post(url, {**SETTINGS, "horizon": typed})
    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {"horizon": ["Enter a whole number."]}
    assert PlanSettings.load().horizon == 5
    # As typed correctly, it is kept.
    assert client.post(url, {**SETTINGS, "horizon": "10"}).status_code == 302
    assert PlanSettings.load().horizon == 10


@pytest.mark.parametrize("typed", [f"{slip}00000" for slip in SLIPS])
def test_a_decimal_field_refuses_digit_separators_and_other_digits(client, plan_settings, typed):
    url = reverse("admin:planning_plansettings_change", args=[plan_settings.pk])
    response = client.post(url, {**SETTINGS, "budget": typed})
    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {"budget": ["Enter a number."]}
    assert PlanSettings.load().budget == Decimal("2500000")


def test_a_criterion_weight_refuses_them_on_its_page_and_in_its_gate_s_rows(client, root):
    criterion = Criterion.objects.filter(gate__number=2, kind="should").first()
    weight = criterion.weight
    response = client.post(
        reverse("admin:gates_criterion_change", args=[criterion.pk]),
        {
            "gate": criterion.gate_id,
            "name": criterion.name,
            "help_text": "",
            "kind": "should",
            "weight": "2_5",
            "position": "１",
            "is_active": "on",
        },
    )
    assert response.status_code == 200, "saved"
    errors = response.context["adminform"].form.errors
    assert errors == {"weight": ["Enter a number."], "position": ["Enter a whole number."]}

    gate = Gate.objects.get(number=2)
    data = gate_admin_form_data(client, gate)
    row = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("criteria-") and key.endswith("-id") and str(value) == str(criterion.pk)
    )
    data[f"{row}-weight"] = "2_5"
    response = client.post(reverse("admin:gates_gate_change", args=[gate.pk]), data)
    assert response.status_code == 200, "saved"
    assert "Enter a number." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.weight == weight


def _number_fields(form_class) -> dict[str, forms.Field]:
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField)
    }


def _refuses(field: forms.Field) -> bool:
    try:
        field.clean("1_000")
    except forms.ValidationError:
        pass
    else:
        return False
    try:
        field.clean("１０００")
    except forms.ValidationError:
        return True
    return False


def test_every_registered_model_admin_and_inline_refuses_them(root):
    request = RequestFactory().get("/admin/")
    request.user = root
    checked = []
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, PlainNumbersAdmin), model_admin
        for name, field in _number_fields(model_admin.get_form(request)).items():
            assert _refuses(field), f"{model.__name__}.{name}"
            checked.append(f"{model.__name__}.{name}")
        for inline in model_admin.get_inline_instances(request):
            assert isinstance(inline, PlainNumbersAdmin), inline
            for name, field in _number_fields(inline.get_formset(request).form).items():
                assert _refuses(field), f"{model.__name__} {inline.model.__name__}.{name}"
                checked.append(f"{inline.model.__name__}.{name}")
    # Integer and decimal fields of Greenlight's own admins, the inlines' among them.
    assert {"PlanSettings.horizon", "PlanSettings.budget", "Criterion.weight"} <= set(checked)
    assert {"GateDecision.funding_granted", "Adoption.active_users"} <= set(checked)


def test_a_model_admin_registered_later_refuses_them_without_a_base_class(root):
    request = RequestFactory().get("/admin/")
    request.user = root

    class PackAdmin(admin.ModelAdmin):
        fields = ["pages"]

    admin.site.register(BoardPack, PackAdmin)
    try:
        model_admin = admin.site._registry[BoardPack]
        assert isinstance(model_admin, PackAdmin)
        field = model_admin.get_form(request).base_fields["pages"]
        assert _refuses(field)
        assert field.clean("1000") == 1000
        with pytest.raises(forms.ValidationError, match="Enter a whole number."):
            field.clean("1_000")
    finally:
        admin.site.unregister(BoardPack)


def test_the_pages_own_fields_are_left_as_they_are():
    # A field that refuses them already is not wrapped again: its own messages stay.
    from portfolio.forms import CountField

    class Form(forms.Form):
        count = CountField(error_messages={"invalid": "Count: a whole number."})

    from portfolio.admin_fields import refuse_digit_separators

    field = refuse_digit_separators(Form).base_fields["count"]
    assert type(field) is CountField
    with pytest.raises(forms.ValidationError, match="Count: a whole number."):
        field.clean("１２")
