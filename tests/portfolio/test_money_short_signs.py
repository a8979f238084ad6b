"""The charts' short amounts ("26.7M") are cut toward zero for both signs: never a size
above the amount's, so a loss is never shown larger than it is, as a gain is not
(−1,279,000 is "−1.27M", as 1,279,000 is "1.27M"; −999,999.99 is "−999k", not "−1000k"), with
the typographic minus wherever they are shown: on the charts' axes, in their titles and through
the templates' filter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portfolio.dashboard.charts import money_short
from portfolio.templatetags.numbers import money_short as money_short_filter

AMOUNTS = [
    ("1279000", "1.27M"),
    ("26750000", "26.7M"),
    ("999999.99", "999k"),
    ("1000", "1k"),
    ("999.6", "999"),
    ("100.5", "100"),
    ("9999999999999.99", "9999B"),
]


def _read(short: str) -> Decimal:
    short = short.replace("\u2212", "-")
    scale = {"k": 10**3, "M": 10**6, "B": 10**9}
    if short[-1] in scale:
        return Decimal(short[:-1]) * scale[short[-1]]
    return Decimal(short)


@pytest.mark.parametrize(("amount", "shown"), AMOUNTS)
def test_a_gain_and_a_loss_of_the_same_size_read_the_same(amount, shown):
    assert money_short(Decimal(amount)) == shown
    assert money_short(-Decimal(amount)) == f"\u2212{shown}"
    assert money_short_filter(-Decimal(amount)) == f"\u2212{shown}"


@pytest.mark.parametrize(("amount", "_shown"), AMOUNTS)
def test_the_size_shown_is_never_above_the_amount_s(amount, _shown):
    for value in (Decimal(amount), -Decimal(amount)):
        assert abs(_read(money_short(value))) <= abs(value)


@pytest.mark.parametrize("amount", ["-0.4", "-0.004", "0.4"])
def test_less_than_one_unit_either_way_is_0_without_a_sign(amount):
    assert money_short(Decimal(amount)) == "0"
