"""Every form is drawn by one field template and one error summary (templates/_form/)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from portfolio.models import SpendEntry
from portfolio.web.forms import labelled
from tests.builders import greenlight, make_project

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_there_is_one_field_template_and_one_error_summary():
    fields = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("_field.html"))
    errors = sorted(
        p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("_form_errors.html")
    )
    assert fields == [] and errors == []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "_field.html" not in text, template
        assert "_form_errors.html" not in text, template


def test_a_refused_form_answers_400_with_each_error_beside_its_field(client, project, alice):
    client.force_login(alice)
    url = reverse("spend_create", args=[project.key])
    response = client.post(url, {"spent_on": "2026-01-20", "amount": "-3", "category": ""})
    assert response.status_code == 400
    body = response.content.decode()
    summary = body.index("data-error-summary")
    amount = body.index('id="field-amount"')
    category = body.index('id="field-category"')
    assert summary < amount < category
    # The summary names each field and links to it; focus lands on it (greenlight.js).
    assert '<a href="#id_amount">Amount: ' in body[summary:amount]
    assert '<a href="#id_category">Category: ' in body[summary:amount]
    assert 'tabindex="-1"' in body[summary - 200 : amount]
    # Beside the field: its message, and the widget says it is invalid and where the message is.
    widget = re.search(r'<input[^>]*name="amount"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in widget
    assert "id_amount_error" in widget
    assert 'id="id_amount_error"' in body[amount:category]
    assert not SpendEntry.objects.exists()


def test_required_fields_are_marked_for_eyes_and_for_assistive_technology(client, project, alice):
    client.force_login(alice)
    body = client.get(reverse("spend_create", args=[project.key])).content.decode()
    amount = body[body.index('id="field-amount"') : body.index('id="field-category"')]
    assert 'class="required-mark"' in amount
    assert re.search(r'<input[^>]*name="amount"[^>]*required', amount)
    assert "required-mark" not in body[body.index('id="field-note"') : body.index('name="note"')]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("242000.001", "Enter an amount with at most 2 decimals, e.g. 1200.50."),
        ("-5", "Enter an amount of at least 0."),
        (
            "99999999999999999999",
            "Enter an amount of at most 9,999,999,999,999.99 (13 digits before the decimal point).",
        ),
    ],
)
def test_the_summary_names_a_field_once_and_beside_it_says_what_to_enter(
    client, bob, carol, value, message
):
    """Beside the field its message says what to enter, under the label; the summary puts
    the label before it, once ("Realized value: Enter an amount of at least 0.")."""
    product = make_project(key="GL-0029", product_manager=bob)
    greenlight(product, bob, carol, on=datetime.date(2026, 4, 15))
    client.force_login(bob)
    response = client.post(
        reverse("outcome_create", args=[product.key]),
        {"month": "2026-07", "realized_value": value},
    )
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index("data-error-summary") : body.index('id="field-month"')]
    assert f'<a href="#id_realized_value">Realized value: {escape(message)}</a>' in summary
    assert "Realized value: Realized value" not in body
    assert body.count(escape(message)) == 2  # in the summary and beside the field
    assert f"<li>{escape(message)}</li>" in body[body.index('id="field-realized_value"') :]


def test_a_spend_amount_over_the_limit_is_named_once(client, project, alice):
    client.force_login(alice)
    response = client.post(
        reverse("spend_create", args=[project.key]),
        {"spent_on": "2026-01-20", "amount": "99999999999999999", "category": "compute"},
    )
    body = response.content.decode()
    summary = body[body.index("data-error-summary") : body.index('id="field-amount"')]
    assert '<a href="#id_amount">Amount: Enter an amount of at most 9,999,999,999,999.99' in summary
    assert "Amount: Amount" not in body


@pytest.mark.parametrize(
    ("label", "message", "said"),
    [
        (
            "Realized value",
            "Realized value cannot be negative.",
            "Realized value cannot be negative.",
        ),
        (
            "Amount",
            "Spend amount: the spend would come to 1.",
            "Spend amount: the spend would come to 1.",
        ),
        (
            "Funding (EUR)",
            "Funding: at most 2 decimal places.",
            "Funding: at most 2 decimal places.",
        ),
        ("Amount", "Enter a number.", "Amount: Enter a number."),
        ("Month", "2026-05 already has an outcome.", "Month: 2026-05 already has an outcome."),
        ("Note", "Amounts: see the note.", "Note: Amounts: see the note."),
        # A text quoted back does not name the field, though "an amount" ends like its label.
        (
            "Amount",
            "“1e” is not an amount: write it …",
            "Amount: “1e” is not an amount: write it …",
        ),
    ],
)
def test_a_message_is_labelled_unless_it_names_its_field(label, message, said):
    assert labelled(label, message) == said


class _HelpedForm(forms.Form):
    deadline = forms.DateField(help_text="Spend is recorded up to 2026-11-30.")
    answer = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        help_text="Met only with evidence.",
    )


def _described_by(html: str) -> list[str]:
    return re.search(r'aria-describedby="([^"]*)"', html).group(1).split()


def test_a_refused_field_is_described_by_its_message_then_its_help():
    """Its help is still read (and shown) once it is refused, after what is wrong."""
    form = _HelpedForm({"deadline": "someday"})
    html = form["deadline"].as_field_group()
    widget = re.search(r'<input[^>]*name="deadline"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in widget
    assert _described_by(widget) == ["id_deadline_error", "id_deadline_helptext"]
    assert re.search(r'id="id_deadline_error"><li>Enter a valid date', html)
    assert '<div class="helptext" id="id_deadline_helptext">Spend is recorded' in html


def test_a_refused_group_is_described_by_its_message_then_its_help():
    form = _HelpedForm({"deadline": "2026-12-01"})
    html = form["answer"].as_field_group()
    fieldset = re.search(r"<fieldset[^>]*>", html).group(0)
    assert _described_by(fieldset) == ["id_answer_error", "id_answer_helptext"]
    assert 'id="id_answer_error"' in html and 'id="id_answer_helptext"' in html
    # Each choice says the answer is wrong; the group, described once, names the rest.
    radios = re.findall(r'<input type="radio"[^>]*>', html)
    assert len(radios) == 2
    assert all('aria-invalid="true"' in r and "aria-describedby" not in r for r in radios)


def test_a_field_not_refused_is_described_by_its_help_alone():
    form = _HelpedForm()
    widget = re.search(r"<input[^>]*>", form["deadline"].as_field_group()).group(0)
    assert _described_by(widget) == ["id_deadline_helptext"]
    assert "aria-invalid" not in widget
