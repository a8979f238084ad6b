"""Import and export of a whole portfolio, in the interchange format (spec/portfolio-format.md).

A portfolio is four CSV files: projects, gate decisions, spend and outcomes.

Import reads each file once. projects.csv and gate_decisions.csv are checked
first, keeping their rows (they grow with projects, not with spend). Then, in
one transaction: the projects and decisions are written, spend.csv is checked
row by row as it streams into the database (COPY on PostgreSQL; ``_SpendPass``),
and outcomes.csv is checked while PostgreSQL finishes the spend; on any problem
the transaction is rolled back, so a bad file writes nothing, as if everything
had been checked first. Every problem is listed as ``FILE:LINE: column: message``,
whichever file it is in (the other files are still read to find them all).
Memory does not grow with the number of spend rows: only totals per project and
month are kept, for the rollup.

Replacing projects that already exist (``replace=True``, admins only) is the one
path in the app that removes gate decisions: they are history, refused by the
model layer and, on PostgreSQL, by a trigger that lets a DELETE through only
inside a transaction that sets ``greenlight.allow_history_rewrite``. Every
replaced project gets an audit entry saying so.

This module lives in ``gates`` because it writes gate decisions; ``portfolio``
never imports it.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import datetime
import functools
import heapq
import io
import itertools
import json
import operator
import queue
import re
import threading
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
from django.db import DatabaseError, IntegrityError, connection, models, transaction
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
PROGRESS_EVERY = 10_000
MAX_LISTED_PROBLEMS = 1000
MAX_EMAIL_LENGTH = User._meta.get_field("email").max_length
MAX_MONEY_DIGITS = 14  # MONEY is 16 digits, 2 of them decimals
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER_PATTERN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
MONEY_PLAIN = re.compile(r"[0-9]{1," + str(MAX_MONEY_DIGITS) + r"}(?:\.[0-9]{1,2})?")
CENT = Decimal("0.01")


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
    """Every problem found, listed up to a limit so that memory stays bounded: the
    first ones in file order (files as FILES has them, then lines), whatever the
    order they were found in."""

    def __init__(self) -> None:
        # The listed ones, as a heap whose top is the last in file order.
        self.listed: list[tuple[int, int, int, str]] = []
        self.count = 0

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.count += 1
        entry = (-FILES.index(file), -line, -self.count, f"{file}:{line}: {column}: {message}")
        if len(self.listed) < MAX_LISTED_PROBLEMS:
            heapq.heappush(self.listed, entry)
        elif entry > self.listed[0]:
            heapq.heapreplace(self.listed, entry)

    def __bool__(self) -> bool:
        return self.count > 0

    def as_list(self) -> list[str]:
        lines = [text for *_, text in sorted(self.listed, reverse=True)]
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

    def __init__(
        self,
        stream: BinaryIO | None,
        name: str,
        problems: _Problems,
        *,
        raw_lines: Iterable[bytes] | None = None,
        first_line: int = 1,
        header: list[str] | None = None,
    ):
        """Read ``stream``; or, to go on from the middle of a file, ``raw_lines`` (the
        undecoded lines from ``first_line`` on) after a ``header`` already read and checked."""
        self.raw_lines = iter(stream.readline, b"") if raw_lines is None else raw_lines
        self.name = name
        self.problems = problems
        self.first_line = first_line
        self.header = header
        self.readable = False
        self._undecodable = False

    def _lines(self) -> Iterator[str]:
        for number, raw in enumerate(self.raw_lines, start=self.first_line):
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
        offset = self.first_line - 1  # physical lines before the first one read here
        try:
            header = self.header
            if header is None:
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
                self.header = header
            self.readable = True
            previous_line = offset + reader.line_num
            for row in reader:
                line = previous_line + 1
                previous_line = offset + reader.line_num
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
            self.problems.add(
                self.name, offset + reader.line_num, WHOLE_FILE, f"not valid CSV: {exc}"
            )
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
        if MONEY_PLAIN.fullmatch(value):  # the usual case, quickly: no problem possible
            amount = Decimal(value)
            if amount or not positive:
                return amount.quantize(CENT)
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
        if not _is_email(value):
            self.problem(column, f"{value!r} is not an e-mail address")
            return None
        if len(value) > MAX_EMAIL_LENGTH:
            self.problem(column, f"an e-mail address has at most {MAX_EMAIL_LENGTH} characters")
            return None
        return value.lower()


@functools.lru_cache(maxsize=4096)
def _is_email(value: str) -> bool:
    """Django's check, once per address: a file names the same people on many rows."""
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


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
    decided_by: str
    rationale: str
    sequence: int = 0  # the order of recording in its project, set by _replay


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
    existing_id: int | None = None


