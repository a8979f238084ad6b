"""How every page writes numbers: one library, one format per kind of number and context.

Money is in the one currency of the settings (``CURRENCY``, ISO 4217) and is always
shown with it: ``money`` names it ("EUR 16,278"); ``amount`` and ``ledger`` are for
table cells whose column heading names it ("Spend (EUR)"). Whole units everywhere
(tiles, tables, sentences), rounded half up; cents only in ledgers, where entries must
add up to the cent. Chart axes alone use the short form ("26.7M").

A negative number written for people takes the typographic minus, "−" (U+2212), never the
hyphen: "EUR −1,280", PI −0.4000, bias −0.0120, "−1.27M" on an axis (``minus``). Every filter
here writes it so; a number for a machine (``raw`` in data-* attributes, CSV, JSON, the API,
the terminal) keeps the ASCII "-".
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django import template
from django.conf import settings

from portfolio import process
from portfolio.dashboard import charts
from portfolio.models import ArtifactKind, Bucket, SpendCategory, Status
from portfolio.money import LARGEST_AMOUNT

register = template.Library()

NONE = "—"
MINUS = "\u2212"  # "−": as wide as "+" and level with it; a hyphen is shorter and lower


@register.filter
def minus(text) -> str:
    """A number already written, with the typographic minus for a person: "-0.4" → "−0.4".
    A sign before nothing but zeros is dropped ("-0" → "0"); anything else is as it was."""
    text = str(text)
    if not text.startswith("-"):
        return text
    if not any(digit in "123456789" for digit in text):
        return text[1:]
    return MINUS + text[1:]


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Fraction):  # exact values (the outcome score's R): "456763/4"
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _grouped(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if abs(rounded) > LARGEST_AMOUNT >= abs(value):
        # Not past the largest amount kept: 9,999,999,999,999.99 is "9,999,999,999,999".
        rounded = value.quantize(quantum, rounding=ROUND_DOWN)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    return minus(f"{rounded:,.{places}f}")


@register.filter
def amount(value) -> str:
    """Whole units with thousands separators, for a cell under a heading naming the currency."""
    number = _decimal(value)
    return NONE if number is None else _grouped(number, 0)


@register.filter
def ledger(value) -> str:
    """To the cent, for ledgers (spend entries, monthly sums): 16,277.77."""
    number = _decimal(value)
    return NONE if number is None else _grouped(number, 2)


@register.filter
def money(value) -> str:
    """An amount with its currency, in whole units: "EUR 16,278"."""
    number = _decimal(value)
    return NONE if number is None else f"{settings.CURRENCY} {_grouped(number, 0)}"


@register.filter
def money_cents(value) -> str:
    """An amount with its currency, to the cent: "EUR 16,277.77"."""
    number = _decimal(value)
    return NONE if number is None else f"{settings.CURRENCY} {_grouped(number, 2)}"


@register.filter
def money_short(value) -> str:
    """Chart axes only: three significant digits, cut toward zero, "26.7M" (for 26.75M)."""
    return minus(charts.money_short(value))


@register.filter
def percent(value, digits=None) -> str:
    """A fraction as a percentage: 0.4 → "40%", 0.125 → "12.5%"; ``percent:1`` fixes the digits."""
    number = _decimal(value)
    if number is None:
        return NONE
    # As the metrics' text output writes rates (a float, formatted): the same number
    # reads the same on the dashboard, in its CSV and in the terminal.
    scaled = float(number) * 100
    if digits is None:
        return minus(f"{scaled:.1f}".rstrip("0").rstrip(".")) + "%"
    return minus(f"{scaled:.{int(digits)}f}") + "%"


@register.filter
def share(value) -> str:
    """A percentage already scaled to 0–100: 62.5 → "63%"."""
    number = _decimal(value)
    return NONE if number is None else f"{_grouped(number, 0).replace(',', '')}%"


@register.filter
def ratio(value, places=2) -> str:
    """A plain ratio, such as value returned per unit spent: 0.25."""
    number = _decimal(value)
    return NONE if number is None else _grouped(number, int(places))


@register.filter
def signed_bias(value) -> str:
    """A calibration bias with its sign, 4 decimals, halves away from zero: +0.0238, −0.0120."""
    rounded = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{MINUS if rounded < 0 else '+'}{abs(rounded):f}"


@register.filter
def thousands(value) -> str:
    """A count with thousands separators: 1,155."""
    return NONE if value is None else f"{value:,}"


@register.filter
def score(value) -> str:
    """A rate or Brier score as the metrics engine rounds it: 4 decimals."""
    number = _decimal(value)
    return NONE if number is None else minus(f"{float(number):.4f}")


@register.filter
def decimal(value) -> str:
    """A weight or a scorecard total: as many decimals as it has, up to 2 (7, 7.5, 7.25)."""
    number = _decimal(value)
    if number is None:
        return NONE
    return minus(
        f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}".rstrip("0").rstrip(".")
    )


@register.filter
def raw(value) -> str:
    """A machine-readable value for data-value attributes: unlocalized, empty for none."""
    return "" if value is None else str(value)


# The labels the models' ``get_FOO_display`` give, for values that are not a model's: a row
# of ``values()``, an archived history's JSON (gates/views/history.py).
LABELS = {
    "bucket": dict(Bucket.choices),
    "status": dict(Status.choices),
    "decision": process.DECISION_LABELS,
    "spend_category": dict(SpendCategory.choices),
    "artifact_kind": dict(ArtifactKind.choices),
}


@register.filter
def label_of(value: str, choices: str) -> str:
    """The display label of a bucket, a status, a decision, a spend category or an artifact
    kind: ``{{ row.bucket|label_of:"bucket" }}``; a value it does not know as it is."""
    return LABELS[choices].get(value, value)


@register.filter
def short_label(label: str) -> str:
    """A choice label without its parenthesised gloss: "Revenue (grow existing)" → "Revenue"."""
    return str(label).split(" (", 1)[0]
