"""The interchange format as one Excel workbook (.xlsx): a sheet per file.

Each sheet is named after its file without ``.csv`` (``projects``,
``gate_decisions``, ``spend``, ...) and holds the same columns under a header
row. Reading hands the importer each sheet's rows as text, exactly as a CSV
file's would be (``WorkbookSource.rows``), so every rule, the all-or-nothing
import and the messages are the CSV importer's; a problem names the sheet
(``spend:12: amount: ...``, row 1 the header).

Typed cells become the text the format reads: a date cell its ``YYYY-MM-DD``, a
number its plain decimal digits, TRUE/FALSE ``yes``/``no``. A formula is refused,
never evaluated (its cached result may be stale, and it is not data the person
typed); so is an error value (``#N/A``). The workbook is read with openpyxl's
read-only mode, which streams each sheet's XML instead of loading the workbook.

Writing (``export_portfolio_workbook``) streams with openpyxl's write-only mode:
dates as date cells, money as numbers with two decimals, the header frozen,
column widths from the header and the first rows, text formula-safe as in the
CSV export (the importer removes the leading ``'`` again).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import openpyxl
from django.conf import settings
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from gates.interchange.format import (
    ALL_FILES,
    COLUMNS,
    FILES,
    FORMAT,
    WHOLE_FILE,
    WHOLE_ROW,
    ImportFailed,
    Problems,
)
from gates.interchange.reading import Source, header_ok

WORKBOOK = "workbook.xlsx"  # an uploaded workbook's name among the files of an import
SUFFIX = ".xlsx"

DATE_COLUMNS = frozenset(
    {"submitted_on", "decided_on", "spent_on", "month", "estimated_on", "created_on", "used_on"}
)
MONEY_COLUMNS = frozenset(
    {
        "projected_low",
        "projected_expected",
        "projected_high",
        "next_stage_ask",
        "funding_granted",
        "amount",
        "realized_value",
        "build_cost",
        "monthly_run_cost",
        "cost_per_retrain",
    }
)
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
DEFAULT_MAX_UNPACKED = 2 * 1024**3  # settings.IMPORT_WORKBOOK_MAX_UNPACKED_BYTES
SAMPLE_ROWS = 200  # rows read ahead to size a sheet's columns
MAX_WIDTH = 60


def sheet_name(file: str) -> str:
    return file.removesuffix(".csv")


def is_workbook(path: Path | str) -> bool:
    return Path(path).suffix.lower() == SUFFIX


# --- Reading --------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)  # the shortest text that is this float
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


class SheetRows:
    """One sheet's data rows as (row number, {column: text}), as ``CsvFile`` gives a
    file's; ``readable`` tells whether its header was good."""

    def __init__(self, sheet, name: str, problems: Problems):
        self.sheet = sheet
        self.name = name
        self.problems = problems
        self.readable = False

    def _text(self, cell, column: str, row: int) -> str | None:
        """The cell as the format's text; None (with a problem) for a formula or an error."""
        value = cell.value
        kind = type(value)
        if kind is str:
            if cell.data_type == "f":
                self.problems.add(
                    self.name,
                    row,
                    column,
                    f"a formula ({value[:40]}): formulas are not evaluated; enter the value itself",
                )
                return None
            if cell.data_type == "e":
                self.problems.add(self.name, row, column, f"an error value ({value})")
                return None
            return value
        if kind is float:
            return _number_text(value)
        if kind is int:
            return str(value)
        if kind is datetime.datetime:
            if value.time() == datetime.time(0):
                return value.date().isoformat()
            return value.isoformat(sep=" ")  # refused by the date check, with the value
        if kind is bool:
            return "yes" if value else "no"
        if kind is datetime.date or kind is datetime.time:
            return value.isoformat()
        if cell.data_type == "f":  # an array or data-table formula
            self.problems.add(
                self.name,
                row,
                column,
                "a formula: formulas are not evaluated; enter the value itself",
            )
            return None
        return str(value)

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        self.sheet.reset_dimensions()  # some writers record a wrong size: read every row
        rows = self.sheet.iter_rows()
        first = next(rows, ())
        header = []
        for cell in first:
            text = self._text(cell, WHOLE_ROW, 1) if cell.value is not None else ""
            header.append((text or "").strip())
        while header and not header[-1]:
            header.pop()
        if not header:
            self.problems.add(self.name, 1, WHOLE_FILE, "the sheet is empty: it needs a header row")
            return
        if not header_ok(self.name, header, self.problems):
            return
        self.readable = True
        width = len(header)
        text = self._text
        for number, cells in enumerate(rows, start=2):
            values: dict[str, str] = {}
            refused = False
            for index, cell in enumerate(cells):
                if cell.value is None:
                    continue
                if index >= width:
                    if str(cell.value).strip():
                        self.problems.add(
                            self.name,
                            number,
                            WHOLE_ROW,
                            f"a value in column {get_column_letter(index + 1)}, right of the "
                            f"header's {width} columns",
                        )
                        refused = True
                    continue
                column = header[index]
                value = text(cell, column, number)
                if value is None:
                    refused = True
                else:
                    values[column] = value
            if refused or not any(value.strip() for value in values.values()):
                continue  # a blank row, or one already reported
            yield number, {column: values.get(column, "") for column in header}


