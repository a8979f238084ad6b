"""A number typed with an exponent (``1e6``, ``2E3``, ``1e-2``) is refused by every field that
reads one, beside the field, with a message saying to write it in plain digits (what to write,
not the field's name: the label is above it).

Django's DecimalField reads with Python's Decimal, which takes ``1e6`` as 1,000,000: a spend
typed ``1e6`` was recorded as 1,000,000.00, where the interchange files refuse it ("write a
plain number …"). The browser does not stop it: the pages' number fields are text inputs,
which send what is typed, and the admin's ``<input type=number>`` takes ``1e6`` as a number. ``portfolio.money.written_with_exponent`` is
the rule; ``portfolio.forms.RefusesExponents`` the pages' number fields, and the admin's
(``portfolio.admin_fields``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from planning.models import PlanSettings
from portfolio import money
from portfolio.admin_fields import PlainNumbersAdmin
from portfolio.models import Adoption, Outcome, Project, SpendEntry
from tests.builders import greenlight, make_project
from tests.gates.test_decision_digits_as_typed import _app_form_classes
from tests.portfolio.test_proposal_create import valid

EXPONENTS = ["1e6", "2E3", "1e-2", " 1e6 ", "1.5e+3", ".5E1", "1.E2"]
PLAIN = ["1000000", "2000", "0.01", " 1000000 ", "1500.5", "-5", "0"]
AMOUNT = "Write the amount in plain digits, e.g. 1000000 (not 1e6)."
SPEND = {"spent_on": "2026-02-02", "category": "compute"}


def beside(body: str, name: str) -> str:
    """The field ``name``'s part of a page: its label, help, messages and input."""
    start = body.index(f'id="field-{name}"')
    end = body.find('<div class="field', start + 1)
    return body[start : end if end > 0 else None]


# --- The rule --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", EXPONENTS)
def test_a_number_with_an_exponent_is_no_typed_number(text):
    assert money.written_with_exponent(text)
    assert money.typed_decimal(text) is None
    assert Decimal(text.strip()).is_finite()  # what Python's Decimal made of it


@pytest.mark.parametrize("text", PLAIN)
def test_a_number_in_plain_digits_is_read(text):
    assert not money.written_with_exponent(text)
    assert money.typed_decimal(text) == Decimal(text.strip())


@pytest.mark.parametrize(
    "text", ["", "e", "e6", "1e", "1e6.5", "2026-11-03", "NaN", "inf", "1,000"]
)
def test_text_that_is_no_number_has_no_exponent(text):
    # Left to the fields' own messages (a date, "Write the amount in plain digits, …").
    assert not money.written_with_exponent(text)


def test_a_long_run_of_digits_is_read_at_once():
    # The pattern has one way to match: no time spent trying others on a long input.
    assert not money.written_with_exponent("1" * 200_000 + "x")
    assert money.written_with_exponent("1" * 200_000 + "e1")


# --- The pages' forms ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("typed", EXPONENTS)
def test_a_spend_amount_with_an_exponent_is_refused_beside_it(client, alice, project, typed):
    client.force_login(alice)
    url = reverse("spend_create", args=[project.key])
    # The field is a text input (no longer an <input type=number>): 1e6 is sent as typed.
    assert re.search(r'<input type="text" name="amount"', client.get(url).content.decode())

    response = client.post(url, SPEND | {"amount": typed})

    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [AMOUNT]
    assert AMOUNT in beside(response.content.decode(), "amount")
    assert not SpendEntry.objects.exists()
    # Written in plain digits, the amount (and the date) are read.
    assert client.post(url, SPEND | {"amount": "1000000"}).status_code == 302
    assert SpendEntry.objects.get().amount == Decimal("1000000.00")


@pytest.fixture
def product(alice, bob, carol):
    """Projected at most 400,000 a year; greenlit on 15 April 2026."""
    project = make_project(
        key="GL-0029", researcher=alice, product_manager=bob, submitted_on=datetime.date(2026, 1, 5)
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 4, 15))


@pytest.mark.django_db
def test_an_outcome_with_an_exponent_is_refused_even_ticked(client, bob, product):
    client.force_login(bob)
    url = reverse("outcome_create", args=[product.key])
    data = {"month": "2026-05", "confirm_value": "on", "confirmed_value": "1000000.00"}

    response = client.post(url, data | {"realized_value": "1e6"})

    assert response.status_code == 400
    assert response.context["form"].errors["realized_value"] == [AMOUNT]
    assert AMOUNT in beside(response.content.decode(), "realized_value")
    assert not Outcome.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["projected_low", "projected_high"])
def test_a_proposal_s_projection_with_an_exponent_is_refused(client, alice, bob, name):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob, **{name: "4e5"}))
    assert response.status_code == 400
    assert response.context["form"].errors[name] == [AMOUNT]
    assert not Project.objects.filter(key="CHURN-26").exists()


@pytest.mark.django_db
def test_a_proposal_s_probability_with_an_exponent_is_refused(client, alice, bob):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob, probability_of_success="3.5e1"))
    assert response.status_code == 400
    assert response.context["form"].errors["probability_of_success"] == [
        "Write the percentage in plain digits, e.g. 35 (not 3.5e1)."
    ]


