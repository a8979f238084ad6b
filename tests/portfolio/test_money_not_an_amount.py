"""Text that is no amount (``EUR 5``, ``€5``, ``1_000``) typed in a money field is refused in
one message wherever it is typed, with an example that fits the field: the pages' money fields
(spend, outcome, proposal, estimate, decision, next-stage ask) say what the planner's budget
says, "“EUR 5” is not an amount: write it in plain digits with a point for decimals, e.g.
1200.50 (a comma only between thousands: 1,200.50).", as they already said it of a misplaced
comma ("12,50"); beside the field without its name, which the summary puts before it.

Before, the pages said "Amount: write the amount in plain digits, e.g. 1200.50." where the
planner said "Budget: EUR 5 is not an amount: write it in plain digits with a point for
decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50).".
"""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from gates.forms import ArchitectureEstimateForm, DecisionForm
from planning.forms import NextStageAskForm
from portfolio.forms import MoneyField, OutcomeForm, ProposalForm, SpendForm
from portfolio.models import SpendEntry
from tests.builders import PLAN_AS_OF

NOT_AMOUNTS = ["EUR 5", "€5", "5 EUR", "5€", "1_000", "１０００", "1e", "NaN", "lots"]


def not_an_amount(label: str | None, typed: str, example: str) -> str:
    """What is said of ``typed``: beside a page's field (no ``label``) or named (the plan)."""
    whole, _, decimals = example.partition(".")
    write_it = (
        "write it in plain digits with a point for decimals, e.g. "
        f"{example} (a comma only between thousands: {int(whole):,}.{decimals})."
    )
    if label is None:
        return f"“{typed}” is not an amount: {write_it}"
    return f"{label}: {typed} is not an amount: {write_it}"


def said(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("typed", NOT_AMOUNTS)
def test_a_spend_page_amount_says_what_the_planner_says(client, alice, erin, project, typed):
    client.force_login(alice)
    data = {"spent_on": "2026-01-20", "amount": typed, "category": "compute", "note": ""}
    response = client.post(reverse("spend_create", args=[project.key]), data)
    assert response.status_code == 400
    assert f"Amount: {not_an_amount(None, typed, '1200.50')}" in said(response)  # the summary
    assert "write the amount in plain digits, e.g. 1200.50." not in said(response)
    assert not SpendEntry.objects.exists()

    # The planner's money fields, the same words with their own example.
    ask = client.post(reverse("next_stage_ask_edit", args=[project.key]), {"next_stage_ask": typed})
    assert ask.status_code == 400
    assert f"Ask: {not_an_amount(None, typed, '1000000.50')}" in said(ask)
    client.force_login(erin)
    plan = client.get(reverse("plan"), {"budget": typed, "as_of": PLAN_AS_OF})
    assert plan.status_code == 400
    assert not_an_amount("Budget", typed, "1000000.50") in said(plan)


def _money_fields():
    forms = [SpendForm, OutcomeForm, ProposalForm, ArchitectureEstimateForm, DecisionForm]
    fields = [
        (f"{form.__name__}.{name}", field)
        for form in forms
        for name, field in form.base_fields.items()
        if isinstance(field, MoneyField)
    ]
    assert len(fields) >= 9
    return fields


@pytest.mark.parametrize("typed", ["EUR 5", "€5", "12,50"])
@pytest.mark.parametrize(("where", "field"), _money_fields(), ids=[w for w, _ in _money_fields()])
def test_every_money_field_of_the_pages_says_it_in_one_message(where, field, typed):
    from django import forms

    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    assert refused.value.messages == [not_an_amount(None, typed, "1200.50")], where


@pytest.mark.parametrize("typed", ["EUR 5", "12,50"])
def test_the_next_stage_ask_form_says_it_in_the_same_words(typed):
    form = NextStageAskForm({"next_stage_ask": typed})
    assert form.errors["next_stage_ask"] == [not_an_amount(None, typed, "1000000.50")]


@pytest.mark.parametrize("typed", ["1,200.50", "1200.5", " 5 ", ".5"])
def test_amounts_are_still_read(typed):
    assert MoneyField(label="Amount").clean(typed) is not None
