"""The interchange format as one Excel workbook (.xlsx): a sheet per file.

Each sheet is named after its file without ``.csv`` (``projects``,
``gate_decisions``, ``spend``, ...) and holds the same columns under a header
row. Reading hands the importer each sheet's rows as text, exactly as a CSV
file's would be (``WorkbookSource.rows``), so every rule, the all-or-nothing
import and the messages are the CSV importer's, worded for a workbook: a problem
names the sheet and its row (``sheet spend, row 12: amount: ...``, row 1 the
header), and a message that names a file names its sheet (``not in the projects
sheet``); see ``WorkbookSource.name_problem``.

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
import tempfile
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Font
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from gates.interchange.format import (
    ALL_FILES,
    COLUMNS,
    FILES,
    FORMAT,
    SPEND,
    WHOLE_FILE,
    WHOLE_ROW,
    ImportFailed,
    Problems,
)
from gates.interchange.reading import Source, header_ok
from gates.interchange.sheet_xml import NotASheet, NotCSV, Refused, SheetCells

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


class SheetRows:
    """One sheet's data rows as (row number, {column: text}), as ``CsvFile`` gives a
    file's; ``readable`` tells whether its header was good."""

    def __init__(self, cells: SheetCells, name: str, problems: Problems):
        self.cells = cells
        self.name = name
        self.problems = problems
        self.readable = False

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            yield from self._rows()
        except NotASheet as exc:
            self.readable = False
            self.problems.add(
                self.name,
                1,
                WHOLE_FILE,
                f"not a worksheet Greenlight can read ({exc}): save it from Excel as an "
                ".xlsx workbook",
            )

    def _rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        rows = iter(self.cells)
        number, first = next(rows, (0, []))
        if number != 1:  # the header is row 1, or the sheet has none
            rows = itertools.chain([(number, first)], rows) if number else rows
            first = []
        header = []
        for text in first:
            if type(text) is Refused:
                self.problems.add(self.name, 1, WHOLE_ROW, text)
                text = ""
            header.append((text or "").strip())
        while header and not header[-1]:
            header.pop()
        if not header:
            self.problems.add(self.name, 1, WHOLE_FILE, "the sheet is empty: it needs a header row")
            return
        if not header_ok(self.name, header, self.problems, sheet=True):
            return
        self.readable = True
        self.cells.money = frozenset(i for i, c in enumerate(header) if c in MONEY_COLUMNS)
        self.cells.width = width = len(header)
        for number, cells in rows:
            values: dict[str, str] = {}
            refused = False
            for index, text in enumerate(cells):
                if text is None:
                    continue
                if index >= width:
                    if text.strip():
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
                if type(text) is Refused:
                    self.problems.add(self.name, number, column, text)
                    refused = True
                else:
                    values[column] = text
            if refused or not any(value.strip() for value in values.values()):
                continue  # a blank row, or one already reported
            yield number, {column: values.get(column, "") for column in header}


# A problem as the checks word it, ``FILE:LINE: column: message``.
_PROBLEM = re.compile(r"(?P<where>[^:\n]+):(?P<row>[0-9]+): (?P<rest>.*)", re.DOTALL)
# A file of the format named inside a message, longest first (``artifact_uses.csv``).
_FILE_NAMED = re.compile(
    "|".join(r"(?<![\w.])" + re.escape(name) for name in sorted(ALL_FILES, key=len, reverse=True))
)
# Another row named inside a message, as the checks word it: ``(first on line 6)``,
# ``(line 6)``, ``RP-0001 on line 2``; in a workbook it is the sheet's row of that number.
_LINE_NAMED = re.compile(r"(?<=\bon )line(?= [0-9])|(?<=\()line(?= [0-9])")


