"""Text that is no number (``1e``, ``e6``, ``12,50``, ``EUR 100``) typed in a number field is
refused beside the field in the field's own words, and stays in the field as typed.

The pages' number fields were ``<input type="number">``: a browser sends nothing for text such
an input cannot read (its ``validity.badInput``), so the server said "Amount: This field is
required." and the text was gone. They are text inputs now (``inputmode="decimal"``, or
``"numeric"`` for a whole number: a phone still shows its number keys), as the GOV.UK Design
System advises; the server reads what was typed and says what to write ("“EUR 100” is not an
amount: write it in plain digits with a point for decimals, e.g. 1200.50 (a comma only between
thousands: 1,200.50).", as the planner says it: tests/portfolio/test_money_not_an_amount.py),
not Django's "Enter a number.". Beside the field without its name, which is above it; in the
form's summary after it ("Amount: “EUR 100” is not an amount: …").
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django import forms
from django.urls import reverse

from gates.models import ArchitectureEstimate, GateDecision, KillCriterion
from portfolio.models import Adoption, Outcome, Project, SpendEntry
from tests.builders import decide, greenlight, make_project
from tests.gates.test_decision_create import post_data
from tests.gates.test_decision_digits_as_typed import _app_form_classes
from tests.portfolio.test_proposal_create import valid

pytestmark = pytest.mark.django_db

UNREADABLE = ["1e", "e6", "12,50", "EUR 100"]


def amount_refused(typed: str, example: str = "1200.50", grouped: str = "1,200.50") -> str:
    """What a money field says of ``typed``, a decimal comma as anything else that is no
    amount (a comma goes only between thousands: tests/portfolio/test_money_thousands.py)."""
    return (
        f"“{typed.strip()}” is not an amount: write it in plain digits with a point for "
        f"decimals, e.g. {example} (a comma only between thousands: {grouped})."
    )


def beside(body: str, name: str) -> str:
    """The field ``name``'s part of a page: its label, help, messages and input."""
    start = body.index(f'id="field-{name}"')
    end = body.find('<div class="field', start + 1)
    return body[start : end if end > 0 else None]


def input_tag(body: str, name: str) -> str:
    [tag] = re.findall(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', body)
    return tag


def label_of(part: str) -> str:
    """The label of a field's part of a page (``beside``), as it reads."""
    return html.unescape(re.search(r"<(?:label|legend)[^>]*>([^<]*)<", part)[1])


def refused_beside_it(response, name: str, message: str, typed: str) -> None:
    """Refused with ``message``, what to write, beside the field (under its label, not
    naming it again) and in the summary after the label; the text kept as typed."""
    assert response.status_code == 400
    body = response.content.decode()
    part = beside(body, name)
    label = label_of(part)
    errors = part[part.index('class="errorlist') :]
    errors = html.unescape(errors[: errors.index("</ul>")])
    assert message in errors
    assert label not in errors
    assert "This field is required." not in part
    assert "Enter a number." not in body
    tag = input_tag(part, name)
    assert 'type="text"' in tag
    assert f'value="{html.escape(typed)}"' in tag
    # The form's summary at the top (the decision's is its own: "error-summary").
    start = body.index('class="form-errors')
    summary = html.unescape(body[start : body.index("</ul>", start)])
    assert f"{label}: {message}" in summary


@pytest.fixture
def product(alice, bob, carol):
    """Greenlit on 15 April 2026: outcomes and adoption start with May 2026."""
    project = make_project(
        key="GL-0031", researcher=alice, product_manager=bob, submitted_on=datetime.date(2026, 1, 5)
    )
    return greenlight(project, bob, carol, on=datetime.date(2026, 4, 15))


@pytest.mark.parametrize("typed", UNREADABLE)
def test_a_spend_amount_that_is_no_number_is_kept_and_refused_beside_it(
    client, alice, project, typed
):
    client.force_login(alice)
    data = {"spent_on": "2026-02-02", "category": "compute", "amount": typed}
    response = client.post(reverse("spend_create", args=[project.key]), data)
    refused_beside_it(response, "amount", amount_refused(typed), typed)
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize("typed", UNREADABLE)
def test_a_realized_value_that_is_no_number_is_kept_and_refused_beside_it(
    client, bob, product, typed
):
    client.force_login(bob)
    data = {"month": "2026-05", "realized_value": typed}
    response = client.post(reverse("outcome_create", args=[product.key]), data)
    refused_beside_it(response, "realized_value", amount_refused(typed), typed)
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("typed", UNREADABLE)
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("projected_low", None),
        ("projected_high", None),
        ("probability_of_success", "Write the percentage in plain digits, e.g. 35."),
    ],
)
def test_a_proposal_s_number_that_is_no_number_is_kept_and_refused_beside_it(
    client, alice, bob, name, message, typed
):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob, **{name: typed}))
    if message is None:  # an amount
        message = amount_refused(typed)
    refused_beside_it(response, name, message, typed)
    assert not Project.objects.filter(key="CHURN-26").exists()


