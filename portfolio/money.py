"""The largest amount of money Greenlight keeps: one limit for every way an amount comes in.

SQLite keeps a decimal column as a REAL (a double) and Django reads it back rounded
to 15 significant digits, then to the column's places; an amount of 16 digits came
back changed, and one of 99,999,999,999,999.95 or more as 100,000,000,000,000.00,
which no longer fits the column: every page reading the project failed. 13 digits
before the point and 2 after is 15 significant digits, which SQLite and PostgreSQL
both store and read back exactly. The columns keep their 16 digits (narrowing them
would rewrite every money table on PostgreSQL); the limit is a check.

The pages' forms, the model fields (so the admin too), the services, the API's
documents and the interchange import all apply it from here. A running total (a
project's spend, its funding granted) is held to it as well. Pure Python, like
``portfolio.interchange_format``, which reads it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MONEY_DIGITS_BEFORE_POINT = 13
MONEY_DECIMAL_PLACES = 2
LARGEST_AMOUNT = Decimal(10) ** MONEY_DIGITS_BEFORE_POINT - Decimal("0.01")  # 9999999999999.99
LARGEST_AMOUNT_TEXT = f"{LARGEST_AMOUNT:,}"  # 9,999,999,999,999.99


def too_large(amount: Decimal | None) -> bool:
    return amount is not None and amount > LARGEST_AMOUNT


def too_large_message(label: str) -> str:
    """What the API and a service say of an amount over the limit, naming the field."""
    return f"{label}: at most {LARGEST_AMOUNT_TEXT} (13 digits before the decimal point)."


# Beside the field (a page's form, the admin) a refusal says what to enter, without the
# field's name: the label is shown above it, and the form's summary puts the label before
# it (portfolio.web.forms.labelled). Away from a field (the API, a service, the command
# line) the ``*_message`` functions name the field.


def too_large_instruction() -> str:
    """Beside the field: what to enter instead of an amount over the limit."""
    return f"Enter an amount of at most {LARGEST_AMOUNT_TEXT} (13 digits before the decimal point)."


def total_too_large_message(label: str, what: str, total: Decimal) -> str:
    """What is said when an amount that fits would take a running total over the limit."""
    return (
        f"{label}: {what} would come to {total:,.2f}, over {LARGEST_AMOUNT_TEXT}, "
        "the largest amount Greenlight keeps."
    )


def digits_as_typed(text: str) -> bool:
    """Whether ``text`` writes its number in what people type for one.

    Python's ``int`` and ``Decimal`` read more: ``1_000`` (a digit separator of Python
    source; typed in a form it is a slip, for 1,000 or 10.00 or 1.000) and the digits of
    every script, ``１０００`` (full width) or ``١٠٠٠`` (Arabic-Indic), as 1000. Greenlight
    reads ASCII digits only, as its interchange files do: such text, surrounding spaces
    aside, is not a number here. An exponent (``1e6``) is ``written_with_exponent``'s to
    refuse, in the number fields: an id or a date has none to read.
    """
    text = text.strip()
    return "_" not in text and text.isascii()


# A number with an exponent: digits, a point or not, then e or E and a whole number.
EXPONENT_FORM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")


def written_with_exponent(text: str) -> bool:
    """Whether ``text`` writes a number with an exponent: ``1e6``, ``2E3``, ``1e-2``.

    Python's ``Decimal`` and ``float`` read them (1,000,000, 2,000, 0.01), as do HTML's
    ``<input type=number>`` (which sends them as typed) and a JSON number; people write
    amounts in plain digits, and Greenlight's interchange files take plain digits only. A
    number field refuses them with a message saying so (``plain_digits_message``) rather
    than keep 1e6 as 1,000,000.00 or say only "Enter a number."; ``typed_decimal`` reads
    them as no number. Surrounding spaces aside, as the fields read a number.
    """
    return EXPONENT_FORM.fullmatch(text.strip()) is not None


def plain_digits_message(
    label: str, *, what: str = "the number", example: str = "1000000", instead_of: str = "1e6"
) -> str:
    """What is said of a number written with an exponent (``written_with_exponent``), away
    from its field: "Budget: write the amount in plain digits, e.g. 1000000 (not 1e6)."."""
    return f"{label}: write {what} in plain digits, e.g. {example} (not {instead_of})."


def plain_digits_instruction(
    *, what: str = "the number", example: str = "1000000", instead_of: str = "1e6"
) -> str:
    """``plain_digits_message`` beside the field: "Write the amount in plain digits, …"."""
    return f"Write {what} in plain digits, e.g. {example} (not {instead_of})."


# A number whose whole part is grouped in thousands by commas: a first group of 1-3 digits
# (not starting with 0), then groups of three, then a decimal point and its digits (or an
# exponent, for ``written_with_exponent`` to refuse), with no comma after the point.
THOUSANDS_GROUPED = re.compile(r"([+-]?)([1-9][0-9]{0,2}(?:,[0-9]{3})+)((?:[.eE][^,]*)?)")


def without_thousands_separators(text: str) -> str | None:
    """``text`` (stripped) with its thousands separators taken out, or None when it has a
    comma anywhere else.

    ``1,000,000`` and ``1,000,000.50`` are 1000000 and 1000000.50; ``1000,50``, ``2,5``,
    ``1,00`` and ``0,1`` are no number here (``misplaced_comma_message``): a decimal comma
    read as a separator made ``1000,50`` 100,050 and ``2,5`` 25. The one rule for every
    amount a person types on a page: the planner's numbers and the next-stage ask
    (``typed_decimal``), the pages' money fields (``portfolio.forms.MoneyField``) and the
    outcome form's script (``static/js/outcome.js``). The API's documents and the interchange
    files take no separator at all.
    """
    text = text.strip()
    if "," not in text:
        return text
    grouped = THOUSANDS_GROUPED.fullmatch(text)
    if grouped is None:
        return None
    sign, digits, rest = grouped.groups()
    return sign + digits.replace(",", "") + rest


def grouped_in_thousands(example: str) -> str:
    """``example`` (plain digits, ``1200.50``) with a comma between its thousands: ``1,200.50``."""
    whole, point, decimals = example.partition(".")
    return f"{int(whole):,}{point}{decimals}"


def misplaced_comma_message(
    label: str,
    text: str,
    *,
    example: str,
    what: str = "an amount",
    grouped: bool = True,
    decimals: bool = True,
) -> str:
    """What a field says of a number with a comma not between thousands
    (``without_thousands_separators``), and of any other text that is no number (``EUR 5``,
    ``1_000``) in the planner's numbers and every money field of the pages, with an
    ``example`` that fits the field: an amount's
    example is shown again grouped in thousands, where a comma may go (``1200.50``, then
    ``1,200.50``); a number that is never in the thousands (a rate, a share) gives no
    ``grouped`` one."""
    return f"{label}: {text.strip()} is not {what}: {_write_it(example, grouped, decimals)}"


def not_an_amount_instruction(text: str, *, example: str) -> str:
    """``misplaced_comma_message`` beside an amount's field, the text typed quoted: "“12,50”
    is not an amount: write it in plain digits with a point for decimals, e.g. 1200.50 (a
    comma only between thousands: 1,200.50)."."""
    return f"“{text.strip()}” is not an amount: {_write_it(example, True, True)}"


