"""The planner's forms, drawn by the one form renderer (templates/_form/)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from portfolio.forms import Form
from portfolio.money import (
    misplaced_comma_message,
    plain_digits_message,
    typed_decimal,
    without_thousands_separators,
    written_with_exponent,
)


class NextStageAskForm(Form):
    """A project's next-stage ask: money, a comma only between thousands (``125,000.50``;
    ``1000,50`` is refused, not read as 100,050); empty asks nothing. The service says what
    an amount may be (not negative, at most two decimals)."""

    next_stage_ask = forms.CharField(
        label="Ask",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_next_stage_ask(self) -> Decimal | None:
        value = self.cleaned_data["next_stage_ask"].strip()
        if not value:
            return None
        text = without_thousands_separators(value)
        if text is None:  # 1000,50: a decimal comma, or a slip (portfolio.money)
            raise forms.ValidationError(misplaced_comma_message("Next-stage ask", value))
        if written_with_exponent(text):  # 1e6: a slip, not 1,000,000 (portfolio.money)
            raise forms.ValidationError(plain_digits_message("Next-stage ask", what="the amount"))
        ask = typed_decimal(text)
        if ask is None:
            raise forms.ValidationError(f"Next-stage ask: “{value}” is not a number.")
        return ask