ADOPTION = {
    "month": "2026-05",
    "active_users": "120",
    "tasks_completed": "3400",
    "minutes_per_task": "6.10",
    "baseline_minutes_per_task": "9.00",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("active_users", "1.2e3", "Write the number in plain digits, e.g. 1000 (not 1e3)."),
        ("tasks_completed", "3E3", "Write the number in plain digits, e.g. 1000 (not 1e3)."),
        ("minutes_per_task", "6e0", "Write the minutes in plain digits, e.g. 1000 (not 1e3)."),
        ("baseline_minutes_per_task", "9E0", "Write the minutes in plain digits, e.g. 1000"),
    ],
)
def test_an_adoption_number_with_an_exponent_is_refused_beside_it(
    client, bob, product, name, typed, message
):
    client.force_login(bob)
    url = reverse("adoption_create", args=[product.key])
    response = client.post(url, ADOPTION | {name: typed})
    assert response.status_code == 400
    [error] = response.context["form"].errors[name]
    assert error.startswith(message)
    assert error in beside(response.content.decode(), name)
    assert not Adoption.objects.exists()


def test_every_number_field_of_the_app_s_forms_refuses_an_exponent():
    from gates.forms import NewKillCriteriaForm
    from portfolio.forms import RefusesExponents

    fields = [
        (f"{cls.__module__}.{cls.__qualname__}.{name}", field)
        for cls in _app_form_classes()
        for name, field in getattr(cls, "base_fields", {}).items()
    ]
    fields += [(f"NewKillCriteriaForm.{n}", f) for n, f in NewKillCriteriaForm().fields.items()]
    numbers = [
        (name, field)
        for name, field in fields
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField)
    ]
    assert len(numbers) > 15
    assert [name for name, field in numbers if not isinstance(field, RefusesExponents)] == []
    for name, field in numbers:
        with pytest.raises(forms.ValidationError, match="in plain digits") as refused:
            field.clean("1e3")
        assert refused.value.code == "exponent", name


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


SETTINGS = {
    "budget": "2500000",
    "horizon": "5",
    "discount_rate": "0.08",
    "target_efficiency": "0.5",
    "target_revenue": "",
    "target_new_category": "0.25",
}


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        # Each with the planning page's example (tests/planning/test_plan_examples.py).
        ("budget", "1e6", "Write the amount in plain digits, e.g. 1000000 (not 1e6)."),
        ("horizon", "1e1", "Write the number in plain digits, e.g. 3 (not 3e0)."),
        ("discount_rate", "8E-2", "Write the number in plain digits, e.g. 0.1 (not 1e-1)."),
    ],
)
def test_an_admin_number_field_refuses_an_exponent(client, root, name, typed, message):
    assert client.post(reverse("admin:planning_plansettings_add"), SETTINGS).status_code == 302
    settings = PlanSettings.load()
    url = reverse("admin:planning_plansettings_change", args=[settings.pk])

    response = client.post(url, SETTINGS | {name: typed})

    assert response.status_code == 200, "saved"
    [error] = response.context["adminform"].form.errors[name]
    assert error.startswith(message)
    assert PlanSettings.load().budget == Decimal("2500000")
    assert PlanSettings.load().horizon == 5


def test_an_admin_spend_amount_with_an_exponent_is_refused_and_its_date_read(client, root, project):
    url = reverse("admin:portfolio_spendentry_add")
    data = {"project": str(project.pk), "spent_on": "2026-11-03", "category": "compute"}
    response = client.post(url, data | {"amount": "1e6"})
    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {
        "amount": ["Write the number in plain digits, e.g. 1000000 (not 1e6)."]
    }
    assert not SpendEntry.objects.exists()
    # A date is no number: 2026-11-03 is read as ever.
    assert client.post(url, data | {"amount": "1000000"}).status_code == 302
    assert SpendEntry.objects.get().spent_on == datetime.date(2026, 11, 3)


def test_an_admin_id_with_an_exponent_is_refused_as_before(client, root, project):
    # int() reads no exponent: the raw-id field's lookup refuses the project's id written
    # 50e0 as no such object, as it did; the id rule (NOT_AN_ID) stays for 5_0 and ５０.
    typed = f"{project.pk}e0"
    response = client.post(
        reverse("admin:portfolio_spendentry_add"),
        {"project": typed, "spent_on": "2026-11-03", "amount": "12.34", "category": "compute"},
    )
    assert response.status_code == 200, "saved"
    assert response.context["adminform"].form.errors == {
        "project": [
            "Select a valid choice. That choice is not one of the available choices.",
        ]
    }
    assert not SpendEntry.objects.exists()


def _fields(form_class, kind) -> dict[str, forms.Field]:
    return {
        name: field for name, field in form_class.base_fields.items() if isinstance(field, kind)
    }


NUMBERS = forms.IntegerField | forms.DecimalField | forms.FloatField


def test_every_registered_model_admin_and_inline_refuses_an_exponent(root):
    from portfolio.forms import RefusesExponents

    request = RequestFactory().get("/admin/")
    request.user = root
    checked, dates = [], []
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, PlainNumbersAdmin), model_admin
        forms_of = [(model.__name__, model_admin.get_form(request))]
        forms_of += [
            (inline.model.__name__, inline.get_formset(request).form)
            for inline in model_admin.get_inline_instances(request)
        ]
        for owner, form_class in forms_of:
            for name, field in _fields(form_class, NUMBERS).items():
                with pytest.raises(forms.ValidationError, match="in plain digits"):
                    field.clean("1e3")
                checked.append(f"{owner}.{name}")
            for name, field in _fields(form_class, forms.DateField).items():
                # A date field keeps its own rule and message: dates have no exponent.
                assert not isinstance(field, RefusesExponents), f"{owner}.{name}"
                assert field.clean("2026-11-03") == datetime.date(2026, 11, 3)
                dates.append(f"{owner}.{name}")
    assert {"PlanSettings.horizon", "PlanSettings.budget", "Criterion.weight"} <= set(checked)
    assert {"GateDecision.funding_granted", "Adoption.active_users"} <= set(checked)
    assert "SpendEntry.spent_on" in dates
