"""Import and export of a whole portfolio, in the interchange format (spec/portfolio-format.md).

A portfolio is four CSV files: projects, gate decisions, spend and outcomes.

Import reads every file twice. The first pass checks everything and keeps only
small per-project state (dates, running totals, the order of its decisions), so
memory does not grow with the number of spend rows; every problem is listed as
``FILE:LINE: column: message``. Only when there is none does the second pass
write, in one transaction, in batches (COPY on PostgreSQL for spend). So a bad
file writes nothing.

Replacing projects that already exist (``replace=True``, admins only) is the one
path in the app that removes gate decisions: they are history, refused by the
model layer and, on PostgreSQL, by a trigger that lets a DELETE through only
inside a transaction that sets ``greenlight.allow_history_rewrite``. Every
replaced project gets an audit entry saying so.

This module lives in ``gates`` because it writes gate decisions; ``portfolio``
never imports it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, BinaryIO

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from gates.models import CriterionScore, Gate, GateDecision
from portfolio import process, versioning
from portfolio.models import (
    AuditEntry,
    Bucket,
    Outcome,
    Project,
    ResearchType,
    Role,
    SpendCategory,
    SpendEntry,
    SpendMonth,
    Status,
    User,
    ValueKind,
)

PROJECTS = "projects.csv"
DECISIONS = "gate_decisions.csv"
SPEND = "spend.csv"
OUTCOMES = "outcomes.csv"
FILES = (PROJECTS, DECISIONS, SPEND, OUTCOMES)

# column -> required?
COLUMNS: dict[str, dict[str, bool]] = {
    PROJECTS: {
        "key": True,
        "title": True,
        "research_type": True,
        "bucket": True,
        "researcher": True,
        "product_manager": True,
        "submitted_on": True,
        "value_kind": True,
        "projected_low": True,
        "projected_expected": True,
        "projected_high": True,
        "probability_of_success": True,
    },
    DECISIONS: {
        "project": True,
        "gate": True,
        "decided_on": True,
        "decision": True,
        "funding_granted": False,
        "decided_by": True,
        "probability_of_success": False,
        "rationale": False,
    },
    SPEND: {"project": True, "spent_on": True, "amount": True, "category": True, "note": False},
    OUTCOMES: {"project": True, "month": True, "realized_value": True},
}

# Where a problem is about the file or the row rather than one column.
WHOLE_FILE = "(file)"
WHOLE_ROW = "(row)"

# Computed once: the enums' .values is rebuilt on every access.
RESEARCH_TYPES = tuple(ResearchType.values)
BUCKETS = tuple(Bucket.values)
VALUE_KINDS = tuple(ValueKind.values)
SPEND_CATEGORIES = tuple(SpendCategory.values)
GATE_NUMBERS = ("1", "2", "3", "4")

BATCH_SIZE = 5000
# Model instances cost kilobytes each: smaller batches keep memory flat.
OBJECT_BATCH_SIZE = 1000
PROGRESS_EVERY = 10_000
MAX_LISTED_PROBLEMS = 1000
MAX_EMAIL_LENGTH = User._meta.get_field("email").max_length
MAX_MONEY_DIGITS = 14  # MONEY is 16 digits, 2 of them decimals
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class ImportFailed(Exception):
    """The files break the format; nothing was written. ``errors``: one line per problem."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} problem(s) in the portfolio files")
        self.errors = errors


@dataclass
class ImportSummary:
    projects_created: int = 0
    projects_replaced: int = 0
    decisions: int = 0
    spend_entries: int = 0
    outcomes: int = 0
    users_created: int = 0

    @property
    def projects(self) -> int:
        return self.projects_created + self.projects_replaced

    def __str__(self) -> str:
        replaced = f" ({self.projects_replaced} replaced)" if self.projects_replaced else ""
        return (
            f"Imported {self.projects} projects{replaced}, {self.decisions} gate decisions, "
            f"{self.spend_entries} spend entries and {self.outcomes} outcome months; "
            f"{self.users_created} new people."
        )


# progress(stage, file, rows so far, finished?) — stage is "checking" or "writing".
Progress = Callable[[str, str, int, bool], None]


# --- Problems ------------------------------------------------------------------------


class _Problems:
    """Every problem found, listed up to a limit so that memory stays bounded."""

    def __init__(self) -> None:
        self.listed: list[tuple[int, int, str]] = []
        self.count = 0

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            self.listed.append((FILES.index(file), line, f"{file}:{line}: {column}: {message}"))

    def __bool__(self) -> bool:
        return self.count > 0

    def as_list(self) -> list[str]:
        lines = [text for _, _, text in sorted(self.listed, key=lambda p: (p[0], p[1]))]
        if self.count > len(self.listed):
            lines.append(f"… and {self.count - len(self.listed)} more problems not listed")
        return lines