@dataclass
class _Plan:
    """Everything the checks learned that the writing needs."""

    projects: dict[str, _ProjectState] = field(default_factory=dict)
    # The rows to write, kept from the checks (spend.csv's are not: it is read once,
    # checked as it is written). They grow with projects and months, not with spend.
    project_rows: list[dict] = field(default_factory=list)
    outcomes: list[tuple[str, datetime.date, Decimal]] = field(default_factory=list)
    researchers: set[str] = field(default_factory=set)
    product_managers: set[str] = field(default_factory=set)
    deciders: set[str] = field(default_factory=set)
    projects_readable: bool = True


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

    def add(self, rows: int) -> None:
        before = self.rows
        self.rows += rows
        if self.progress is not None and before // PROGRESS_EVERY != self.rows // PROGRESS_EVERY:
            self.progress(self.stage, self.name, self.rows, False)

    def done(self) -> None:
        if self.progress is not None:
            self.progress(self.stage, self.name, self.rows, True)


def _check(source: _Source, *, replace: bool, progress: Progress | None) -> _Plan:
    """The checks before anything is written: projects.csv and gate_decisions.csv (and
    the keys already in the database). spend.csv is checked as it is written
    (``_SpendPass``) and outcomes.csv meanwhile (``_check_outcomes``); when these two
    files have problems, the import is rolled back. When the first two have, the
    other two are checked here, so that every problem is listed at once.
    """
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
                plan.project_rows.append(parsed)
        # A broken header leaves no keys to check the other files against.
        projects_readable = plan.projects_readable = rows.readable
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
                    decided_by=parsed["decided_by"],
                    rationale=parsed["rationale"],
                )
            )
    counter.done()
    for state in projects.values():
        _replay(state, plan, problems)

    if problems:
        # Still read the other files, so that every problem is listed at once.
        _SpendPass(source, plan, problems, progress).run()
        _check_outcomes(source, plan, problems, progress)
        raise ImportFailed(problems.as_list())
    return plan


def _check_outcomes(
    source: _Source, plan: _Plan, problems: _Problems, progress: Progress | None
) -> None:
    """outcomes.csv, after the decisions (a project has outcomes once greenlit)."""
    projects = plan.projects
    # outcomes.csv
    counter = _Counter(progress, "checking", OUTCOMES)
    months_seen: dict[tuple[str, datetime.date], int] = {}
    with source.open(OUTCOMES) as stream:
        for line, values in _CsvFile(stream, OUTCOMES, problems):
            counter.tick()
            row = _Row(OUTCOMES, line, values, problems)
            parsed = _parse_outcome(row)
            key = row.raw("project") or None
            state = projects.get(key) if key is not None else None
            if state is None and key is not None and plan.projects_readable:
                row.problem("project", f"unknown project key {key!r} (not in {PROJECTS})")
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
            else:
                plan.outcomes.append((key, parsed["month"], parsed["realized_value"]))
    counter.done()


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
        decision.sequence = sequence
        state.funding_total += decision.funding
        if decision.probability is not None:
            state.latest_probability = decision.probability
        state.last_decision_on = decision.decided_on
        if current.status == Status.GREENLIT:
            state.greenlit_on = decision.decided_on
    state.status = current.status
    state.current_gate = current.current_gate
    state.decisions_count = len(state.decisions)


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


# --- spend.csv: checked and written in one pass --------------------------------------------

SPEND_BLOCK_BYTES = 1 << 20  # read at a time
SPEND_BATCH_ROWS = 5000  # rows of the slow way written at a time
# PostgreSQL's text COPY: these characters of a value are written escaped.
COPY_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# The same for spend, whose COPY takes commas between values (as the file has them).
SPEND_COPY_ESCAPES = str.maketrans({"\\": "\\\\", ",": "\\,", "\n": "\\n", "\r": "\\r"})
# A spend cell that certainly passes the checks; anything else goes the slow way (_Row).
SPEND_FAST_CELLS = {
    "project": r"[A-Za-z0-9_-]{1,32}",
    "spent_on": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",  # a real date: checked in Python
    # Greater than 0 (not only zeros and a point), at most 2 decimals, not too large.
    "amount": r"(?![0.]*(?:[,\n]|$))[0-9]{1," + str(MAX_MONEY_DIGITS) + r"}(?:\.[0-9]{1,2})?",
    "category": "(?:" + "|".join(re.escape(c) for c in SPEND_CATEGORIES) + ")",
    "note": r'[^,"\r\n\\]*',  # no backslash: PostgreSQL's COPY text takes it as is
}
# An amount with exactly two decimals (as exports have them), greater than 0.
SPEND_CENTS = r"(?!0*\.00)[0-9]{1," + str(MAX_MONEY_DIGITS) + r"}\.[0-9]{2}"
SPEND_ORDER = ["project", "spent_on", "amount", "category", "note"]

# Rows of (project id, spent_on, amount, category, note): text, as in the file.
SpendRows = list[tuple[int | None, str, str, str, str]]


