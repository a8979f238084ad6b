"""A number refused beside its field says what to enter, without the field's name: the label
is just above it, and the form's summary puts the label before it.

The pages' number fields said "Probability of success (%): between 0 and 100." under the label
"Probability of success (%)", "Low: at least 0." under "Low", "A cost cannot be negative."
under "Build cost": the name twice, and no word of what to type. They say "Enter a number
from 0 to 100.", "Enter an amount of at least 0.", and the summary "Probability of success
(%): Enter a number from 0 to 100.". The API, the services and the import still name the
field, where no label stands beside the message (tests/api/test_number_words.py).
"""

from __future__ import annotations

import html

import pytest
from django import forms
from django.urls import reverse

from portfolio.web.forms import names_its_field
from tests.gates.test_decision_create import post_data
from tests.gates.test_decision_digits_as_typed import _app_form_classes
from tests.portfolio.test_proposal_create import valid
from tests.portfolio.test_unreadable_numbers import beside

# Each refused by some number field: below its minimum, an exponent, no number, a misplaced
# comma, too many decimals, over its largest value, over a percentage's 100.
REFUSED = ["-1", "1e6", "lots", "12,50", "1.23456", "1" + "0" * 20, "150"]


def _number_fields():
    # By name: the form classes come in the order their modules were imported, which differs
    # between pytest-xdist's workers (and a collection that differs stops the whole run).
    return sorted(
        (
            (f"{cls.__qualname__}.{name}", field)
            for cls in _app_form_classes()
            for name, field in getattr(cls, "base_fields", {}).items()
            if isinstance(field, forms.IntegerField | forms.DecimalField) and field.label
        ),
        key=lambda found: found[0],
    )


@pytest.mark.parametrize(("where", "field"), _number_fields(), ids=[w for w, _ in _number_fields()])
def test_no_number_field_names_itself_in_its_refusals(where, field):
    said = []
    for typed in REFUSED:
        try:
            field.clean(typed)
        except forms.ValidationError as refused:
            said += refused.messages
    assert said, where
    for message in said:
        assert not names_its_field(message, field.label), (where, message)
        assert message[0].isupper() or message[0] == "“", (where, message)


@pytest.mark.parametrize(
    ("changes", "name", "label", "message"),
    [
        ({"probability_of_success": "150"}, "probability_of_success", "Probability of success (%)",
         "Enter a number from 0 to 100."),
        ({"projected_low": "-1"}, "projected_low", "Low", "Enter an amount of at least 0."),
    ],
)  # fmt: skip
def test_the_proposal_says_what_to_enter_beside_the_field(
    client, alice, bob, changes, name, label, message
):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), valid(bob, **changes))
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    part = beside(body, name)
    assert f"<li>{message}</li>" in part
    assert f"{label}:" not in part
    start = body.index("data-error-summary")
    summary = body[start : body.index("</ul>", start)]
    assert f"{label}: {message}</a>" in summary


def test_the_decision_says_what_to_enter_beside_the_field(client, project, bob):
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]),
        post_data(probability_of_success="140", funding_granted="-5"),
    )
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "<li>Enter a number from 0 to 100.</li>" in beside(body, "probability_of_success")
    assert "<li>Enter an amount of at least 0.</li>" in beside(body, "funding_granted")
    assert "Updated probability of success (%): between" not in body
