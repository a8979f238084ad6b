"""spend.csv, checked and written in one pass: at the speed of COPY for a million rows.

Nothing is kept per row: only each project's totals per month, for the rollup.
"""

from __future__ import annotations

import bisect
import codecs
import datetime
import io
import itertools
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from gates.interchange.checks import Counter, Plan, Progress, unknown_key
from gates.interchange.format import (
    COLUMNS,
    MAX_MONEY_DIGITS,
    SPEND,
    SPEND_CATEGORIES,
    WHOLE_ROW,
    Problems,
    Row,
    parse_spend,
    too_large,
)
from gates.interchange.reading import CsvFile, Source
from portfolio.interchange_format import LARGEST_AMOUNT

SPEND_BLOCK_BYTES = 1 << 20  # read at a time
SPEND_BATCH_ROWS = 5000  # rows of the slow way written at a time
# A spend cell that certainly passes the checks; anything else goes the slow way (Row).
SPEND_FAST_CELLS = {
    "project": r"[A-Za-z0-9_-]{1,32}",
    "spent_on": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",  # a real date: checked in Python
    # Greater than 0 (not only zeros and a point), at most 2 decimals, not too large.
    "amount": r"(?![0.]*(?:[,\n]|$))[0-9]{1," + str(MAX_MONEY_DIGITS) + r"}(?:\.[0-9]{1,2})?",
    "category": "(?:" + "|".join(re.escape(c) for c in SPEND_CATEGORIES) + ")",
    # No backslash (PostgreSQL's COPY text takes it as is); not a formula-safe ' to remove;
    # empty, or with a visible ASCII character in it: a note with nothing visible in it
    # ("\u200b") is kept empty, the slow way (Row.free_text), as is one with none of ASCII.
    "note": r"""(?:(?=[^,"\r\n\\]*[!#-+\--\[\]-~])(?!'+[=+\-@\t])[^,"\r\n\\]*)?""",
}
# A cell quoted whole, with no quote, comma or line break inside: csv reads it as its text.
_QUOTED_CELL = re.compile(r'(?:^|(?<=,))"([^",\r\n]*)"(?=,|\r?$)', re.MULTILINE)
# An amount with exactly two decimals (as exports have them), greater than 0.
SPEND_CENTS = r"(?!0*\.00)[0-9]{1," + str(MAX_MONEY_DIGITS) + r"}\.[0-9]{2}"
SPEND_ORDER = ["project", "spent_on", "amount", "category", "note"]

# Rows of (project id, spent_on, amount, category, note): text, as in the file.
SpendRows = list[tuple[int | None, str, str, str, str]]


class SpendTarget:
    """A project as the spend pass sees it, and the running totals of its spend."""

    __slots__ = ("project_id", "written", "prefix", "submitted", "last", "months")

    def __init__(
        self, project_id: int | None, submitted_on: datetime.date | None, *, written: bool = True
    ):
        self.project_id = project_id
        # False for a project a replace leaves unchanged: its rows are checked, not written.
        self.written = written
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