class _SpendTarget:
    """A project as the spend pass sees it, and the running totals of its spend."""

    __slots__ = ("project_id", "prefix", "submitted", "last", "months")

    def __init__(self, project_id: int | None, submitted_on: datetime.date | None):
        self.project_id = project_id
        self.prefix = f"{project_id},"  # its rows' start, in the spend COPY
        # ISO dates compare as text.
        self.submitted = submitted_on.isoformat() if submitted_on else ""
        self.last = ""  # the latest spent_on
        self.months: dict[str, list] = {}  # "YYYY-MM" -> [amount, entries]

    def add(self, day: str, amount: str | Decimal) -> None:
        total = self.months.get(day[:7])
        if total is None:
            self.months[day[:7]] = [Decimal(amount), 1]
        else:
            total[0] += Decimal(amount)
            total[1] += 1
        if day > self.last:
            self.last = day

    def add_run(self, days: list[str], amounts: list[str]) -> None:
        """Rows' spent_on and amount, as text; a month at a time when in date order."""
        self._add_months(days, amounts, lambda amounts: sum(map(Decimal, amounts), Decimal(0)))

    def add_run_in_cents(self, days: list[str], cents: list[str]) -> None:
        """The same with each amount in cents (its digits, without the point)."""
        self._add_months(days, cents, lambda cents: Decimal(sum(map(int, cents))).scaleb(-2))

    def _add_months(self, days: list[str], amounts: list[str], total_of) -> None:
        if days != sorted(days):
            for day, amount in zip(days, map(total_of, ([a] for a in amounts)), strict=True):
                self.add(day, amount)
            return
        start = 0
        while start < len(days):
            month = days[start][:7]
            end = bisect.bisect_left(days, f"{month}-99", start)  # past the month's last day
            total = total_of(amounts[start:end])
            known = self.months.get(month)
            if known is None:
                self.months[month] = [total, end - start]
            else:
                known[0] += total
                known[1] += end - start
            start = end
        self.last = max(self.last, days[-1])


