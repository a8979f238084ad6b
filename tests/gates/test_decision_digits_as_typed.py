"""The gate review's forms read numbers in the digits 0-9, as every other form does
(``portfolio.forms.RefusesDigitSeparators``): a kill criterion's Number of ``０.８_5`` was
recorded as 0.85 (qa-today 2), and the hidden gate and round took ``１`` as 1.
"""

from __future__ import annotations

import importlib
import pkgutil
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

import gates
import planning
import portfolio
from gates.forms import NewKillCriteriaForm
from gates.models import GateDecision, KillCriterion, Vote
from portfolio.forms import RefusesDigitSeparators
from tests.builders import add_estimate, add_study, make_project
from tests.gates.test_decision_create import post_data, url
from tests.gates.test_vote_cast import vote_post

pytestmark = pytest.mark.django_db

NOT_DIGITS = ["０.８_5", "0_5", "٠.٨", "１", "۰.۸"]


def _kill_criterion(target: str) -> dict:
    return {
        "next-kc1_statement": "precision on hold-out",
        "next-kc1_comparison": ">=",
        "next-kc1_target": target,
    }


@pytest.mark.parametrize("target", NOT_DIGITS)
def test_a_kill_criterion_s_number_written_otherwise_is_refused_on_its_row(
    client, project, bob, target
):
    client.force_login(bob)
    response = client.post(url(project), post_data(**_kill_criterion(target)))
    assert response.status_code == 400
    body = response.content.decode()
    message = "Kill criterion 1: enter the number as digits, e.g. 0.8."
    fieldset = body[body.index('id="new-kill-criteria"') :]
    assert message in fieldset[: fieldset.index("</fieldset>")]
    assert not GateDecision.objects.exists()
    assert not KillCriterion.objects.exists()


def test_a_kill_criterion_s_number_in_digits_is_recorded(client, project, bob):
    client.force_login(bob)
    response = client.post(url(project), post_data(**_kill_criterion(" 0.85 ")))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert KillCriterion.objects.get().target == Decimal("0.85")


@pytest.mark.parametrize(("name", "value"), [("gate", "１"), ("gate", "٠_1"), ("gate", "0_1")])
def test_a_decision_s_hidden_gate_written_otherwise_is_refused(client, project, bob, name, value):
    client.force_login(bob)
    response = client.post(url(project), post_data(**{name: value}))
    assert response.status_code == 400
    assert not GateDecision.objects.exists()


@pytest.mark.parametrize("seen", ["0_0", "０", "٠"])
def test_decisions_seen_written_otherwise_is_out_of_date(client, project, bob, seen):
    client.force_login(bob)
    response = client.post(url(project), post_data(decisions_seen=seen))
    assert response.status_code == 400
    assert "This form is out of date: reload the page and decide again." in (
        response.content.decode()
    )
    assert not GateDecision.objects.exists()


@pytest.fixture
def at_gate_3(alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    return project


@pytest.mark.parametrize(
    ("name", "value"), [("vote-gate", "３"), ("vote-gate", "0_3"), ("vote-review_round", "٢")]
)
def test_a_vote_s_hidden_numbers_written_otherwise_are_refused(
    client, at_gate_3, carol, name, value
):
    client.force_login(carol)
    client.post(reverse("vote_cast", args=[at_gate_3.key]), vote_post(at_gate_3, **{name: value}))
    assert not Vote.objects.filter(voter=carol).exclude(recommendation="").exists()
    client.post(reverse("vote_cast", args=[at_gate_3.key]), vote_post(at_gate_3))
    assert Vote.objects.filter(voter=carol).exclude(recommendation="").exists()


# --- Every number field of the app's forms ------------------------------------------------------


SKIPPED = (".wsgi", ".asgi", ".settings", ".tests")  # servers' entry points: no forms


def _app_form_classes():
    for package in (portfolio, gates, planning):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in info.name and not info.name.endswith(SKIPPED):
                importlib.import_module(info.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    # In one order in every process (a set of classes iterates by their ids).
    for cls in sorted(set(below(forms.BaseForm)), key=lambda c: (c.__module__, c.__qualname__)):
        # The admin's forms get the rule from the admin site (portfolio.admin_fields).
        if cls.__module__.split(".")[0] in {"portfolio", "gates", "planning"} and (
            cls.__module__ != "portfolio.admin"
        ):
            yield cls


def test_every_number_field_of_the_app_s_forms_refuses_digits_not_as_typed():
    fields = [
        (f"{cls.__module__}.{cls.__qualname__}.{name}", field)
        for cls in _app_form_classes()
        for name, field in getattr(cls, "base_fields", {}).items()
    ]
    # Fields made when the form is: the kill criteria's.
    fields += [(f"NewKillCriteriaForm.{n}", f) for n, f in NewKillCriteriaForm().fields.items()]
    numbers = [
        (name, field)
        for name, field in fields
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField)
    ]
    assert len(numbers) > 15
    assert [name for name, field in numbers if not isinstance(field, RefusesDigitSeparators)] == []