class SpendPass:
    """Reads spend.csv once: checks every row, and hands the good ones to ``writer``.

    A million rows must go at the speed of COPY, so most rows take a fast way. A
    block of whole lines with no NUL, stray carriage return or quote (but around a
    whole cell that needs none: ``_plain_text``) is one row per line, and one
    regular expression (``SPEND_FAST_CELLS``) tells whether each cell passes its
    checks alone; PostgreSQL then reads the cells' text as it
    is. In the columns' usual order, such a block is turned into COPY text with a
    few string operations per run of rows of one project (``_runs``); else row by
    row (``_fast``). A row that the expression does not take, or that fails a
    check, goes the slow way (``_Row``, like the other files), which words the
    problems; a block the fast way cannot read hands the rest of the file to
    ``CsvFile``.

    Once a problem is found nothing more is written (the caller rolls back), but
    the reading goes on, so that every problem is listed. Nothing is kept per row.
    """

    def __init__(
        self,
        source: Source,
        plan: Plan,
        problems: Problems,
        progress: Progress | None,
        *,
        project_ids: dict[str, int] | None = None,
        writer: SpendWriter | None = None,
    ):
        self.source = source
        self.problems = problems
        self.readable = plan.projects_readable
        self.dates = plan.dates
        self.today = plan.dates.today.isoformat()  # ISO dates compare as text
        ids = project_ids or {}
        self.targets = {
            key: SpendTarget(ids.get(key), state.submitted_on, written=not state.unchanged)
            for key, state in plan.projects.items()
        }
        self.writer = writer
        self.counter = Counter(progress, "checking", SPEND)
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
        if not self.source.streams:  # a workbook's sheet: its rows, each the slow way
            with self.source.rows(SPEND, self.problems) as rows:
                self._general(rows)
            self._flush()
            self._check_totals()
            self.counter.done()
            return self.rows
        with self.source.open(SPEND) as stream:
            first = stream.readline()
            header = self._plain_header(first)
            if header is None:  # let the general reader word what is wrong with it
                rest = itertools.chain([first], iter(stream.readline, b""))
                self._general(CsvFile(None, SPEND, self.problems, raw_lines=rest))
            else:
                self._blocks(stream, header)
        self._flush()
        self._check_totals()
        self.counter.done()
        return self.rows

    def _check_totals(self) -> None:
        """A project's spend is an amount too: its total is held to the same limit. Known
        only once the whole file is read, so said of the file (line 1)."""
        for key, target in self.targets.items():
            total = sum((amount for amount, _ in target.months.values()), Decimal(0))
            if total > LARGEST_AMOUNT:
                self.problems.add(SPEND, 1, "amount", too_large(total, f"{key}'s spend comes to "))

    def _plain_header(self, raw: bytes) -> list[str] | None:
        """The header, when it is plain (no quote but around a whole cell) and right; else None."""
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
        cells (split at the commas, as csv would); else None. A cell quoted whole with
        nothing in it that needs the quotes (``"GL-0001","2026-01-05"``, as spreadsheets and
        some tools write every cell) is the cell without them, as csv reads it."""
        if b"\x00" in block:
            return None
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if '"' in text:
            text = _QUOTED_CELL.sub(r"\1", text)
            if '"' in text:  # a quote inside a cell, or a cell over several lines
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
                    CsvFile(
                        None, SPEND, self.problems, raw_lines=rest, first_line=line, header=header
                    )
                )
                return
            count = text.count("\n")
            if any(self._runs(text, tail, *run) for run in runs):
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

    def _runs(self, text: str, tail: str, expression, in_cents: bool) -> bool:
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
        written = 0  # rows of the projects written (not of those a replace leaves unchanged)
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
            if min(days) < target.submitted or max(days) > self.today:
                return False
            if not good_days.issuperset(days):
                new_days = set(days).difference(good_days)
                if not all(_real_date(day) for day in new_days):
                    return False
                good_days.update(new_days)
            runs.append((target, days, rows))
            if not target.written:
                continue
            prefix = target.prefix
            parts.append(prefix + rows[len(key) + 1 :].replace(f"\n{key},", f"\n{prefix}"))
            written += len(days)
        if end != len(text):
            return False
        for target, days, rows in runs:
            if in_cents:
                target.add_run_in_cents(days, self._AMOUNTS.findall(rows.replace(".", "")))
            else:
                target.add_run(days, self._AMOUNTS.findall(rows))
        if self._writing and parts:
            self._flush()  # rows keep the file's order
            self.writer.text("".join(parts).replace("\n", tail))
            self.rows += written
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
            if target is None or day < target.submitted or day > self.today:
                break
            if day not in good_days:
                if not _real_date(day):
                    break
                good_days.add(day)
            target.add(day, amount)
            if target.written:
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

    def _general(self, rows: Iterable[tuple[int, dict[str, str]]]) -> None:
        for line, values in rows:
            self.counter.tick()
            self._slow(line, values)
            if len(self._batch) >= SPEND_BATCH_ROWS:
                self._flush()

    def _slow(self, line: int, values: dict[str, str]) -> None:
        """One row checked cell by cell, each problem worded (as the other files are)."""
        row = Row(SPEND, line, values, self.problems)
        parsed = parse_spend(row, self.dates)
        key = row.raw("project") or None
        target = None
        if key is not None:
            target = self.targets.get(key)
            if target is None and self.readable:
                unknown_key(row, key)
        if target is None or parsed is None:
            return
        day = parsed["spent_on"].isoformat()
        if day < target.submitted:
            row.problem(
                "spent_on", f"{day} is before the project was submitted ({target.submitted})"
            )
            return
        target.add(day, parsed["amount"])
        if target.written:
            self._batch.append(
                (target.project_id, day, str(parsed["amount"]), parsed["category"], parsed["note"])
            )

    def _flush(self) -> None:
        if self._batch and self._writing:
            self.writer.rows(self._batch)
            self.rows += len(self._batch)
        self._batch.clear()


@dataclass
class SpendWriter:
    """Where SpendPass writes: ``rows(rows)``; on PostgreSQL also ``text(copy_text)``
    for rows already in COPY text, each line ending with ``tail`` (the columns after
    the note). Made by ``database.spend_writer``."""

    rows: Callable[[SpendRows], None]
    text: Callable[[str], None] | None = None
    tail: str = ""
