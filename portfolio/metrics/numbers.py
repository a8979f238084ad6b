"""The engine's one number format: exact integers in, one rounding, Decimal out.

The queries sum money as integer cents and probabilities as integer
ten-thousandths, so no float ever enters a sum (SQLite stores decimals as
REAL; summing those would drift). Here those integers become numbers:

- money: :func:`money`, a Decimal exact to the cent;
- ratios (rates, Brier scores, means): :func:`ratio`, the exact quotient of
  two integers rounded once, halves away from zero (0.21675 → 0.2168), by
  integer arithmetic, so an exact tie is seen as one;
- :func:`json_number` writes either as a JSON number for metrics.md's shape.
"""

from __future__ import annotations

from decimal import Decimal

CENTS = 100
PROBABILITY_SCALE = 10_000  # probabilities are stored with 4 decimal places
RATE_PLACES = 4
MONEY_PLACES = 2


def ratio(numerator: int, denominator: int, places: int = RATE_PLACES) -> Decimal | None:
    """numerator / denominator to ``places`` decimals, halves away from zero; None over 0."""
    if not denominator:
        return None
    scale = 10**places
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator) * scale, abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return Decimal(-quotient if negative else quotient).scaleb(-places)


def money(cents: int | None) -> Decimal:
    """An amount of integer cents as a Decimal with two places."""
    return Decimal(int(cents or 0)).scaleb(-MONEY_PLACES)


def money_ratio(cents: int, denominator: int) -> Decimal | None:
    """A sum of money divided by a count, to the cent (spend per success, annualized value)."""
    return ratio(cents, denominator * CENTS, MONEY_PLACES)


def probability(ten_thousandths: int | None) -> Decimal | None:
    if ten_thousandths is None:
        return None
    return (Decimal(int(ten_thousandths)) / PROBABILITY_SCALE).normalize()


def json_number(value: Decimal | None) -> float | None:
    """A Decimal as metrics.md's JSON writes it (2301436.63, 0.2168); None stays null."""
    return None if value is None else float(value)