def _real_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class _SpendPass:
    """Reads spend.csv once: checks every row, and hands the good ones to ``writer``.

    A million rows must go at the speed of COPY, so most rows take a fast way. A
    block of whole lines with no quote, NUL or stray carriage return is one row
    per line, and one regular expression (``SPEND_FAST_CELLS``) tells whether
    each cell passes its checks alone; PostgreSQL then reads the cells' text as it
    is. In the columns' usual order, such a block is turned into COPY text with a
    few string operations per run of rows of one project (``_runs``); else row by
    row (``_fast``). A row that the expression does not take, or that fails a
    check, goes the slow way (``_Row``, like the other files), which words the
    problems; a block the fast way cannot read hands the rest of the file to
    ``_CsvFile``.

    Once a problem is found nothing more is written (the caller rolls back), but
    the reading goes on, so that every problem is listed. Nothing is kept per row.
    """

    def __init__(
        self,
        source: _Source,
        plan: _Plan,
        problems: _Problems,
        progress: Progress | None,
        *,
        project_ids: dict[str, int] | None = None,
        writer: _SpendWriter | None = None,
    ):
        self.source = source
        self.problems = problems
        self.readable = plan.projects_readable
        ids = project_ids or {}
        self.targets = {
            key: _SpendTarget(ids.get(key), state.submitted_on)
            for key, state in plan.projects.items()
        }
        self.writer = writer
        self.counter = _Counter(progress, "checking", SPEND)
        self.rows = 0  # rows written
        self._clean = problems.count
        self._good_days: set[str] = set()
        self._batch: SpendRows = []

    @property
    def _writing(self) -> bool:
        return self.writer is not None and self.problems.count == self._clean

    # -- the pass

    def run(self) -> int:
        """Read the whole file; returns the number of rows written."""
        with self.source.open(SPEND) as stream:
            first = stream.readline()
            header = self._plain_header(first)
            if header is None:  # let the general reader word what is wrong with it
                rest = itertools.chain([first], iter(stream.readline, b""))
                self._general(_CsvFile(None, SPEND, self.problems, raw_lines=rest))
            else:
                self._blocks(stream, header)
        self._flush()
        self.counter.done()
        return self.rows

    def _plain_header(self, raw: bytes) -> list[str] | None:
        """The header, when it is plain (no quote) and right; else None."""
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        text = self._plain_text(raw) if raw.endswith(b"\n") else None
        if text is None:
            return None
        header = [cell.strip() for cell in text[:-1].split(",")]
        columns = COLUMNS[SPEND]
        required = {column for column, needed in columns.items() if needed}
        if (
            len(set(header)) != len(header)
            or not set(header) <= set(columns)
            or not required <= set(header)
        ):
            return None
        return header

    @staticmethod
    def _plain_text(block: bytes) -> str | None:
        """The block as text, lines ending in \n only, if each line is a row of plain
        cells (split at the commas, as csv would); else None."""
        if b'"' in block or b"\x00" in block:
            return None
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not text.endswith("\n"):
            text += "\n"  # the last line of a file may have no end
        if "\r" in text:
            if text.count("\r") != text.count("\r\n"):
                return None  # csv reads a lone carriage return as the end of a row
            text = text.replace("\r\n", "\n")
        return text

    def _blocks(self, stream: BinaryIO, header: list[str]) -> None:
        order = header if "note" in header else [*header, "note"]
        cells = [SPEND_FAST_CELLS[column] for column in header]
        line_pattern = ",".join(f"({cell})" for cell in cells) + ("" if "note" in header else "()")
        lines = re.compile(f"^{line_pattern}$", re.MULTILINE)
        one = re.compile(line_pattern)
        reorder = (
            None
            if order == SPEND_ORDER
            else operator.itemgetter(*(order.index(column) for column in SPEND_ORDER))
        )
        runs = []  # (expression for runs of rows of one project, amounts in cents?)
        if self.writer is not None and self.writer.text is not None and order == SPEND_ORDER:
            rest = ",".join(cells[1:])
            cents = rest.replace(SPEND_FAST_CELLS["amount"], SPEND_CENTS)
            for pattern, in_cents in ((cents, True), (rest, False)):
                runs.append((re.compile(f"({cells[0]}),{pattern}\n(?:\\1,{pattern}\n)*"), in_cents))
        tail = ("" if "note" in header else ",") + (self.writer.tail if self.writer else "")
        line = 2  # of the block's first row
        while block := stream.read(SPEND_BLOCK_BYTES):
            if not block.endswith(b"\n"):
                block += stream.readline()  # whole lines only
            text = self._plain_text(block)
            if text is None:  # the rest of the file goes the general way
                rest = itertools.chain(
                    iter(io.BytesIO(block).readline, b""), iter(stream.readline, b"")
                )
                self._general(
                    _CsvFile(
                        None, SPEND, self.problems, raw_lines=rest, first_line=line, header=header
                    )
                )
                return
            count = text.count("\n")
            if any(self._runs(text, tail, count, *run) for run in runs):
                done = count
            else:
                rows = lines.findall(text)
                if len(rows) == count:  # every line passed the expression
                    if reorder is not None:
                        rows = list(map(reorder, rows))
                    done = self._fast(rows)
                    if done < count:  # a row failed a check: word it, and go on
                        done += self._lines(text, line, header, one, reorder, skip=done)
                else:
                    done = self._lines(text, line, header, one, reorder)
                if len(self._batch) >= SPEND_BATCH_ROWS:
                    self._flush()
            line += count
            self.counter.add(done)

    _DAYS = re.compile(r"^[^,\n]*,([^,\n]*)", re.MULTILINE)  # each row's second cell
    _AMOUNTS = re.compile(r"^[^,\n]*,[^,\n]*,([^,\n]*)", re.MULTILINE)  # and third

    def _runs(self, text: str, tail: str, count: int, expression, in_cents: bool) -> bool:
        """A block of plain rows in the usual column order, taken a run of rows of
        one project at a time (``expression``, which checks each cell too) and turned
        into COPY text. False, writing nothing, if a row does not match or fails a
        check: the caller then takes the block row by row.

        ``in_cents``: each amount has two decimals, so that a month's amounts add up
        as integers (cents), without a Decimal each."""
        targets = self.targets
        good_days = self._good_days
        parts = []
        runs = []
        end = 0
        for run in expression.finditer(text):
            if run.start() != end:
                return False  # a row between runs did not match
            end = run.end()
            key = run.group(1)
            target = targets.get(key)
            if target is None:
                return False
            rows = run.group()
            days = self._DAYS.findall(rows)
            if min(days) < target.submitted:
                return False
            if not good_days.issuperset(days):
                new_days = set(days).difference(good_days)
                if not all(_real_date(day) for day in new_days):
                    return False
                good_days.update(new_days)
            runs.append((target, days, rows))
            prefix = target.prefix
            parts.append(prefix + rows[len(key) + 1 :].replace(f"\n{key},", f"\n{prefix}"))
        if end != len(text):
            return False
        for target, days, rows in runs:
            if in_cents:
                target.add_run_in_cents(days, self._AMOUNTS.findall(rows.replace(".", "")))
            else:
                target.add_run(days, self._AMOUNTS.findall(rows))
        if self._writing:
            self._flush()  # rows keep the file's order
            self.writer.text("".join(parts).replace("\n", tail))
            self.rows += count
        return True

    def _fast(self, rows) -> int:
        """Check and keep rows whose cells passed the expression; stop at the first
        that fails a check (the project, a real date not before its submission).
        Returns how many passed."""
        targets = self.targets
        good_days = self._good_days
        keep = self._batch.append
        done = 0
        for key, day, amount, category, note in rows:
            target = targets.get(key)
            if target is None or day < target.submitted:
                break
            if day not in good_days:
                if not _real_date(day):
                    break
                good_days.add(day)
            target.add(day, amount)
            keep((target.project_id, day, amount, category, note))
            done += 1
        return done

    def _lines(
        self, text: str, first: int, header: list[str], one, reorder, *, skip: int = 0
    ) -> int:
        """A block line by line (each line one row): the fast way where it can, else
        the slow way. Returns the number of rows (blank lines and rows of the wrong
        length aside)."""
        lines = text.split("\n")
        rows = 0
        for index in range(skip, len(lines) - 1):
            cells = lines[index]
            match = one.fullmatch(cells)
            if match is not None:
                rows += 1
                groups = match.groups()
                if self._fast([reorder(groups) if reorder else groups]):
                    continue
            row = cells.split(",")
            line = first + index
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) != len(header):
                self.problems.add(
                    SPEND,
                    line,
                    WHOLE_ROW,
                    f"{len(row)} values, but the header has {len(header)} columns",
                )
                continue
            if match is None:
                rows += 1
            self._slow(line, dict(zip(header, row, strict=True)))
        return rows

    def _general(self, rows: _CsvFile) -> None:
        for line, values in rows:
            self.counter.tick()
            self._slow(line, values)
            if len(self._batch) >= SPEND_BATCH_ROWS:
                self._flush()

    def _slow(self, line: int, values: dict[str, str]) -> None:
        """One row checked cell by cell, each problem worded (as the other files are)."""
        row = _Row(SPEND, line, values, self.problems)
        parsed = _parse_spend(row)
        key = row.raw("project") or None
        target = None
        if key is not None:
            target = self.targets.get(key)
            if target is None and self.readable:
                row.problem("project", f"unknown project key {key!r} (not in {PROJECTS})")
        if target is None or parsed is None:
            return
        day = parsed["spent_on"].isoformat()
        if day < target.submitted:
            row.problem(
                "spent_on", f"{day} is before the project was submitted ({target.submitted})"
            )
            return
        target.add(day, parsed["amount"])
        self._batch.append(
            (target.project_id, day, str(parsed["amount"]), parsed["category"], parsed["note"])
        )

    def _flush(self) -> None:
        if self._batch and self._writing:
            self.writer.rows(self._batch)
            self.rows += len(self._batch)
        self._batch.clear()