ADOPTION = {
    "month": "2026-05",
    "active_users": "120",
    "tasks_completed": "3400",
    "minutes_per_task": "6.10",
    "baseline_minutes_per_task": "9.00",
}


@pytest.mark.parametrize("typed", UNREADABLE)
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("active_users", "Enter a whole number of 0 or more, e.g. 1200."),
        ("tasks_completed", "Enter a whole number of 0 or more, e.g. 1200."),
        ("minutes_per_task", "Enter a number of minutes of 0 or more, e.g. 6.25."),
        ("baseline_minutes_per_task", "Enter a number of minutes of 0 or more, e.g. 6.25."),
    ],
)
def test_an_adoption_number_that_is_no_number_is_kept_and_refused_beside_it(
    client, bob, product, name, message, typed
):
    client.force_login(bob)
    response = client.post(reverse("adoption_create", args=[product.key]), ADOPTION | {name: typed})
    refused_beside_it(response, name, message, typed)
    assert not Adoption.objects.exists()


ESTIMATE = {
    "build_cost": "100000",
    "monthly_run_cost": "2000",
    "retraining_cadence": "quarterly",
    "cost_per_retrain": "5000",
    "platform_reused": "",
    "build_or_buy_note": "",
}


@pytest.mark.parametrize("typed", UNREADABLE)
@pytest.mark.parametrize("name", ["build_cost", "monthly_run_cost", "cost_per_retrain"])
def test_an_estimate_cost_that_is_no_number_is_kept_and_refused_beside_it(
    client, project, carol, name, typed
):
    decide(project, 1, "go")
    client.force_login(carol)
    url = reverse("architecture_estimate_edit", args=[project.key])
    response = client.post(url, ESTIMATE | {name: typed})
    refused_beside_it(response, name, amount_refused(typed), typed)
    assert not ArchitectureEstimate.objects.exists()


@pytest.mark.parametrize("typed", UNREADABLE)
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("funding_granted", None),
        ("probability_of_success", "Write the percentage in plain digits, e.g. 35."),
    ],
)
def test_a_decision_s_number_that_is_no_number_is_kept_and_refused_beside_it(
    client, project, bob, name, message, typed
):
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]), post_data(**{name: typed})
    )
    if message is None:  # an amount
        message = amount_refused(typed)
    refused_beside_it(response, name, message, typed)
    assert not GateDecision.objects.exists()