# --- Reading CSV ------------------------------------------------------------------------


class _CsvFile:
    """The data rows of one file, as (line, {column: value}).

    LINE counts the header as 1 and is where the row starts (a quoted value may
    span lines). A file that is not UTF-8, not CSV, or whose header is wrong is
    reported and read no further; ``readable`` tells whether its header was good.
    """

    def __init__(self, stream: BinaryIO, name: str, problems: _Problems):
        self.stream = stream
        self.name = name
        self.problems = problems
        self.readable = False
        self._undecodable = False

    def _lines(self) -> Iterator[str]:
        for number, raw in enumerate(iter(self.stream.readline, b""), start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if b"\x00" in raw:
                # Not text; and PostgreSQL refuses NUL in a text value.
                self._undecodable = True
                self.problems.add(
                    self.name,
                    number,
                    WHOLE_FILE,
                    f"the file has a NUL byte at position {raw.index(b'\x00') + 1} of this line: "
                    "it is not a CSV text file",
                )
                return
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._undecodable = True
                self.problems.add(
                    self.name,
                    number,
                    WHOLE_FILE,
                    f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at position "
                    f"{exc.start + 1} of this line): save it as UTF-8",
                )
                return

    def _header_ok(self, header: list[str]) -> bool:
        columns = COLUMNS[self.name]
        ok = True
        seen: set[str] = set()
        for column in header:
            if column in seen:
                self.problems.add(self.name, 1, column or "(blank)", "this column appears twice")
                ok = False
            elif column not in columns:
                self.problems.add(
                    self.name,
                    1,
                    column or "(blank)",
                    f"unknown column (the columns are: {', '.join(columns)})",
                )
                ok = False
            seen.add(column)
        for column, required in columns.items():
            if required and column not in seen:
                self.problems.add(self.name, 1, column, "missing column")
                ok = False
        return ok

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.reader(self._lines(), strict=True)
        try:
            header = next(reader, None)
            if header is None or not any(cell.strip() for cell in header):
                if not self._undecodable:
                    self.problems.add(
                        self.name, 1, WHOLE_FILE, "the file is empty: it needs a header row"
                    )
                return
            header = [cell.strip() for cell in header]
            if not self._header_ok(header):
                return
            self.readable = True
            previous_line = reader.line_num
            for row in reader:
                line = previous_line + 1
                previous_line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                if len(row) != len(header):
                    self.problems.add(
                        self.name,
                        line,
                        WHOLE_ROW,
                        f"{len(row)} values, but the header has {len(header)} columns",
                    )
                    continue
                yield line, dict(zip(header, row, strict=True))
        except csv.Error as exc:
            self.readable = False
            self.problems.add(self.name, reader.line_num, WHOLE_FILE, f"not valid CSV: {exc}")
        finally:
            if self._undecodable:
                self.readable = False


class _Row:
    """One row's values, parsed column by column; each problem is recorded, not raised."""

    __slots__ = ("file", "line", "values", "problems", "ok")

    def __init__(self, file: str, line: int, values: dict[str, str], problems: _Problems):
        self.file = file
        self.line = line
        self.values = values
        self.problems = problems
        self.ok = True

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        self.problems.add(self.file, self.line, column, message)

    def raw(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

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

    def free_text(self, column: str) -> str:
        return self.values.get(column) or ""

    def choice(self, column: str, choices: tuple[str, ...]) -> str | None:
        value = self.required(column)
        if value is None:
            return None
        if value not in choices:
            self.problem(column, f"{value!r} is not one of: {', '.join(choices)}")
            return None
        return value

    def date(self, column: str) -> datetime.date | None:
        value = self.required(column)
        if value is None:
            return None
        try:
            if not DATE_PATTERN.match(value):
                raise ValueError
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(column, f"{value!r} is not a date: write YYYY-MM-DD (2026-03-31)")
            return None

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
        self, column: str, *, optional: bool = False, positive: bool = False
    ) -> Decimal | None:
        value = self.raw(column)
        if not value:
            if optional:
                return Decimal(0)
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
        if amount.adjusted() >= MAX_MONEY_DIGITS:
            self.problem(column, f"{value} is too large")
            return None
        return amount.quantize(Decimal("0.01"))

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

    def email(self, column: str) -> str | None:
        value = self.required(column)
        if value is None:
            return None
        try:
            validate_email(value)
        except ValidationError:
            self.problem(column, f"{value!r} is not an e-mail address")
            return None
        if len(value) > MAX_EMAIL_LENGTH:
            self.problem(column, f"an e-mail address has at most {MAX_EMAIL_LENGTH} characters")
            return None
        return value.lower()


# --- Sources: a folder, or uploaded files --------------------------------------------


class _Source:
    """Opens each of the four files (again, for the second pass) as a binary stream."""

    def open(self, name: str) -> contextlib.AbstractContextManager[BinaryIO]:
        raise NotImplementedError


class _FolderSource(_Source):
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def open(self, name: str):
        return (self.directory / name).open("rb")

    def exists(self, name: str) -> bool:
        return (self.directory / name).is_file()


class _UploadSource(_Source):
    def __init__(self, files: dict[str, BinaryIO]):
        self.files = files

    def open(self, name: str):
        stream = self.files[name]
        stream.seek(0)
        # Django's uploaded files split lines on \r as well; read the file underneath.
        return contextlib.nullcontext(getattr(stream, "file", stream))

    def exists(self, name: str) -> bool:
        return self.files.get(name) is not None


# --- The first pass: checks --------------------------------------------------------------


@dataclass
class _Decision:
    line: int
    decided_on: datetime.date
    gate: int
    decision: str
    funding: Decimal
    probability: Decimal | None


@dataclass
class _ProjectState:
    """What the checks keep about one project: small, whatever the size of the files."""

    line: int
    submitted_on: datetime.date | None = None
    decisions: list[_Decision] = field(default_factory=list)
    decisions_broken: bool = False
    # What the services would maintain, computed from the files.
    status: str = Status.ACTIVE
    current_gate: int | None = 1
    last_decision_on: datetime.date | None = None
    latest_probability: Decimal | None = None
    funding_total: Decimal = Decimal(0)
    greenlit_on: datetime.date | None = None
    decisions_count: int = 0
    spend_total: Decimal = Decimal(0)
    last_spend_on: datetime.date | None = None
    existing_id: int | None = None


@dataclass
class _Plan:
    """Everything the checks learned that the writing needs."""

    projects: dict[str, _ProjectState] = field(default_factory=dict)
    sequence_by_line: dict[int, int] = field(default_factory=dict)
    researchers: set[str] = field(default_factory=set)
    product_managers: set[str] = field(default_factory=set)
    deciders: set[str] = field(default_factory=set)


def _parse_project(row: _Row) -> dict | None:
    key = row.required("key")
    if key is not None and not KEY_PATTERN.match(key):
        row.problem("key", f"{key!r} is not a key: use 1–32 letters, digits, - or _")
    values = {
        "key": key,
        "title": row.text("title", max_length=200),
        "research_type": row.choice("research_type", RESEARCH_TYPES),
        "bucket": row.choice("bucket", BUCKETS),
        "researcher": row.email("researcher"),
        "product_manager": row.email("product_manager"),
        "submitted_on": row.date("submitted_on"),
        "value_kind": row.choice("value_kind", VALUE_KINDS),
        "projected_low": row.money("projected_low"),
        "projected_expected": row.money("projected_expected"),
        "projected_high": row.money("projected_high"),
        "probability_of_success": row.probability("probability_of_success"),
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


def _parse_decision(row: _Row) -> dict | None:
    gate = row.choice("gate", GATE_NUMBERS)
    values = {
        "project": row.required("project"),
        "gate": int(gate) if gate else None,
        "decided_on": row.date("decided_on"),
        "decision": row.choice("decision", process.DECISIONS),
        "funding_granted": row.money("funding_granted", optional=True),
        "decided_by": row.email("decided_by"),
        "probability_of_success": row.probability("probability_of_success", optional=True),
        "rationale": row.free_text("rationale"),
    }
    return values if row.ok else None


def _parse_spend(row: _Row) -> dict | None:
    values = {
        "project": row.required("project"),
        "spent_on": row.date("spent_on"),
        "amount": row.money("amount", positive=True),
        "category": row.choice("category", SPEND_CATEGORIES),
        "note": row.free_text("note"),
    }
    return values if row.ok else None


def _parse_outcome(row: _Row) -> dict | None:
    month = row.date("month")
    if month is not None and month.day != 1:
        row.problem("month", f"{month.isoformat()} is not the first day of a month")
    values = {
        "project": row.required("project"),
        "month": month,
        "realized_value": row.money("realized_value"),
    }
    return values if row.ok else None


class _Counter:
    """Counts rows and reports progress every so often."""

    def __init__(self, progress: Progress | None, stage: str, name: str):
        self.progress = progress
        self.stage = stage
        self.name = name
        self.rows = 0

    def tick(self) -> None:
        self.rows += 1
        if self.progress is not None and self.rows % PROGRESS_EVERY == 0:
            self.progress(self.stage, self.name, self.rows, False)

    def done(self) -> None:
        if self.progress is not None:
            self.progress(self.stage, self.name, self.rows, True)


def _check(source: _Source, *, replace: bool, progress: Progress | None) -> _Plan:
    """The first pass: every rule of the format, and the keys already in the database."""
    problems = _Problems()
    plan = _Plan()
    missing = [name for name in FILES if not source.exists(name)]
    for name in missing:
        problems.add(
            name, 1, WHOLE_FILE, f"missing: a portfolio is the four files {', '.join(FILES)}"
        )
    if missing:
        raise ImportFailed(problems.as_list())

    projects = plan.projects
    folded_keys: dict[str, int] = {}  # key ignoring case -> line of its first row
    projects_readable = True

    def lookup(row: _Row, key: str | None) -> _ProjectState | None:
        if key is None:
            return None
        state = projects.get(key)
        if state is None and projects_readable:
            row.problem("project", f"unknown project key {key!r} (not in {PROJECTS})")
        return state

    # projects.csv
    counter = _Counter(progress, "checking", PROJECTS)
    with source.open(PROJECTS) as stream:
        rows = _CsvFile(stream, PROJECTS, problems)
        for line, values in rows:
            counter.tick()
            row = _Row(PROJECTS, line, values, problems)
            parsed = _parse_project(row)
            key = row.raw("key")
            if not key:
                continue
            folded = key.lower()
            if folded in folded_keys:
                row.problem("key", f"duplicate key {key!r} (first on line {folded_keys[folded]})")
                continue
            folded_keys[folded] = line
            projects[key] = _ProjectState(
                line=line, submitted_on=parsed["submitted_on"] if parsed else row_date(row)
            )
            if parsed:
                plan.researchers.add(parsed["researcher"])
                plan.product_managers.add(parsed["product_manager"])
        # A broken header leaves no keys to check the other files against.
        projects_readable = rows.readable
    counter.done()

    _check_existing_keys(projects, problems, replace=replace)

    # gate_decisions.csv: collected per project, then replayed in date order.
    counter = _Counter(progress, "checking", DECISIONS)
    with source.open(DECISIONS) as stream:
        for line, values in _CsvFile(stream, DECISIONS, problems):
            counter.tick()
            row = _Row(DECISIONS, line, values, problems)
            parsed = _parse_decision(row)
            state = lookup(row, row.raw("project") or None)
            if state is None:
                continue
            if parsed is None:
                state.decisions_broken = True
                continue
            if state.submitted_on and parsed["decided_on"] < state.submitted_on:
                row.problem(
                    "decided_on",
                    f"{parsed['decided_on']} is before the project was submitted "
                    f"({state.submitted_on})",
                )
                state.decisions_broken = True
                continue
            plan.deciders.add(parsed["decided_by"])
            state.decisions.append(
                _Decision(
                    line=line,
                    decided_on=parsed["decided_on"],
                    gate=parsed["gate"],
                    decision=parsed["decision"],
                    funding=parsed["funding_granted"],
                    probability=parsed["probability_of_success"],
                )
            )
    counter.done()
    for state in projects.values():
        _replay(state, plan, problems)

    # spend.csv: only running totals are kept.
    counter = _Counter(progress, "checking", SPEND)
    with source.open(SPEND) as stream:
        for line, values in _CsvFile(stream, SPEND, problems):
            counter.tick()
            row = _Row(SPEND, line, values, problems)
            parsed = _parse_spend(row)
            state = lookup(row, row.raw("project") or None)
            if state is None or parsed is None:
                continue
            if state.submitted_on and parsed["spent_on"] < state.submitted_on:
                row.problem(
                    "spent_on",
                    f"{parsed['spent_on']} is before the project was submitted "
                    f"({state.submitted_on})",
                )
                continue
            state.spend_total += parsed["amount"]
            if state.last_spend_on is None or parsed["spent_on"] > state.last_spend_on:
                state.last_spend_on = parsed["spent_on"]
    counter.done()

    # outcomes.csv
    counter = _Counter(progress, "checking", OUTCOMES)
    months_seen: dict[tuple[str, datetime.date], int] = {}
    with source.open(OUTCOMES) as stream:
        for line, values in _CsvFile(stream, OUTCOMES, problems):
            counter.tick()
            row = _Row(OUTCOMES, line, values, problems)
            parsed = _parse_outcome(row)
            key = row.raw("project") or None
            state = lookup(row, key)
            if state is None or parsed is None:
                continue
            first = months_seen.setdefault((key, parsed["month"]), line)
            if first != line:
                row.problem(
                    "month",
                    f"{key} already has an outcome for {parsed['month']:%Y-%m} (line {first})",
                )
                continue
            if state.decisions_broken:
                continue  # its decisions are wrong already; do not pile up problems
            if state.greenlit_on is None:
                row.problem(
                    "project",
                    f"{key} is not greenlit (no go at gate 4): it cannot have outcomes",
                )
            elif state.greenlit_on > parsed["month"]:
                row.problem(
                    "month",
                    f"{key} was greenlit on {state.greenlit_on}, after {parsed['month']}",
                )
    counter.done()

    if problems:
        raise ImportFailed(problems.as_list())
    return plan


def row_date(row: _Row) -> datetime.date | None:
    """The submission date of a row with other problems, if it is readable (no new problem)."""
    value = row.raw("submitted_on")
    if DATE_PATTERN.match(value):
        with contextlib.suppress(ValueError):
            return datetime.date.fromisoformat(value)
    return None


def _replay(state: _ProjectState, plan: _Plan, problems: _Problems) -> None:
    """Apply the process rules in date order (file order on one date); number the decisions."""
    if state.decisions_broken:
        return
    state.decisions.sort(key=lambda d: (d.decided_on, d.line))
    current = process.INITIAL
    for sequence, decision in enumerate(state.decisions, start=1):
        problem = process.problem_with(current, decision.gate, decision.decision)
        if problem:
            column = "decision" if current.is_closed else "gate"
            problems.add(DECISIONS, decision.line, column, f"out of sequence: {problem}")
            state.decisions_broken = True
            return
        current = process.apply(current, decision.gate, decision.decision)
        plan.sequence_by_line[decision.line] = sequence
        state.funding_total += decision.funding
        if decision.probability is not None:
            state.latest_probability = decision.probability
        state.last_decision_on = decision.decided_on
        if current.status == Status.GREENLIT:
            state.greenlit_on = decision.decided_on
    state.status = current.status
    state.current_gate = current.current_gate
    state.decisions_count = len(state.decisions)
    state.decisions = []  # only the count is needed from here on


def _check_existing_keys(
    projects: dict[str, _ProjectState], problems: _Problems, *, replace: bool
) -> None:
    """Keys already in the database: refused, unless they are to be replaced."""
    keys = list(projects)
    for start in range(0, len(keys), 500):
        chunk = {key.lower(): key for key in keys[start : start + 500]}
        existing = (
            Project.objects.annotate(folded=Lower("key"))
            .filter(folded__in=list(chunk))
            .values_list("folded", "id")
        )
        for folded, project_id in existing:
            key = chunk[folded]
            state = projects[key]
            if replace:
                state.existing_id = project_id
            else:
                problems.add(
                    PROJECTS,
                    state.line,
                    "key",
                    f"{key} already exists: import with replace to overwrite it",
                )


# --- The second pass: writing -----------------------------------------------------------


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ensure_people(plan: _Plan, summary: ImportSummary) -> dict[str, int]:
    """E-mail -> user id; unknown addresses become users with the role their column implies."""
    emails = sorted(plan.researchers | plan.product_managers | plan.deciders)
    ids: dict[str, int] = {}
    for chunk in _chunks(emails):
        ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    new = [email for email in emails if email not in ids]
    if not new:
        return ids
    # One unusable password for all: hashing one per person would be slow and pointless.
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(email=email, password=unusable) for email in new], batch_size=BATCH_SIZE
    )
    for chunk in _chunks(new):
        ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    groups = {role: Group.objects.get_or_create(name=role)[0].pk for role in Role.values}
    memberships = []
    for email in new:
        roles = []
        if email in plan.researchers:
            roles.append(Role.RESEARCHER)
        if email in plan.product_managers:
            roles.append(Role.PRODUCT_MANAGER)
        if not roles:  # seen only as a decision maker
            roles.append(Role.EXECUTIVE)
        memberships += [
            User.groups.through(user_id=ids[email], group_id=groups[role]) for role in roles
        ]
    User.groups.through.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    summary.users_created = len(new)
    return ids


