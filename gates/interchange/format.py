"""The interchange format's rules as the importer applies them: each value's checks, each file's row.

The files and columns are ``portfolio.interchange_format``'s (shared with the
demo generator); here are the rules that need the app's models (the choices, an
e-mail's length), how a problem is worded (``FILE:LINE: column: message``), and
how each file's row is parsed into values.
"""

from __future__ import annotations

import datetime
import functools
import heapq
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from gates.models import RATIONALE_MAX
from portfolio import process
from portfolio.interchange_format import (
    ADOPTION,
    ALL_FILES,
    ARTIFACT_USES,
    ARTIFACTS,
    COLUMNS,
    DATE_PATTERN,
    DECISIONS,
    ESTIMATES,
    FILES,
    FORMAT,
    GATE_NUMBERS,
    KEY_PATTERN,
    LARGEST_AMOUNT,
    MAX_MONEY_DIGITS,
    MAX_TITLE_LENGTH,
    OPTIONAL_FILES,
    OUTCOMES,
    PROJECTS,
    RETRAINS_PER_YEAR,
    SPEND,
    formula_safe,
    formula_unquoted,
)
from portfolio.models import Bucket, ResearchType, SpendCategory, User, ValueKind
from portfolio.validators import BIDI_CONTROLS, is_blank, one_line_problem, plain_line_endings

# Where a problem is about the file or the row rather than one column.
WHOLE_FILE = "(file)"
WHOLE_ROW = "(row)"

# Computed once: the enums' .values is rebuilt on every access.
RESEARCH_TYPES = tuple(ResearchType.values)
BUCKETS = tuple(Bucket.values)
VALUE_KINDS = tuple(ValueKind.values)
SPEND_CATEGORIES = tuple(SpendCategory.values)

MAX_LISTED_PROBLEMS = 1000
MAX_EMAIL_LENGTH = User._meta.get_field("email").max_length
# ASCII digits only: \d would take "２" (full width), which Decimal reads as 2.
NUMBER_PATTERN = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
MONEY_PLAIN = re.compile(r"[0-9]{1," + str(MAX_MONEY_DIGITS) + r"}(?:\.[0-9]{1,2})?")
CENT = Decimal("0.01")
# What the pages refuse in one line of text (a title, an artifact's name), as one search:
# the control characters (Unicode's Cc, U+0000-U+001F and U+007F-U+009F, a line break and
# a tab among them) and the text-direction marks (portfolio.validators.one_line_problem,
# which words the problem once this finds one).
NOT_ONE_LINE = re.compile(
    "[\\x00-\\x1f\\x7f-\\x9f" + "".join(f"\\u{ord(c):04x}" for c in sorted(BIDI_CONTROLS)) + "]"
)


def as_one_line(value: str) -> str:
    """``value`` with each character the import refuses on one line written as U+FFFD: an
    export of text kept from before the pages refused them, so that it imports again. (A
    title or name with nothing visible in it, which the import reads as blank, is written
    so by the export's rule for every required text cell: ``export._readable_when_required``.)"""
    return NOT_ONE_LINE.sub("\ufffd", value)


def too_large(value: object, what: str = "") -> str:
    """An amount over the app's limit (portfolio.money), as a problem's message; ``what``:
    the total it is, when it is one (a project's spend)."""
    return (
        f"{what}{value} is more than {LARGEST_AMOUNT}, the largest amount Greenlight keeps "
        f"({MAX_MONEY_DIGITS} digits before the point)"
    )


__all__ = [  # the format's names, for the modules of this package
    "ADOPTION",
    "ALL_FILES",
    "ARTIFACTS",
    "ARTIFACT_USES",
    "COLUMNS",
    "DECISIONS",
    "ESTIMATES",
    "FILES",
    "FORMAT",
    "OPTIONAL_FILES",
    "OUTCOMES",
    "PROJECTS",
    "SPEND",
    "formula_safe",
]


# The last line of a list of problems cut at MAX_LISTED_PROBLEMS; problem_total reads it back.
MORE_PROBLEMS = "… and {count:,} more problems not listed"
_MORE_PROBLEMS = re.compile(r"… and ([0-9,]+) more problems? not listed")


