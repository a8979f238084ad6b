"""Text a person types on one line: no line breaks, control or text-direction characters.

A title with ``\\r\\nBcc: ...`` in it once turned an e-mail subject into a header
and the e-mail was dropped; a right-to-left override makes a name read as
something it is not. Every one-line field refuses them, with a message beside
the field: the forms through ``validate_one_line`` (on the model fields and the
plain forms), the services through ``check_one_line``.

The limits of money (``portfolio.money``) and of adoption's counts and minutes
(``portfolio.counts``) are here too, as model-field validators and service checks.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.deconstruct import deconstructible

from portfolio import counts, money
from portfolio.errors import DomainError

# Embeddings, overrides, isolates and marks that change the direction text is shown in.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def one_line_problem(value: str) -> str | None:
    """What is wrong with ``value`` as one line of text, or None."""
    for character in value:
        if character in BIDI_CONTROLS:
            return (
                "Remove the invisible text-direction character "
                f"(U+{ord(character):04X}): it can make the text read as something else."
            )
        if unicodedata.category(character) == "Cc":
            return "Use one line of plain text: no line breaks, tabs or other control characters."
    return None


def too_long_message(label: str, limit: int) -> str:
    """Text over its limit, naming the field: "Comment: at most 10,000 characters.", the
    services' and the API's words (api.problems)."""
    return f"{label}: at most {limit:,} characters."


def too_long_instruction(limit: int) -> str:
    """Text over its limit, beside the field (a form's ``error_messages["max_length"]``):
    "Shorten it to at most 10,000 characters."; the form's summary names the field."""
    return f"Shorten it to at most {limit:,} characters."


# --- Text with nothing to read -----------------------------------------------------------
# "   " is blank to Django's forms, which strip it, but "\u200b" (a zero-width space), a byte
# order mark or a Hangul filler is not: such text was kept as a written business case, shown
# as nothing. Text with no visible character is blank, on the pages (``portfolio.forms``)
# and in the API (``api.schemas.TextIn``) alike: a required field then says "This field is
# required.". Invisible: white space, control and format characters (Cc, Cf, Z*), and the
# other code points Unicode says are shown as nothing (Default_Ignorable_Code_Point: the
# variation selectors, the Hangul fillers, ...), and the Braille blank, used as a "blank" name.
_SHOWN_AS_NOTHING = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def is_invisible(character: str) -> bool:
    code = ord(character)
    if character.isspace() or unicodedata.category(character) in {"Cc", "Cf", "Zs", "Zl", "Zp"}:
        return True
    return any(low <= code <= high for low, high in _SHOWN_AS_NOTHING)


def is_blank(value: str | None) -> bool:
    """No visible character in ``value``: "", "   ", "\u200b", "\ufeff\n"."""
    return not value or all(is_invisible(character) for character in value)


def blank_if_invisible(value: str) -> str:
    """``value`` stripped as Django's forms strip it, or "" when nothing in it is visible."""
    value = value.strip()
    return "" if is_blank(value) else value


# --- Line endings ----------------------------------------------------------------------------
# Browsers send a text box's line breaks as "\r\n" (the HTML standard says so) and Django keeps
# them: text typed on a page was stored with "\r\n", text sent to the API or imported with
# "\n", and the same text then differed in its length, its digest and its export. Text is
# kept with "\n" alone, from the pages (``portfolio.forms``), the API (``api.schemas.TextIn``)
# and the import (``gates.interchange.format.Row``); an old Mac's lone "\r" is a line break too.


def plain_line_endings(value: str) -> str:
    """``value`` with each line break written ``\\n``: ``"a\\r\\nb\\rc"`` is ``"a\\nb\\nc"``."""
    if "\r" not in value:
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def validate_one_line(value: str) -> None:
    problem = one_line_problem(value or "")
    if problem:
        raise ValidationError(problem, code="control_character")


def check_one_line(fields: dict, names: Iterable[str]) -> None:
    """For services: refuse the first of ``names`` in ``fields`` that is not one clean line."""
    for name in names:
        value = fields.get(name)
        if isinstance(value, str):
            problem = one_line_problem(value)
            if problem:
                raise DomainError(problem, field=name)


@deconstructible(path="portfolio.validators.MoneyLimitValidator")
class MoneyLimitValidator(MaxValueValidator):
    """At most ``money.LARGEST_AMOUNT``. Its message is said beside the field (a page's form,
    the admin), saying what to enter, without the field's name; ``label`` names the field in
    the services' and the API's messages (``check_money``), and in the migrations."""

    code = "money_too_large"

    def __init__(self, label: str):
        self.label = label
        super().__init__(money.LARGEST_AMOUNT, message=money.too_large_instruction())


def check_money(amount: Decimal | None, *, label: str, field: str) -> None:
    """For services: refuse an amount over the limit, naming the field (``label``)."""
    if money.too_large(amount):
        raise DomainError(money.too_large_message(label), field=field)


def check_money_total(total: Decimal, *, label: str, what: str, field: str) -> None:
    """For services: refuse a change that takes a running total (``what``) over the limit."""
    if money.too_large(total):
        raise DomainError(money.total_too_large_message(label, what, total), field=field)


@deconstructible(path="portfolio.validators.CountLimitValidator")
class CountLimitValidator(MaxValueValidator):
    """A month's count (active users, tasks) of at most ``counts.LARGEST_COUNT``, said beside
    the field as ``MoneyLimitValidator`` says its limit."""

    code = "count_too_large"

    def __init__(self, label: str):
        self.label = label
        super().__init__(counts.LARGEST_COUNT, message=counts.COUNT_TOO_LARGE_INSTRUCTION)


@deconstructible(path="portfolio.validators.MinutesLimitValidator")
class MinutesLimitValidator(MaxValueValidator):
    """Minutes per task of at most ``counts.LARGEST_MINUTES``, said beside the field."""

    code = "minutes_too_large"

    def __init__(self, label: str):
        self.label = label
        super().__init__(counts.LARGEST_MINUTES, message=counts.MINUTES_TOO_LARGE_INSTRUCTION)


def check_count(value: int | None, *, label: str, field: str) -> None:
    """For services: refuse a month's count that is missing, negative or over the limit."""
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(counts.not_whole_message(label), field=field)
    if value < 0:
        raise DomainError(counts.negative_message(label), field=field)
    if counts.count_too_large(value):
        raise DomainError(counts.count_too_large_message(label), field=field)


def check_minutes(value: Decimal | None, *, label: str, field: str) -> None:
    """For services: refuse minutes per task over the limit."""
    if counts.minutes_too_large(value):
        raise DomainError(counts.minutes_too_large_message(label), field=field)