@dataclass
class _SpendWriter:
    """Where _SpendPass writes: ``rows(rows)``; on PostgreSQL also ``text(copy_text)``
    for rows already in COPY text, each line ending with ``tail`` (the columns after
    the note)."""

    rows: Callable[[SpendRows], None]
    text: Callable[[str], None] | None = None
    tail: str = ""


SPEND_COPY_FIELDS = [
    "project",
    "spent_on",
    "amount",
    "category",
    "note",
    "recorded_by",
    "recorded_at",
]


@contextlib.contextmanager
def _spend_writer(cursor, recorder: int | None, recorded_at: datetime.datetime):
    """A _SpendWriter: a COPY on PostgreSQL, open for the whole pass; batched INSERTs
    elsewhere."""
    table = SpendEntry._meta.db_table
    columns = ", ".join(SpendEntry._meta.get_field(name).column for name in SPEND_COPY_FIELDS)
    if connection.vendor != "postgresql":
        statement = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(SPEND_COPY_FIELDS))})"
        )
        end = (recorder, connection.ops.adapt_datetimefield_value(recorded_at))
        yield _SpendWriter(rows=lambda rows: cursor.executemany(statement, [r + end for r in rows]))
        return
    # Values between commas, as in the file, so that plain rows go as they are. 'now'
    # is the transaction's start, which recorded_at is (see _write_history); PostgreSQL
    # reads it faster than a written timestamp.
    tail = f",{'\\N' if recorder is None else recorder},now\n"
    backslashes = 1 if recorder is None else 0  # per row, in the tail
    with (
        connection.wrap_database_errors,
        cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN (FORMAT text, DELIMITER ',')",
            writer=_queued_writer(cursor.cursor),
        ) as copy,
    ):

        def rows(batch: SpendRows) -> None:
            data = "".join([f"{p},{d},{a},{c},{n}{tail}" for p, d, a, c, n in batch])
            if (
                data.count(",") != 6 * len(batch)
                or data.count("\n") != len(batch)
                or data.count("\\") != backslashes * len(batch)
                or "\r" in data
            ):  # a note has a comma, backslash or line break: escape the notes
                data = "".join(
                    [
                        f"{p},{d},{a},{c},{n.translate(SPEND_COPY_ESCAPES)}{tail}"
                        for p, d, a, c, n in batch
                    ]
                )
            copy.write(data)

        yield _SpendWriter(rows=rows, text=copy.write, tail=tail)


def _queued_writer(cursor):
    """psycopg's COPY writer that sends from a thread, so that reading the file and
    PostgreSQL's work overlap; with a short queue (64 buffers of at most 128 kB), so
    memory stays flat when the server is the slower."""
    from psycopg.copy import QueuedLibpqWriter

    writer = QueuedLibpqWriter(cursor)
    writer._queue = queue.Queue(maxsize=64)
    return writer