def problem_total(lines: list[str]) -> int:
    """How many problems a list of them stands for: the listed ones and those its last line
    counts ("… and 469,000 more problems not listed"), which is not a problem itself."""
    if lines and (more := _MORE_PROBLEMS.fullmatch(lines[-1])):
        return len(lines) - 1 + int(more.group(1).replace(",", ""))
    return len(lines)


class ImportFailed(Exception):
    """The files break the format; nothing was written. ``errors``: one line per problem."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} problem(s) in the portfolio files")
        self.errors = errors


class Problems:
    """Every problem found, listed up to a limit so that memory stays bounded: the
    first ones in file order (files as ALL_FILES has them, then lines), whatever the
    order they were found in."""

    def __init__(self) -> None:
        # The listed ones, as a heap whose top is the last in file order.
        self.listed: list[tuple[int, int, int, str]] = []
        self.count = 0

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.count += 1
        entry = (-ALL_FILES.index(file), -line, -self.count, f"{file}:{line}: {column}: {message}")
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            heapq.heappush(self.listed, entry)
        elif entry > self.listed[0]:
            heapq.heapreplace(self.listed, entry)

    def add_file(self, file: str, message: str) -> None:
        """A problem of the whole file that no line stands for (``FILE: message``),
        listed where the file's header is."""
        self.count += 1
        entry = (-ALL_FILES.index(file), -1, -self.count, f"{file}: {message}")
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            heapq.heappush(self.listed, entry)
        elif entry > self.listed[0]:
            heapq.heapreplace(self.listed, entry)

    def add_first(self, problem: str) -> None:
        """A problem already worded (a workbook's unknown sheet, named by no file of the
        format), listed before those of the files."""
        self.count += 1
        entry = (1, 0, -self.count, problem)
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            heapq.heappush(self.listed, entry)
        elif entry > self.listed[0]:
            heapq.heapreplace(self.listed, entry)

    def __bool__(self) -> bool:
        return self.count > 0

    def as_list(self) -> list[str]:
        lines = [text for *_, text in sorted(self.listed, reverse=True)]
        if self.count > len(self.listed):
            lines.append(MORE_PROBLEMS.format(count=self.count - len(self.listed)))
        return lines

    def fail_if_any(self) -> None:
        if self:
            raise ImportFailed(self.as_list())