class WorkbookSource(Source):
    """An .xlsx workbook (a path or an open binary file) as the importer's source."""

    streams = False

    def __init__(self, workbook: Path | BinaryIO):
        self.workbook = workbook
        self._book = None
        self._sheets: dict[str, str] = {}  # file name -> the sheet's title

    @property
    def book(self):
        if self._book is None:
            self._book = self._load()
        return self._book

    def _check_unpacked_size(self) -> None:
        """Refuse a workbook that unpacks to more than ``IMPORT_WORKBOOK_MAX_UNPACKED_BYTES``
        (a few kB of zip may unpack to gigabytes: a "zip bomb" would hold a worker for hours).
        The sizes the zip declares bound what reading it can produce."""
        limit = getattr(settings, "IMPORT_WORKBOOK_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED)
        try:
            with zipfile.ZipFile(self.workbook) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return  # openpyxl says what is wrong with it
        finally:
            if hasattr(self.workbook, "seek"):
                self.workbook.seek(0)
        if unpacked > limit:
            raise ImportFailed(
                [
                    f"{WORKBOOK}:1: {WHOLE_FILE}: the workbook unpacks to "
                    f"{unpacked / 2**20:,.0f} MB, above the {limit / 2**20:,.0f} MB limit of a "
                    "workbook: import its sheets as CSV files instead"
                ]
            )

    def _load(self):
        if hasattr(self.workbook, "seek"):
            self.workbook.seek(0)
        self._check_unpacked_size()
        try:
            book = openpyxl.load_workbook(
                self.workbook, read_only=True, data_only=False, keep_links=False
            )
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise ImportFailed(
                [
                    f"{WORKBOOK}:1: {WHOLE_FILE}: not an Excel workbook (.xlsx) "
                    f"({type(exc).__name__}): save it from Excel as an .xlsx workbook"
                ]
            ) from None
        files = {sheet_name(name).lower(): name for name in ALL_FILES}
        problems = []
        for title in book.sheetnames:
            name = files.get(title.strip().lower())
            if name is None or name in self._sheets:
                problems.append(
                    f"{title}:1: {WHOLE_FILE}: unknown sheet (the sheets are: "
                    f"{', '.join(map(sheet_name, ALL_FILES))}): rename or delete it"
                )
            else:
                self._sheets[name] = title
        for name in FILES:
            if name not in self._sheets:
                problems.append(
                    f"{sheet_name(name)}:1: {WHOLE_FILE}: missing sheet: a workbook needs the "
                    f"sheets {', '.join(map(sheet_name, FILES))}"
                )
        if problems:
            book.close()
            raise ImportFailed(problems)
        return book

    def exists(self, name: str) -> bool:
        self.book  # noqa: B018 - loading the workbook finds its sheets
        return name in self._sheets

    def open(self, name: str):
        raise TypeError("a workbook's sheets are read as rows, not bytes")

    @contextlib.contextmanager
    def rows(self, name: str, problems: Problems) -> Iterator[SheetRows]:
        yield SheetRows(self.book[self._sheets[name]], name, problems)

    def label(self, name: str) -> str:
        return self._sheets.get(name, sheet_name(name))

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


# --- Writing --------------------------------------------------------------------------------


def _typed(column: str, text: bool):
    """How a column's exported text becomes a cell value (and its number format)."""
    if column in DATE_COLUMNS:
        return (lambda v: datetime.date.fromisoformat(v) if v else None), "yyyy-mm-dd"
    if column in MONEY_COLUMNS:
        return (lambda v: Decimal(v) if v else None), "#,##0.00"
    if text:
        return (lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if v else None), None
    # Gates, probabilities, counts: numbers when they are plain numbers.
    return _number_or_text, None


def _number_or_text(value):
    if not isinstance(value, str):
        return value
    if PLAIN_NUMBER.fullmatch(value):
        return Decimal(value) if "." in value else int(value)
    return value or None


def _width(column: str, values: list) -> float:
    longest = len(column)
    for value in values:
        if value is None:
            continue
        if isinstance(value, Decimal):
            longest = max(longest, len(f"{value:,.2f}"))
        else:
            longest = max(longest, len(str(value)))
    return min(longest + 2, MAX_WIDTH)


def write_sheet(book, name: str, rows: Iterator[list]) -> int:
    """One file's rows as a sheet of ``book`` (write-only); returns the number of rows."""
    sheet = book.create_sheet(sheet_name(name))
    columns = list(COLUMNS[name])
    text_columns = {c.name for c in FORMAT[name].columns if c.text}
    kinds = [_typed(column, column in text_columns) for column in columns]
    converters = [convert for convert, _ in kinds]
    formats = [number_format for _, number_format in kinds]
    sample = [
        [convert(value) for convert, value in zip(converters, row, strict=True)]
        for row in itertools.islice(rows, SAMPLE_ROWS)
    ]
    for index, column in enumerate(columns):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = _width(column, [row[index] for row in sample])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    styled = [index for index, number_format in enumerate(formats) if number_format]

    def cells(values: list) -> list:
        for index in styled:
            if values[index] is not None:
                cell = WriteOnlyCell(sheet, values[index])
                cell.number_format = formats[index]
                values[index] = cell
        for index, value in enumerate(values):
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value)  # text, never a formula
                cell.data_type = "s"
                values[index] = cell
        return values

    count = 0
    for values in sample:
        sheet.append(cells(values))
        count += 1
    for row in rows:
        sheet.append(
            cells([convert(value) for convert, value in zip(converters, row, strict=True)])
        )
        count += 1
    return count