PROJECT_FIELDS = [
    "key",
    "title",
    "research_type",
    "bucket",
    "researcher_id",
    "product_manager_id",
    "submitted_on",
    "value_kind",
    "projected_low",
    "projected_expected",
    "projected_high",
    "probability_of_success",
    "status",
    "current_gate",
    "decisions_count",
    "last_decision_on",
    "latest_probability",
    "funding_granted_total",
    "spend_total",
    "last_spend_on",
    "updated_at",
]


def _erase_history(project_ids: list[int]) -> None:
    """Remove the decisions, scores, spend (and its rollup) and outcomes of projects being replaced.

    The only deletion of gate decisions in the app: the PostgreSQL trigger lets it
    through because this transaction, and only it, sets the rewrite flag.
    """
    decisions = GateDecision._meta.db_table
    scores = CriterionScore._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'on', true)")
        for chunk in _chunks(project_ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"DELETE FROM {scores} WHERE decision_id IN "
                f"(SELECT id FROM {decisions} WHERE project_id IN ({marks}))",
                chunk,
            )
            for table in (
                decisions,
                SpendEntry._meta.db_table,
                SpendMonth._meta.db_table,
                Outcome._meta.db_table,
            ):
                cursor.execute(f"DELETE FROM {table} WHERE project_id IN ({marks})", chunk)
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'off', true)")