class Row:
    """One row's values, parsed column by column; each problem is recorded, not raised.

    Every cell is read un-quoted: a leading ``'`` that kept a spreadsheet from
    running the text as a formula is not part of the value (format version 2)."""

    __slots__ = ("file", "line", "values", "problems", "ok")

    def __init__(self, file: str, line: int, values: dict[str, str], problems: Problems):
        self.file = file
        self.line = line
        self.values = values
        self.problems = problems
        self.ok = True

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.add(self.file, self.line, column, message)

    def raw(self, column: str) -> str:
        value = (self.values.get(column) or "").strip()
        if value and not ("!" <= value[0] <= "~") and is_blank(value):
            # Nothing visible ("\u200b", a byte order mark): blank, as on the pages and in
            # the API (portfolio.validators.is_blank), so a required cell is "a value is
            # required" and an optional one is kept empty. A cell that begins with a visible
            # ASCII character, as nearly every one does, is not looked at further.
            return ""
        return _plain(formula_unquoted(value) if value[:1] == "'" else value)

    def required(self, column: str) -> str | None:
        value = self.raw(column)
        if not value:
            self.problem(column, "a value is required")
            return None
        return value

    def text(self, column: str, *, max_length: int | None = None) -> str | None:
        value = self.required(column)
        if value is not None and max_length is not None and len(value) > max_length:
            self.problem(column, f"at most {max_length} characters (this is {len(value)})")
            return None
        return value

    def one_line(self, column: str, *, max_length: int) -> str | None:
        """One line of text, held to the pages' rule: no line break, tab, other control or
        text-direction character, refused with the pages' words."""
        value = self.text(column, max_length=max_length)
        if value is not None and NOT_ONE_LINE.search(value):
            self.problem(column, one_line_problem(value))
            return None
        return value

    def free_text(self, column: str, *, max_length: int | None = None) -> str:
        """Text of many lines, kept as written (its spaces too, each line break as ``\\n``,
        as the pages keep it), or "" when nothing in it is visible; longer than
        ``max_length`` (what the pages and the API take) is a problem."""
        value = self.values.get(column) or ""
        if value and not ("!" <= value[0] <= "~") and is_blank(value):
            return ""
        value = _plain(formula_unquoted(value) if value[:1] == "'" else value)
        if max_length is not None and len(value) > max_length:
            self.problem(column, f"at most {max_length:,} characters (this is {len(value):,})")
        return value

    def choice(self, column: str, choices: tuple[str, ...]) -> str | None:
        value = self.required(column)
        if value is None:
            return None
        if value not in choices:
            self.problem(column, f"{value!r} is not one of: {', '.join(choices)}")
            return None
        return value

    def date(self, column: str, *, not_after: datetime.date | None = None) -> datetime.date | None:
        value = self.required(column)
        if value is None:
            return None
        try:
            if not DATE_PATTERN.match(value):
                raise ValueError
            day = datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(column, f"{value!r} is not a date: write YYYY-MM-DD (2026-03-31)")
            return None
        if not_after is not None and day > not_after:
            self.problem(column, f"{value} is in the future (today is {not_after})")
            return None
        return day

    def _decimal(self, column: str, value: str, what: str) -> Decimal | None:
        if not NUMBER_PATTERN.match(value):
            self.problem(column, f"{value!r} is not {what}")
            return None
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            self.problem(column, f"{value!r} is not {what}")
            return None

    def money(
        self,
        column: str,
        *,
        optional: bool = False,
        positive: bool = False,
        empty: Decimal | None = Decimal(0),
    ) -> Decimal | None:
        """``optional``: an empty cell is ``empty`` (0 unless said)."""
        value = self.raw(column)
        if MONEY_PLAIN.fullmatch(value):  # the usual case, quickly: no problem possible
            amount = Decimal(value)
            if amount or not positive:
                return amount.quantize(CENT)
        if not value:
            if optional:
                return empty
            self.problem(column, "a value is required")
            return None
        amount = self._decimal(
            column,
            value,
            "money: write a plain number with at most 2 decimals, no currency symbol "
            "or thousands separator (12000.50)",
        )
        if amount is None:
            return None
        if amount.as_tuple().exponent < -2:
            self.problem(column, f"{value!r} has more than 2 decimal places")
            return None
        if positive and amount <= 0:
            self.problem(column, f"{value} must be greater than 0")
            return None
        if amount < 0:
            self.problem(column, f"{value} must not be negative")
            return None
        if amount > LARGEST_AMOUNT:
            self.problem(column, too_large(value))
            return None
        return amount.quantize(CENT)

    def probability(self, column: str, *, optional: bool = False) -> Decimal | None:
        value = self.raw(column)
        if not value:
            if not optional:
                self.problem(column, "a value is required")
            return None
        probability = self._decimal(column, value, "a probability: write a decimal from 0 to 1")
        if probability is None:
            return None
        if not (0 <= probability <= 1):
            self.problem(column, f"{value} is outside [0, 1]: a probability is from 0 to 1")
            return None
        if probability.as_tuple().exponent < -4:
            self.problem(column, f"{value!r} has more than 4 decimal places")
            return None
        return probability

    def email(self, column: str, *, optional: bool = False) -> str | None:
        value = self.raw(column) if optional else self.required(column)
        if not value:
            return None
        if not _is_email(value):
            self.problem(column, f"{value!r} is not an e-mail address")
            return None
        if len(value) > MAX_EMAIL_LENGTH:
            self.problem(column, f"an e-mail address has at most {MAX_EMAIL_LENGTH} characters")
            return None
        return value.lower()

    def submitted_on_if_readable(self) -> datetime.date | None:
        """The submission date of a row with other problems, if readable (no new problem)."""
        value = self.raw("submitted_on")
        if DATE_PATTERN.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return None
        return None