class _BulkLoad:
    """On PostgreSQL, what makes the import's bulk writes cheap, each step only where safe.

    - ``skip_reference_checks``: where the database role may set
      ``session_replication_role`` (a superuser, or ``GRANT SET ON PARAMETER
      session_replication_role``), the writes after the projects run in replica
      mode, which skips the foreign-key checks: a trigger per row and reference,
      queued to the commit, that costs more than the COPY itself. The references
      are good by construction, and held: each project is one this transaction
      inserted or updated, and the users and gates referred to are locked FOR KEY
      SHARE here, as the checks would. Only if no table written has triggers of its
      own for those writes, which replica mode would skip too.
    - ``drop_spend_indexes``: into an empty spend table, the COPY goes without the
      table's secondary indexes, rebuilt after it (one sort each instead of a
      random insertion per row and index). It holds the table's ACCESS EXCLUSIVE
      lock to the end of the import, which only a table with nothing to read can
      afford; if the lock is not had within 2 s, the indexes stay. Only with the
      reference checks skipped (their pending events forbid an index build).

    A rollback undoes both, like the rest of the import. Elsewhere, nothing.
    """

    # What replica mode covers: each table and the writes done to it meanwhile.
    WRITES = {
        GateDecision: "INSERT",
        SpendEntry: "INSERT",
        SpendMonth: "INSERT",
        Outcome: "INSERT",
        AuditEntry: "INSERT",
        Project: "UPDATE",  # spend_total and last_spend_on
    }
    TRIGGER_EVENT_BITS = {"INSERT": 4, "UPDATE": 16}  # pg_trigger.tgtype

    def __init__(self, cursor):
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.spend_indexes: list[tuple[str, str]] = []
        self._role: str | None = None

    def _value(self, sql: str, params: list | None = None):
        self.cursor.execute(sql, params)
        row = self.cursor.fetchone()
        return None if row is None else row[0]

    def skip_reference_checks(self, users: Iterable[int | None], gates: Iterable[int]) -> bool:
        if not self.postgres:
            return False
        users = sorted({user for user in users if user is not None})
        gates = sorted(set(gates))
        try:
            with transaction.atomic():
                for model, event in self.WRITES.items():
                    if self._value(
                        "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass "
                        "AND NOT tgisinternal AND tgtype & %s <> 0",
                        [model._meta.db_table, self.TRIGGER_EVENT_BITS[event]],
                    ):
                        return False
                for model, ids in ((User, users), (Gate, gates)):
                    self.cursor.execute(
                        f"SELECT id FROM {model._meta.db_table} WHERE id = ANY(%s) "
                        "ORDER BY id FOR KEY SHARE",
                        [ids],
                    )
                    if len(self.cursor.fetchall()) != len(ids):
                        return False  # one is gone: let the checks say so
                role = self._value("SELECT current_setting('session_replication_role')")
                self._value("SELECT set_config('session_replication_role', 'replica', true)")
                self._role = role
                return True
        except DatabaseError:  # not allowed: each row is checked at the commit
            return False

    def restore_reference_checks(self) -> None:
        if self._role is not None:
            self._value("SELECT set_config('session_replication_role', %s, true)", [self._role])
            self._role = None

    def drop_spend_indexes(self) -> bool:
        # With the reference checks on, each row leaves a pending trigger event, and
        # PostgreSQL builds no index on a table that has some.
        if not self.postgres or self._role is None:
            return False
        table = SpendEntry._meta.db_table
        empty = f"SELECT NOT EXISTS (SELECT 1 FROM {table})"
        try:
            with transaction.atomic():  # a rollback to here lets go of the locks
                timeout = self._value("SELECT current_setting('lock_timeout')")
                self._value("SELECT set_config('lock_timeout', '2s', true)")
                if not self._value(empty):  # a cheap look first, sharing the table
                    raise _NotEmpty
                self.cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
                if not self._value(empty):
                    raise _NotEmpty
                self._value("SELECT set_config('lock_timeout', %s, true)", [timeout])
                self.cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i WHERE i.indrelid = %s::regclass "
                    "AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                    "ORDER BY 1",
                    [table],
                )
                indexes = self.cursor.fetchall()
                for name, _ in indexes:
                    self.cursor.execute(f"DROP INDEX {name}")
        except (_NotEmpty, DatabaseError):
            return False
        self.spend_indexes = indexes
        return True

    @contextlib.contextmanager
    def rebuilding_spend_indexes(self):
        """Rebuild the dropped indexes on a thread, while the caller works in Python
        without the database (the server's work and the checks overlap)."""
        if not self.spend_indexes:
            yield
            return
        raw = self.cursor.cursor  # psycopg's: the thread does not go through Django
        failed: list[BaseException] = []

        def rebuild() -> None:
            try:
                # Sorting a million keys in memory rather than on disk: ~30% faster per index.
                raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for _, definition in self.spend_indexes:
                    raw.execute(definition)
            except BaseException as exc:  # re-raised below, in the caller's thread
                failed.append(exc)

        thread = threading.Thread(target=rebuild, name="import-spend-indexes")
        thread.start()
        try:
            yield
        finally:
            thread.join()
        self.spend_indexes = []
        if failed:
            with connection.wrap_database_errors:
                raise failed[0]