def _write_projects(
    source: _Source,
    plan: _Plan,
    people: dict[str, int],
    problems: _Problems,
    summary: ImportSummary,
    progress: Progress | None,
) -> dict[str, int]:
    replaced_ids = [s.existing_id for s in plan.projects.values() if s.existing_id is not None]
    if replaced_ids:
        _erase_history(replaced_ids)
    now = timezone.now()
    project_ids: dict[str, int] = {}
    new: list[Project] = []
    replaced: list[Project] = []

    def flush() -> None:
        if new:
            Project.objects.bulk_create(new)
            project_ids.update((p.key, p.pk) for p in new)
            summary.projects_created += len(new)
            new.clear()
        if replaced:
            Project.objects.bulk_update(replaced, PROJECT_FIELDS, batch_size=500)
            project_ids.update((p.key, p.pk) for p in replaced)
            summary.projects_replaced += len(replaced)
            replaced.clear()

    counter = _Counter(progress, "writing", PROJECTS)
    with source.open(PROJECTS) as stream:
        for line, values in _CsvFile(stream, PROJECTS, problems):
            counter.tick()
            parsed = _parse_project(_Row(PROJECTS, line, values, problems))
            if parsed is None:
                continue
            state = plan.projects[parsed["key"]]
            project = Project(
                pk=state.existing_id,
                key=parsed["key"],
                title=parsed["title"],
                research_type=parsed["research_type"],
                bucket=parsed["bucket"],
                researcher_id=people[parsed["researcher"]],
                product_manager_id=people[parsed["product_manager"]],
                submitted_on=parsed["submitted_on"],
                value_kind=parsed["value_kind"],
                projected_low=parsed["projected_low"],
                projected_expected=parsed["projected_expected"],
                projected_high=parsed["projected_high"],
                probability_of_success=parsed["probability_of_success"],
                status=state.status,
                current_gate=state.current_gate,
                decisions_count=state.decisions_count,
                last_decision_on=state.last_decision_on,
                latest_probability=state.latest_probability,
                funding_granted_total=state.funding_total,
                spend_total=state.spend_total,
                last_spend_on=state.last_spend_on,
                updated_at=now,
            )
            (new if state.existing_id is None else replaced).append(project)
            if len(new) + len(replaced) >= OBJECT_BATCH_SIZE:
                flush()
    flush()
    counter.done()
    if any(pk is None for pk in project_ids.values()):  # a backend that returns no ids
        keys = list(project_ids)
        for chunk in _chunks(keys):
            project_ids.update(Project.objects.filter(key__in=chunk).values_list("key", "id"))
    return project_ids


