"""The shared money and percentage fields read numbers as people write them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from portfolio.forms import MoneyField, PercentField


@pytest.mark.parametrize("field_class", [MoneyField, PercentField])
@pytest.mark.parametrize("typed", ["1_000", "10_0", "_5", "１０００", "١٠٠٠"])
def test_python_digit_separators_are_not_a_number(field_class, typed):
    # Python's Decimal reads "10_0" as 100: a slip for 10.0 would be kept as 100; "１０００"
    # (full width) as 1000: digits of other scripts are not taken for ASCII ones.
    field = field_class(label="Amount")
    with pytest.raises(forms.ValidationError) as refused:
        field.clean(typed)
    with pytest.raises(forms.ValidationError) as not_a_number:
        field.clean("abc")
    # The same words (a money field's name what was typed: "Amount: abc is not an amount …").
    assert refused.value.messages == [m.replace("abc", typed) for m in not_a_number.value.messages]


def test_plain_numbers_are_still_read():
    assert MoneyField(label="Amount").clean("1000") == Decimal("1000.00")
    assert PercentField(label="Probability").clean("35") == Decimal("0.3500")