class _NotEmpty(Exception):
    pass


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
    plan: _Plan, people: dict[str, int], summary: ImportSummary, progress: Progress | None
) -> dict[str, int]:
    """Insert (or, replacing, update) the projects; key -> id."""
    replaced_ids = [s.existing_id for s in plan.projects.values() if s.existing_id is not None]
    if replaced_ids:
        _erase_history(replaced_ids)
    now = timezone.now()
    new: list[dict] = []
    replaced: list[Project] = []
    for parsed in plan.project_rows:
        state = plan.projects[parsed["key"]]
        values = {
            "key": parsed["key"],
            "title": parsed["title"],
            "research_type": parsed["research_type"],
            "bucket": parsed["bucket"],
            "researcher_id": people[parsed["researcher"]],
            "product_manager_id": people[parsed["product_manager"]],
            "submitted_on": parsed["submitted_on"],
            "value_kind": parsed["value_kind"],
            "projected_low": parsed["projected_low"],
            "projected_expected": parsed["projected_expected"],
            "projected_high": parsed["projected_high"],
            "probability_of_success": parsed["probability_of_success"],
            "status": state.status,
            "current_gate": state.current_gate,
            "decisions_count": state.decisions_count,
            "last_decision_on": state.last_decision_on,
            "latest_probability": state.latest_probability,
            "funding_granted_total": state.funding_total,
            # Set from spend.csv once it is written (_write_spend_totals).
            "spend_total": Decimal(0),
            "last_spend_on": None,
        }
        if state.existing_id is None:
            new.append(values)
        else:
            replaced.append(Project(pk=state.existing_id, updated_at=now, **values))
    summary.projects_created = _insert_values(Project, *_new_rows(Project, new))
    Project.objects.bulk_update(replaced, PROJECT_FIELDS, batch_size=500)
    summary.projects_replaced = len(replaced)
    project_ids = {
        parsed["key"]: plan.projects[parsed["key"]].existing_id for parsed in plan.project_rows
    }
    created = [key for key, pk in project_ids.items() if pk is None]
    for chunk in _chunks(created, 1000):
        project_ids.update(Project.objects.filter(key__in=chunk).values_list("key", "id"))
    if progress is not None:
        progress("writing", PROJECTS, len(project_ids), True)
    return project_ids