def _plain(value: str) -> str:
    """A cell's line breaks as ``\\n``, as the pages keep them (``\\r\\n`` and ``\\r`` too):
    read once the cell is un-quoted, as its ``'`` may stand before a ``\\r``."""
    return plain_line_endings(value) if "\r" in value else value


@functools.lru_cache(maxsize=4096)
def _is_email(value: str) -> bool:
    """Django's check, once per address: a file names the same people on many rows."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# --- Each file's row -------------------------------------------------------------------


@dataclass(frozen=True)
class Dates:
    """The latest date a file may hold: today, as the app's services have it."""

    today: datetime.date


def parse_project(row: Row, dates: Dates) -> dict | None:
    key = row.required("key")
    if key is not None and not KEY_PATTERN.match(key):
        row.problem("key", f"{key!r} is not a key: use 1–32 letters, digits, - or _")
    values = {
        "key": key,
        "title": row.one_line("title", max_length=MAX_TITLE_LENGTH),
        "research_type": row.choice("research_type", RESEARCH_TYPES),
        "bucket": row.choice("bucket", BUCKETS),
        "researcher": row.email("researcher"),
        "product_manager": row.email("product_manager"),
        "submitted_on": row.date("submitted_on", not_after=dates.today),
        "value_kind": row.choice("value_kind", VALUE_KINDS),
        "projected_low": row.money("projected_low"),
        "projected_expected": row.money("projected_expected"),
        "projected_high": row.money("projected_high"),
        "probability_of_success": row.probability("probability_of_success"),
        "next_stage_ask": row.money("next_stage_ask", optional=True, empty=None),
    }
    low, expected, high = (
        values["projected_low"],
        values["projected_expected"],
        values["projected_high"],
    )
    if low is not None and expected is not None and low > expected:
        row.problem("projected_low", f"low ({low}) is above expected ({expected})")
    if expected is not None and high is not None and expected > high:
        row.problem("projected_high", f"high ({high}) is below expected ({expected})")
    return values if row.ok else None


def parse_decision(row: Row, dates: Dates) -> dict | None:
    gate = row.choice("gate", GATE_NUMBERS)
    values = {
        "project": row.required("project"),
        "gate": int(gate) if gate else None,
        "decided_on": row.date("decided_on", not_after=dates.today),
        "decision": row.choice("decision", process.DECISIONS),
        "funding_granted": row.money("funding_granted", optional=True),
        "decided_by": row.email("decided_by"),
        "probability_of_success": row.probability("probability_of_success", optional=True),
        "rationale": row.free_text("rationale", max_length=RATIONALE_MAX),
    }
    return values if row.ok else None


def parse_spend(row: Row, dates: Dates) -> dict | None:
    values = {
        "project": row.required("project"),
        "spent_on": row.date("spent_on", not_after=dates.today),
        "amount": row.money("amount", positive=True),
        "category": row.choice("category", SPEND_CATEGORIES),
        "note": row.free_text("note"),
    }
    return values if row.ok else None


def parse_outcome(row: Row, dates: Dates) -> dict | None:
    month = row.date("month", not_after=dates.today)
    if month is not None and month.day != 1:
        row.problem("month", f"{month.isoformat()} is not the first day of a month")
    values = {
        "project": row.required("project"),
        "month": month,
        "realized_value": row.money("realized_value"),
    }
    return values if row.ok else None


def parse_estimate(row: Row, dates: Dates) -> dict | None:
    retrains = row.choice("retrains_per_year", RETRAINS_PER_YEAR)
    values = {
        "project": row.required("project"),
        "estimated_on": row.date("estimated_on", not_after=dates.today),
        "build_cost": row.money("build_cost"),
        "monthly_run_cost": row.money("monthly_run_cost"),
        "retrains_per_year": int(retrains) if retrains else None,
        "cost_per_retrain": row.money("cost_per_retrain", optional=True),
        "estimated_by": row.email("estimated_by", optional=True),
    }
    return values if row.ok else None