def _write_it(example: str, grouped: bool, decimals: bool) -> str:
    how = "in plain digits with a point for decimals" if decimals else "in plain digits"
    where = f" (a comma only between thousands: {grouped_in_thousands(example)})" if grouped else ""
    return f"write it {how}, e.g. {example}{where}."


def typed_decimal(text: str) -> Decimal | None:
    """The number written in ``text`` (stripped, thousands separators taken out), or None.

    Python's ``Decimal`` reads more than people write: ``1_000`` and ``１０００``
    (``digits_as_typed``), ``1e6`` (``written_with_exponent``) and ``NaN`` or
    ``Infinity``, none of them an amount. A comma is a thousands separator only where one
    goes (``1,000,000.50``): ``1000,50`` is None (``without_thousands_separators``).
    Every input that reads a decimal number from text a person typed goes through this, or
    refuses what ``digits_as_typed`` and ``written_with_exponent`` refuse as the forms'
    fields do (``RefusesDigitSeparators``, ``RefusesExponents``, the admin's too:
    ``portfolio.admin_fields``), and a comma as ``without_thousands_separators`` does (the
    pages' money fields, ``portfolio.forms.MoneyField``) or any comma (the other number
    fields, the admin's).
    """
    text = without_thousands_separators(text)
    if text is None or not digits_as_typed(text) or written_with_exponent(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
