"""The largest ask shown never reads above what it is, an ask's unreadable text says what to
write as a misplaced comma does, and a gate review with no ask shows no ECV formula's PI."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from planning.forms import NextStageAskForm
from portfolio.dashboard.charts import money_short
from portfolio.templatetags.numbers import money

LARGEST = Decimal("9999999999999.99")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (LARGEST, "9999B"),
        (Decimal("999999.99"), "999k"),
        (Decimal("26750000"), "26.7M"),
        (Decimal("-999999.99"), "\u2212999k"),
        (Decimal("11203825.99"), "11.2M"),
        (Decimal("352000"), "352k"),
        (Decimal("950"), "950"),
        (Decimal("999.6"), "999"),
    ],
)
def test_the_short_form_never_reads_above_the_amount(value, shown):
    assert money_short(value) == shown


def test_the_largest_amount_in_whole_units_is_not_rounded_past_the_limit():
    assert money(LARGEST) == "EUR 9,999,999,999,999"
    assert money(Decimal("1234.50")) == "EUR 1,235"  # otherwise half up, as before


@pytest.mark.parametrize("typed", ["EUR 5", "3,00,000", "lots"])
def test_an_unreadable_ask_and_a_misplaced_comma_say_the_same(typed):
    form = NextStageAskForm({"next_stage_ask": typed})
    assert not form.is_valid()
    assert form.errors["next_stage_ask"] == [
        f"“{typed}” is not an amount: write it in plain digits with a point "
        "for decimals, e.g. 1000000.50 (a comma only between thousands: 1,000,000.50)."
    ]


def test_a_gate_review_without_an_ask_shows_no_pi_formula(client, project, bob):
    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    assert "PI</strong> = ECV / ask" not in body
    assert "− EUR 0;" not in body
    assert "no next-stage ask yet: no ECV and no PI" in body