@pytest.mark.parametrize("typed", UNREADABLE)
def test_a_kill_criterion_s_number_that_is_no_number_is_kept_and_refused_on_its_row(
    client, project, bob, typed
):
    client.force_login(bob)
    criterion = {
        "next-kc1_statement": "precision on the hold-out",
        "next-kc1_comparison": ">=",
        "next-kc1_target": typed,
    }
    response = client.post(reverse("decision_create", args=[project.key]), post_data(**criterion))
    assert response.status_code == 400
    body = response.content.decode()
    fieldset = body[body.index('id="new-kill-criteria"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "Kill criterion 1: enter the number as digits, e.g. 0.8." in fieldset
    tag = input_tag(fieldset, "next-kc1_target")
    assert 'type="text"' in tag
    assert f'value="{html.escape(typed)}"' in tag
    assert not GateDecision.objects.exists()
    assert not KillCriterion.objects.exists()


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-inf"])
def test_a_percentage_that_is_no_finite_number_is_refused_in_its_words(client, bob, project, typed):
    """Python's Decimal reads them; Django then gave the message the value as a parameter,
    and the label's "(%)" made it fail: a 500 where the field should answer."""
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]),
        post_data(probability_of_success=typed),
    )
    message = "Write the percentage in plain digits, e.g. 35."
    refused_beside_it(response, "probability_of_success", message, typed)
    assert not GateDecision.objects.exists()


def test_the_percentage_s_exponent_message_reads_like_the_others(client, alice, bob):
    """As every field's: what to write beside the field, the label before it in the summary
    ("Probability of success (%): Write the percentage …")."""
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob, probability_of_success="3.5e1"))
    message = "Write the percentage in plain digits, e.g. 35 (not 3.5e1)."
    refused_beside_it(response, "probability_of_success", message, "3.5e1")


# --- Every number field of the pages is a text input ------------------------------------------


def _number_fields():
    from gates.forms import NewKillCriteriaForm

    fields = [
        (f"{cls.__module__}.{cls.__qualname__}.{name}", name, field)
        for cls in _app_form_classes()
        for name, field in getattr(cls, "base_fields", {}).items()
    ]
    # Fields made when the form is: the kill criteria's.
    fields += [(f"NewKillCriteriaForm.{n}", n, f) for n, f in NewKillCriteriaForm().fields.items()]
    return [
        (where, name, field)
        for where, name, field in fields
        if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField)
        and not field.widget.is_hidden
    ]


def test_every_number_field_of_the_pages_is_a_text_input_with_number_keys():
    numbers = _number_fields()
    assert len(numbers) > 15
    for where, name, field in numbers:
        tag = field.widget.render(name, "12,50")
        # A DecimalField is an IntegerField to Django: a whole number is one and not the other.
        whole = not isinstance(field, forms.DecimalField | forms.FloatField)
        assert 'type="text"' in tag, where
        assert f'inputmode="{"numeric" if whole else "decimal"}"' in tag, where
        assert 'spellcheck="false"' in tag, where
        assert 'autocomplete="off"' in tag, where
        assert 'value="12,50"' in tag, where  # what was typed, shown back
        # A range or a step is the server's to say: none made for a number input.
        assert not re.search(r'\s(min|max|step)="', tag), where


@pytest.mark.parametrize(
    ("role", "page", "names"),
    [
        ("alice", "spend_create", ["amount"]),
        ("bob", "outcome_create", ["realized_value"]),
        ("bob", "adoption_create", ["active_users", "minutes_per_task"]),
        ("alice", "proposal_create", ["projected_low", "probability_of_success"]),
        ("carol", "architecture_estimate_edit", ["build_cost", "cost_per_retrain"]),
        ("bob", "gate_review", ["funding_granted", "probability_of_success", "next-kc1_target"]),
    ],
)
def test_no_page_draws_a_number_input(client, request, product, role, page, names):
    """What a browser gets: text inputs, not one <input type="number"> on the page."""
    user = request.getfixturevalue(role)
    client.force_login(user)
    if page == "architecture_estimate_edit":
        project = make_project(key="EST-1", researcher=request.getfixturevalue("alice"))
        decide(project, 1, "go")
    elif page in ("gate_review",):
        project = make_project(
            key="REV-1",
            researcher=request.getfixturevalue("alice"),
            product_manager=request.getfixturevalue("bob"),
        )
    else:
        project = product
    args = [] if page == "proposal_create" else [project.key]
    body = client.get(reverse(page, args=args)).content.decode()
    assert 'type="number"' not in body
    for name in names:
        tag = input_tag(body, name)
        assert 'type="text"' in tag and "inputmode=" in tag, tag