def _new_rows(model, rows: Iterable[dict]) -> tuple[list[str], Iterator[tuple]]:
    """Columns and rows for _insert_values, from the values given by attribute name;
    every other column as a new instance has it: its default, now for auto_now."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    if connection.vendor != "postgresql":
        now = connection.ops.adapt_datetimefield_value(now)
    new = model()
    base = {
        f.attname: (
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else getattr(new, f.attname)
        )
        for f in fields
    }
    json_fields = [f for f in fields if isinstance(f, models.JSONField)]

    def make(values: dict) -> tuple:
        values = {**base, **values}
        for f in json_fields:
            values[f.attname] = json.dumps(values[f.attname], cls=f.encoder)
        return tuple(values[f.attname] for f in fields)

    return [f.attname for f in fields], map(make, rows)


def _copy_text(value) -> str:
    """A value as PostgreSQL's text COPY reads it."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(COPY_TEXT_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # and datetime
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _insert_values(model, fields: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain rows of values: COPY on PostgreSQL, batched executemany elsewhere.

    Model instances and the ORM's bulk_create cost more per row than reading and
    checking it; the values here are already checked.
    """
    table = model._meta.db_table
    columns = ", ".join(model._meta.get_field(name).column for name in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for batch in itertools.batched(rows, BATCH_SIZE):
                    copy.write("".join(["\t".join(map(_copy_text, row)) + "\n" for row in batch]))
                    count += len(batch)
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


def _write_spend_totals(targets: Iterable[_SpendTarget]) -> None:
    """The monthly spend rollup (SpendMonth), and each project's spend_total and
    last_spend_on, from the totals the spend pass kept."""
    targets = [target for target in targets if target.months]
    _insert_values(
        SpendMonth,
        ["project", "month", "amount", "entries"],
        (
            (target.project_id, datetime.date.fromisoformat(f"{month}-01"), amount, entries)
            for target in targets
            for month, (amount, entries) in target.months.items()
        ),
    )
    table = Project._meta.db_table
    rows = [
        (
            target.project_id,
            sum((amount for amount, _ in target.months.values()), Decimal(0)),
            datetime.date.fromisoformat(target.last),
        )
        for target in targets
    ]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET spend_total = %s, last_spend_on = %s WHERE id = %s",
                [(total, last, project_id) for project_id, total, last in rows],
            )
            return
        for chunk in _chunks(rows, 1000):
            values = ", ".join(["(%s::bigint, %s::numeric, %s::date)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS p SET spend_total = v.total, last_spend_on = v.last "
                f"FROM (VALUES {values}) AS v(id, total, last) WHERE p.id = v.id",
                [value for row in chunk for value in row],
            )


def _write(
    source: _Source, plan: _Plan, *, actor: User | None, progress: Progress | None
) -> ImportSummary:
    summary = ImportSummary()
    people = _ensure_people(plan, summary)
    project_ids = _write_projects(plan, people, summary, progress)
    gate_ids = dict(Gate.objects.values_list("number", "id"))
    recorder = actor.pk if actor is not None and actor.is_authenticated else None
    with connection.cursor() as cursor:
        bulk = _BulkLoad(cursor)
        bulk.skip_reference_checks([*people.values(), recorder], gate_ids.values())
        _write_history(
            source, plan, bulk, people, project_ids, gate_ids, recorder, summary, progress
        )
        _insert_values(
            AuditEntry, *_new_rows(AuditEntry, _audit_entries(plan, project_ids, summary, recorder))
        )
        bulk.restore_reference_checks()
    versioning.bump()  # cached dashboard numbers are keyed by it
    return summary


def _write_history(
    source: _Source,
    plan: _Plan,
    bulk: _BulkLoad,
    people: dict[str, int],
    project_ids: dict[str, int],
    gate_ids: dict[int, int],
    recorder: int | None,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    """Decisions, spend (and its totals) and outcomes."""
    if connection.vendor == "postgresql":
        # The transaction's start: what the spend COPY's 'now' is too.
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            now = recorded_at = cursor.fetchone()[0]
    else:
        now = timezone.now()
        recorded_at = connection.ops.adapt_datetimefield_value(now)

    # In file order, as before the checks sorted them.
    decisions = sorted(
        ((key, decision) for key, state in plan.projects.items() for decision in state.decisions),
        key=lambda pair: pair[1].line,
    )
    summary.decisions = _insert_values(
        GateDecision,
        [
            "project",
            "gate",
            "decision",
            "funding_granted",
            "probability_of_success",
            "rationale",
            "decided_by",
            "decided_on",
            "sequence",
            "recorded_at",
        ],
        (
            (
                project_ids[key],
                gate_ids[d.gate],
                d.decision,
                d.funding,
                d.probability,
                d.rationale,
                people[d.decided_by],
                d.decided_on,
                d.sequence,
                recorded_at,
            )
            for key, d in decisions
        ),
    )
    if progress is not None:
        progress("writing", DECISIONS, summary.decisions, True)

    # spend.csv is checked as it is written, outcomes.csv while PostgreSQL rebuilds the
    # spend indexes: on any problem in either, everything is rolled back.
    problems = _Problems()
    bulk.drop_spend_indexes()
    with connection.cursor() as cursor, _spend_writer(cursor, recorder, now) as writer:
        spend = _SpendPass(source, plan, problems, progress, project_ids=project_ids, writer=writer)
        summary.spend_entries = spend.run()
    with bulk.rebuilding_spend_indexes():
        _check_outcomes(source, plan, problems, progress)
    if problems:
        raise ImportFailed(problems.as_list())
    if progress is not None:
        progress("writing", SPEND, summary.spend_entries, True)
    _write_spend_totals(spend.targets.values())

    summary.outcomes = _insert_values(
        Outcome,
        ["project", "month", "realized_value", "recorded_by", "recorded_at"],
        (
            (project_ids[key], month, value, recorder, recorded_at)
            for key, month, value in plan.outcomes
        ),
    )
    if progress is not None:
        progress("writing", OUTCOMES, summary.outcomes, True)


def _audit_entries(
    plan: _Plan, project_ids: dict[str, int], summary: ImportSummary, actor_id: int | None
) -> Iterator[dict]:
    """One entry for the import, and one for each project it created or replaced."""
    yield {
        "actor_id": actor_id,
        "action": "portfolio.imported",
        "summary": str(summary),
        "changes": {
            "projects_created": summary.projects_created,
            "projects_replaced": summary.projects_replaced,
            "decisions": summary.decisions,
            "spend_entries": summary.spend_entries,
            "outcomes": summary.outcomes,
            "users_created": summary.users_created,
        },
    }
    for key, project_id in project_ids.items():
        replaced = plan.projects[key].existing_id is not None
        yield {
            "actor_id": actor_id,
            "project_id": project_id,
            "action": "project.replaced" if replaced else "project.imported",
            "object_type": Project._meta.label,
            "object_id": str(project_id),
            "summary": (
                f"{key} replaced by a portfolio import: its decisions, spend and outcomes "
                "were rewritten from the files"
                if replaced
                else f"{key} imported from the portfolio files"
            ),
        }


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