class WorkbookSource(Source):
    """An .xlsx workbook (a path or an open binary file) as the importer's source.

    openpyxl reads the workbook's parts (through defusedxml); each sheet's cells
    are streamed by ``sheet_xml.SheetCells``. The spend sheet is also offered as
    CSV bytes (``open``), one line per sheet row, so that a million rows take
    the spend pass's fast way, as spend.csv's do; see ``spend_csv``."""

    def __init__(self, workbook: Path | BinaryIO):
        self.workbook = workbook
        self._reader = None
        self._sheets: dict[str, str] = {}  # file name -> the sheet's title
        self._paths: dict[str, str] = {}  # file name -> the sheet's XML in the archive
        self._spend_csv = None  # None: not made yet; False: the sheet cannot be CSV
        self._unknown: list[str] = []  # the unknown sheets' problems (``own_problems``)

    @property
    def book(self):
        if self._reader is None:
            self._reader = self._load()
        return self._reader

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
            reader = ExcelReader(self.workbook, read_only=True, keep_links=False)
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            titles, paths = [], {}
            for sheet, rel in reader.parser.find_sheets():
                titles.append(sheet.name)
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                    paths[sheet.name] = rel.target
                    self._check_prolog(reader.archive, rel.target)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            # What the reader tripped on (a zip error, a missing part) means nothing to the
            # person: the file is not a workbook Excel saved.
            raise ImportFailed(
                [
                    f"{WORKBOOK}:1: {WHOLE_FILE}: not an Excel workbook (.xlsx): save it from "
                    "Excel as an .xlsx workbook"
                ]
            ) from None
        files = {sheet_name(name).lower(): name for name in ALL_FILES}
        unknown, missing = [], []
        for title in titles:
            name = files.get(title.strip().lower())
            if name is None or name in self._sheets or title not in paths:
                unknown.append(
                    f"{title}:1: {WHOLE_FILE}: unknown sheet (the sheets are: "
                    f"{', '.join(map(sheet_name, ALL_FILES))}): rename or delete it"
                )
            else:
                self._sheets[name] = title
                self._paths[name] = paths[title]
        for name in FILES:
            if name not in self._sheets:
                missing.append(
                    f"{sheet_name(name)}:1: {WHOLE_FILE}: missing sheet: a workbook needs the "
                    f"sheets {', '.join(map(sheet_name, FILES))}"
                )
        if missing:
            reader.archive.close()
            raise ImportFailed(unknown + missing)
        # The known sheets are still read, so that their problems are listed too.
        self._unknown = unknown
        return reader

    def own_problems(self) -> list[str]:
        self.book  # noqa: B018 - loading the workbook finds its sheets
        return self._unknown

    @staticmethod
    def _check_prolog(archive: zipfile.ZipFile, path: str) -> None:
        """A sheet whose XML declares a document type (entities that may expand to
        gigabytes) is refused, as defusedxml refuses one in the other parts."""
        with archive.open(path) as stream:
            head = stream.read(64 * 1024).decode("utf-8", "replace")
        data = head.find("sheetData")
        if "<!" in (head if data < 0 else head[:data]).replace("<!--", ""):
            raise ValueError("a worksheet with a document type declaration")

    def _cells(self, name: str) -> tuple[SheetCells, BinaryIO]:
        reader = self.book
        stream = reader.archive.open(self._paths[name])
        cells = SheetCells(
            stream,
            strings=reader.shared_strings,
            epoch=reader.wb.epoch,
            date_styles=reader.wb._date_formats,
            timedelta_styles=reader.wb._timedelta_formats,
        )
        return cells, stream

    def exists(self, name: str) -> bool:
        self.book  # noqa: B018 - loading the workbook finds its sheets
        return name in self._sheets

    @contextlib.contextmanager
    def rows(self, name: str, problems: Problems) -> Iterator[SheetRows]:
        cells, stream = self._cells(name)
        try:
            yield SheetRows(cells, name, problems)
        finally:
            stream.close()

    @property
    def streams(self) -> bool:
        """Whether the spend sheet can be read as CSV bytes (the spend pass's fast way)."""
        return self.spend_csv() is not None

    def spend_csv(self) -> BinaryIO | None:
        """The spend sheet as CSV bytes in a temporary file, one line per sheet row (a
        blank line for a blank row), so that a problem's line is the sheet's row; or
        None when a row cannot be one line (a value with a line break) or holds what
        only the sheet's reader words (a formula, an error value, a value right of the
        header, a bad header). The spend pass then reads the sheet's rows instead."""
        if self._spend_csv is None:
            cells, stream = self._cells(SPEND)
            try:
                self._spend_csv = sheet_as_csv(cells) or False
            except NotASheet:
                self._spend_csv = False
            finally:
                stream.close()
        return self._spend_csv or None

    @contextlib.contextmanager
    def open(self, name: str):
        if name != SPEND or self.spend_csv() is None:
            raise TypeError("a workbook's sheets are read as rows, not bytes")
        csv_file = self._spend_csv
        csv_file.seek(0)
        yield csv_file

    def label(self, name: str) -> str:
        return self._sheets.get(name, sheet_name(name))

    def name_problem(self, problem: str) -> str:
        """``projects.csv:5: project: unknown project key 'X' (not in projects.csv)`` as
        ``sheet projects, row 5: project: unknown project key 'X' (not in the projects
        sheet)``, a line named inside it as the row (``first on row 6``); a problem of
        the whole sheet names no row (``sheet Sheet1: unknown
        sheet …``). The workbook's own
        problems (``workbook.xlsx:1: …``) and the count of those not listed stay."""
        found = _PROBLEM.fullmatch(problem)
        if found is None or found["where"] == WORKBOOK:
            return problem
        where = self.label(found["where"]) if found["where"] in ALL_FILES else found["where"]
        column, colon, message = found["rest"].partition(": ")
        message = _FILE_NAMED.sub(lambda named: f"the {self.label(named[0])} sheet", message)
        message = _LINE_NAMED.sub("row", message)
        if column == WHOLE_FILE:
            return f"sheet {where}: {message}"
        return f"sheet {where}, row {found['row']}: {column}{colon}{message}"

    def close(self) -> None:
        if self._reader is not None:
            self._reader.archive.close()
        if self._spend_csv:
            self._spend_csv.close()


def sheet_as_csv(cells: SheetCells) -> BinaryIO | None:
    """A sheet's rows as CSV bytes (see ``WorkbookSource.spend_csv``), or None."""
    head, blocks = cells.start()
    if not head or head[0][0] != 1 or Refused in map(type, head[0][1]):
        return None
    header = [(text or "").strip() for text in head[0][1]]
    while header and not header[-1]:
        header.pop()
    if not header or not header_ok(SPEND, header, Problems()):
        return None
    cells.money = frozenset(i for i, c in enumerate(header) if c in MONEY_COLUMNS)
    cells.width = len(header)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - the source closes it
    try:
        target.write((",".join(header) + "\n").encode())
        for text in cells.csv_text(blocks):
            target.write(text.encode())
    except NotCSV:
        target.close()
        return None
    target.seek(0)
    return target


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