def _insert(model, objects: Iterable) -> int:
    """Insert model instances in batches."""
    count = 0
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) >= OBJECT_BATCH_SIZE:
            model.objects.bulk_create(batch)
            count += len(batch)
            batch.clear()
    if batch:
        model.objects.bulk_create(batch)
        count += len(batch)
    return count


def _insert_values(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain rows of values: COPY on PostgreSQL, batched executemany elsewhere.

    For the spend file, which may hold a million rows: building a model instance
    per row would cost more than reading and checking it.
    """
    table = model._meta.db_table
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        statement = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(statement, batch)
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(statement, batch)
            count += len(batch)
    return count


def _roll_up_spend(project_ids: list[int]) -> None:
    """Fill the monthly spend rollup (SpendMonth) of the imported projects, in the database.

    One aggregate per batch of projects: no per-row state in Python. On SQLite the
    sum is taken in integer cents, since SQLite keeps decimals as floats.
    """
    rollup = SpendMonth._meta.db_table
    entries = SpendEntry._meta.db_table
    if connection.vendor == "postgresql":
        month = "CAST(date_trunc('month', spent_on) AS date)"
        amount = "SUM(amount)"
    else:
        month = "date(spent_on, 'start of month')"
        amount = "SUM(CAST(ROUND(amount * 100) AS INTEGER)) / 100.0"
    with connection.cursor() as cursor:
        for chunk in _chunks(project_ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {rollup} (project_id, month, amount, entries) "
                f"SELECT project_id, {month}, {amount}, COUNT(*) FROM {entries} "
                f"WHERE project_id IN ({marks}) GROUP BY project_id, {month}",
                chunk,
            )


def _write_rows(
    source: _Source,
    name: str,
    parse: Callable[[_Row], dict | None],
    build: Callable[[int, dict], object],
    problems: _Problems,
    progress: Progress | None,
) -> Iterator:
    counter = _Counter(progress, "writing", name)
    with source.open(name) as stream:
        for line, values in _CsvFile(stream, name, problems):
            counter.tick()
            parsed = parse(_Row(name, line, values, problems))
            if parsed is not None:
                yield build(line, parsed)
    counter.done()


def _write(
    source: _Source, plan: _Plan, *, actor: User | None, progress: Progress | None
) -> ImportSummary:
    summary = ImportSummary()
    # Filled only if a file changed between the checks and now.
    problems = _Problems()
    people = _ensure_people(plan, summary)
    project_ids = _write_projects(source, plan, people, problems, summary, progress)
    gate_ids = dict(Gate.objects.values_list("number", "id"))
    recorder = actor.pk if actor is not None and actor.is_authenticated else None
    now = timezone.now()

    summary.decisions = _insert(
        GateDecision,
        _write_rows(
            source,
            DECISIONS,
            _parse_decision,
            lambda line, d: GateDecision(
                project_id=project_ids[d["project"]],
                gate_id=gate_ids[d["gate"]],
                decision=d["decision"],
                funding_granted=d["funding_granted"],
                probability_of_success=d["probability_of_success"],
                rationale=d["rationale"],
                decided_by_id=people[d["decided_by"]],
                decided_on=d["decided_on"],
                sequence=plan.sequence_by_line[line],
            ),
            problems,
            progress,
        ),
    )
    recorded_at = (
        now
        if connection.vendor == "postgresql"
        else (connection.ops.adapt_datetimefield_value(now))
    )
    summary.spend_entries = _insert_values(
        SpendEntry,
        ["project", "spent_on", "amount", "category", "note", "recorded_by", "recorded_at"],
        _write_rows(
            source,
            SPEND,
            _parse_spend,
            lambda line, s: (
                project_ids[s["project"]],
                s["spent_on"],
                s["amount"],
                s["category"],
                s["note"],
                recorder,
                recorded_at,
            ),
            problems,
            progress,
        ),
    )
    _roll_up_spend(list(project_ids.values()))
    summary.outcomes = _insert(
        Outcome,
        _write_rows(
            source,
            OUTCOMES,
            _parse_outcome,
            lambda line, o: Outcome(
                project_id=project_ids[o["project"]],
                month=o["month"],
                realized_value=o["realized_value"],
                recorded_by_id=recorder,
            ),
            problems,
            progress,
        ),
    )
    if problems:
        raise ImportFailed(["The files changed while they were imported.", *problems.as_list()])
    _insert(AuditEntry, _audit_entries(plan, project_ids, summary, recorder))
    versioning.bump()  # cached dashboard numbers are keyed by it
    return summary


def _audit_entries(
    plan: _Plan, project_ids: dict[str, int], summary: ImportSummary, actor_id: int | None
) -> Iterator[AuditEntry]:
    """One entry for the import, and one for each project it created or replaced."""
    yield AuditEntry(
        actor_id=actor_id,
        action="portfolio.imported",
        summary=str(summary),
        changes={
            "projects_created": summary.projects_created,
            "projects_replaced": summary.projects_replaced,
            "decisions": summary.decisions,
            "spend_entries": summary.spend_entries,
            "outcomes": summary.outcomes,
            "users_created": summary.users_created,
        },
    )
    for key, project_id in project_ids.items():
        replaced = plan.projects[key].existing_id is not None
        yield AuditEntry(
            actor_id=actor_id,
            project_id=project_id,
            action="project.replaced" if replaced else "project.imported",
            object_type=Project._meta.label,
            object_id=str(project_id),
            summary=(
                f"{key} replaced by a portfolio import: its decisions, spend and outcomes "
                "were rewritten from the files"
                if replaced
                else f"{key} imported from the portfolio files"
            ),
        )


def _import(
    source: _Source, *, replace: bool, actor: User | None, progress: Progress | None
) -> ImportSummary:
    plan = _check(source, replace=replace, progress=progress)
    try:
        with transaction.atomic():
            # Someone may have added a key since the checks ran: look again, in the transaction.
            problems = _Problems()
            for state in plan.projects.values():
                state.existing_id = None
            _check_existing_keys(plan.projects, problems, replace=replace)
            if problems:
                raise ImportFailed(problems.as_list())
            return _write(source, plan, actor=actor, progress=progress)
    except IntegrityError:
        # Another import or a new proposal took a key while this one was writing.
        raise ImportFailed(
            [
                f"{PROJECTS}:1: key: another change saved the same projects while this import "
                "was writing; nothing was imported: try again"
            ]
        ) from None


def import_portfolio(
    directory: Path,
    *,
    replace: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the four files of ``directory``; raise ImportFailed, writing nothing, on any problem.

    ``replace``: projects whose keys exist are replaced (fields, decisions, spend,
    outcomes); without it their keys are problems like any other.
    """
    return _import(_FolderSource(directory), replace=replace, actor=actor, progress=progress)


def import_portfolio_files(
    files: dict[str, BinaryIO | None],
    *,
    replace: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """The same from open binary files, keyed by file name (``projects.csv``, ...): uploads."""
    return _import(_UploadSource(files), replace=replace, actor=actor, progress=progress)


# --- Export ----------------------------------------------------------------------------------


def _money_text(value: Decimal) -> str:
    return f"{value:.2f}"


def _probability_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


@dataclass
class ExportSummary:
    projects: int = 0
    decisions: int = 0
    spend_entries: int = 0
    outcomes: int = 0

    def __str__(self) -> str:
        return (
            f"Exported {self.projects} projects, {self.decisions} gate decisions, "
            f"{self.spend_entries} spend entries and {self.outcomes} outcome months."
        )


def _write_csv(open_text, name: str, rows: Iterator[list]) -> int:
    count = 0
    with open_text(name) as stream:
        writer = csv.writer(stream)
        writer.writerow(list(COLUMNS[name]))
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _export(
    open_text: Callable[[str], contextlib.AbstractContextManager[IO[str]]],
) -> ExportSummary:
    """Write the four files, streaming rows from the database (drafts are not part of it)."""
    chunk = 5000
    submitted = Project.objects.submitted()
    summary = ExportSummary()
    summary.projects = _write_csv(
        open_text,
        PROJECTS,
        (
            [
                key,
                title,
                research_type,
                bucket,
                researcher,
                product_manager,
                submitted_on.isoformat(),
                value_kind,
                _money_text(low),
                _money_text(expected),
                _money_text(high),
                _probability_text(probability),
            ]
            for (
                key,
                title,
                research_type,
                bucket,
                researcher,
                product_manager,
                submitted_on,
                value_kind,
                low,
                expected,
                high,
                probability,
            ) in submitted.order_by("key")
            .values_list(
                "key",
                "title",
                "research_type",
                "bucket",
                "researcher__email",
                "product_manager__email",
                "submitted_on",
                "value_kind",
                "projected_low",
                "projected_expected",
                "projected_high",
                "probability_of_success",
            )
            .iterator(chunk_size=chunk)
        ),
    )
    # Each project's decisions in the order they were recorded: an import keeps it.
    summary.decisions = _write_csv(
        open_text,
        DECISIONS,
        (
            [
                key,
                gate,
                decided_on.isoformat(),
                decision,
                _money_text(funding),
                decided_by,
                _probability_text(probability),
                rationale,
            ]
            for key, gate, decided_on, decision, funding, decided_by, probability, rationale in (
                GateDecision.objects.filter(project__in=submitted)
                .order_by("project__key", "sequence")
                .values_list(
                    "project__key",
                    "gate__number",
                    "decided_on",
                    "decision",
                    "funding_granted",
                    "decided_by__email",
                    "probability_of_success",
                    "rationale",
                )
                .iterator(chunk_size=chunk)
            )
        ),
    )
    summary.spend_entries = _write_csv(
        open_text,
        SPEND,
        (
            [key, spent_on.isoformat(), _money_text(amount), category, note]
            for key, spent_on, amount, category, note in (
                SpendEntry.objects.filter(project__in=submitted)
                .order_by("project__key", "spent_on", "id")
                .values_list("project__key", "spent_on", "amount", "category", "note")
                .iterator(chunk_size=chunk)
            )
        ),
    )
    summary.outcomes = _write_csv(
        open_text,
        OUTCOMES,
        (
            [key, month.isoformat(), _money_text(value)]
            for key, month, value in (
                Outcome.objects.filter(project__in=submitted)
                .order_by("project__key", "month")
                .values_list("project__key", "month", "realized_value")
                .iterator(chunk_size=chunk)
            )
        ),
    )
    return summary


def export_portfolio(directory: Path) -> ExportSummary:
    """Write projects.csv, gate_decisions.csv, spend.csv and outcomes.csv into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return _export(lambda name: (directory / name).open("w", encoding="utf-8", newline=""))


def export_portfolio_zip(stream: BinaryIO) -> ExportSummary:
    """The same four files, as a zip archive written to ``stream``."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def open_text(name: str):
            return io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")

        return _export(open_text)
