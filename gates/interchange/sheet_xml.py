"""A worksheet's cells, streamed from its XML: the fast reader of an .xlsx workbook.

openpyxl reads the workbook's small parts (its sheets, the shared strings, the
styles that make a number a date), all through defusedxml. A sheet's own XML,
a million rows for spend, is read here a megabyte at a time, never whole:

- Row 1 (the header) and any row in an unusual form (namespace prefixes, rich
  text, formulas, cells without a reference...) are read the general way
  (``_TOKENS``: one match per cell, attributes in any order).
- Once the header's columns are known, one regular expression takes a whole row
  as Excel and openpyxl write them (``_row_pattern``), so Python does a few
  operations per row, not per XML element as openpyxl's reader does.
- For CSV (``csv_text``, the spend pass's fast way), a block of such rows is
  turned a column at a time (a dict lookup per shared string or date serial,
  one expression over a column of amounts), then joined by C code.

Anything in the sheet's data that is not a row, a cell, white space, a comment
or a processing instruction is refused as not a worksheet; so is a document
type declaration (entities that would expand are never read).

Each cell becomes the text the interchange format reads, as openpyxl's typed
value would: shared and inline strings, numbers (a number in a money column
exactly, see ``money_text``), dates from the cell's date style, booleans
``yes``/``no``. A formula or an error value becomes a ``Refused`` with its
message (formulas are never evaluated; their cached results are not read).
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from collections.abc import Iterator
from decimal import Context, Decimal, InvalidOperation
from typing import IO

from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import from_excel, from_ISO8601

BLOCK = 1 << 20  # bytes of a sheet's XML read at a time
_P = r"(?:[\w.-]+:)?"  # a namespace prefix
_TOKENS = re.compile(
    # A cell: its tag "c", column letters, style, type; then a plain <v> value or any content.
    rf"<{_P}(c)(?=[\s/>])"
    r"""(?:(?=[^>]*?\sr\s*=\s*["']([A-Za-z]+)))?"""
    r"""(?:(?=[^>]*?\ss\s*=\s*["']([0-9]+)))?"""
    r"""(?:(?=[^>]*?\st\s*=\s*["'](\w+)))?"""
    rf"[^>]*?(?:/>|>(?:<{_P}v>([^<]*)</{_P}v>|(.*?))</{_P}c>)"
    # A row's start: its tag "row" and number.
    rf"|<{_P}(row)(?=[\s/>])"
    r"""(?:(?=[^>]*?\sr\s*=\s*["']([0-9]+)))?[^>]*?/?>"""
    # Nothing to read: a row's end, white space, comments, processing instructions.
    rf"|</{_P}row>|\s+|<!--.*?-->|<\?.*?\?>|<{_P}extLst\b.*?</{_P}extLst>"
    # Anything else: the end of the sheet's data, or not a sheet.
    r"|(<[^>]*>?|[^<]+)",
    re.S,
)


@functools.cache
def _row_pattern(width: int) -> re.Pattern:
    """A row of cells in columns A... (``width`` of them, each optional) as Excel and
    openpyxl write them, or (last group) any other row, to be read the general way."""
    cells = "".join(
        rf'(?:<c r="{get_column_letter(index + 1)}[0-9]+"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?'
        r'(?:/>|>(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)</c>))?'
        for index in range(width)
    )
    return re.compile(rf'<row r="([0-9]+)"[^>]*>{cells}</row>|(<{_P}row\b.*?</{_P}row>)', re.S)


_ROW_END = re.compile(rf"</{_P}row>")
_PREFIXED_ROW_END = re.compile(rb"</[\w.-]+:row>")
_SHEET_DATA_BYTES = re.compile(rb"<(?:[\w.-]+:)?sheetData(?=[\s/>])[^>]*?(/?)>")
_END_OF_DATA = re.compile(rf"</{_P}sheetData>")
_FORMULA = re.compile(rf"<{_P}f(?=[\s/>])([^>]*?)(?:/>|>([^<]*)</{_P}f>)", re.S)
_FORMULA_KIND = re.compile(r"""\st\s*=\s*["'](\w+)""")
_VALUE = re.compile(rf"<{_P}v(?:\s[^>]*)?>([^<]*)</{_P}v>")
_INLINE = re.compile(rf"<{_P}is(?=[\s/>])[^>]*?(?:/>|>(.*?)</{_P}is>)", re.S)
_PHONETIC = re.compile(rf"<{_P}rPh(?=[\s/>]).*?</{_P}rPh>", re.S)
_TEXT = re.compile(rf"<{_P}t(?:\s[^>]*)?>([^<]*)</{_P}t>")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_CENTS = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,2})?")
_CENTS_COLUMN = re.compile(
    r"(?:-?[0-9]{1,15}(?:\.[0-9]{1,2})?)?(?:\n(?:-?[0-9]{1,15}(?:\.[0-9]{1,2})?)?)*"
)
_EXCEL_DIGITS = Context(prec=15)  # what Excel keeps of a typed number


class Refused(str):
    """A cell that is not data (a formula, an error value): the problem's message."""


class _Lookup(dict):
    """A dict that makes a missing value with ``make`` (and keeps up to 100,000)."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> str:
        value = self.make(key)
        if len(self) < 100_000:
            self[key] = value
        return value


class NotCSV(Exception):
    """A row that cannot be one line of CSV: a formula, an error value, a line break
    in a value, a value right of the header."""


def csv_values(values: list, width: int) -> list[str]:
    """A row's values as ``width`` texts; NotCSV for a value right of the header."""
    if any(text and text.strip() for text in values[width:]):
        raise NotCSV
    return [text or "" for text in (values + [None] * width)[:width]]


class NotASheet(ValueError):
    """The sheet's XML is not a worksheet this reader takes."""


def _entity(match: re.Match) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    return chr(int(decimal) if decimal else int(hexadecimal, 16))


def xml_text(raw: str) -> str:
    """Text as the XML says it: references replaced, line ends as an XML parser has them."""
    if "&" in raw:
        text = _ENTITY.sub(_entity, raw)
        if raw.count("&") != len(_ENTITY.findall(raw)):
            raise NotASheet("an undefined entity")
        raw = text
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return raw


def number_text(value: float | int) -> str:
    if type(value) is int:
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)  # the shortest text that is this float
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _cast_number(text: str) -> float | int:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def money_text(stored: str) -> str:
    """A number cell in a money column as exact decimal text, never through a float.

    The cell stores a binary double as decimal text: usually the amount itself
    (``658.69``), but a value computed and pasted may be ``0.30000000000000004``
    and Excel writes some typed values with 17 digits (``1234.5599999999999``).
    That text is rounded, as a Decimal, to 15 significant digits, which is what
    Excel keeps and shows of a typed number: both become cents (0.3, 1234.56).
    What still has more than two decimals (12.345) is left for the money check
    to refuse, as the CSV's would be."""
    if _CENTS.fullmatch(stored):
        return stored
    try:
        exact = _EXCEL_DIGITS.create_decimal(stored).normalize(_EXCEL_DIGITS)
    except InvalidOperation:
        return stored
    if exact.is_finite() and exact.as_tuple().exponent >= -2:
        return format(exact, "f")
    return number_text(_cast_number(stored))


def value_text(value) -> str | None:
    """A typed value (a date, a time, a boolean...) as the format's text."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float or kind is int:
        return number_text(value)
    if kind is datetime.datetime:
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")  # refused by the date check, with the value
    if kind is bool:
        return "yes" if value else "no"
    if kind is datetime.date or kind is datetime.time:
        return value.isoformat()
    return None if value is None else str(value)


def _formula(content: str) -> Refused:
    match = _FORMULA.search(content)
    kind = _FORMULA_KIND.search(match.group(1)) if match else None
    if kind and kind.group(1) in ("array", "dataTable"):
        return Refused("a formula: formulas are not evaluated; enter the value itself")
    text = "=" + xml_text(match.group(2) or "") if match else "="
    return Refused(f"a formula ({text[:40]}): formulas are not evaluated; enter the value itself")


class SheetCells:
    """The rows of one sheet that have a value: (row number, [text by column index]).

    A text is a str, a ``Refused`` (its message) for a formula or an error value,
    or None for an empty cell. ``money`` holds the indexes of money columns and
    ``width`` the header's number of columns: set them once the header is read."""

    def __init__(
        self,
        stream: IO[bytes],
        *,
        strings: list[str],
        epoch: datetime.datetime,
        date_styles: set[int],
        timedelta_styles: set[int],
    ):
        self.stream = stream
        self.strings = strings
        self.epoch = epoch
        self.date_styles = {str(style) for style in date_styles}
        self.timedelta_styles = {str(style) for style in timedelta_styles}
        self.money: frozenset[int] = frozenset()
        self.width = 0  # the header's columns, once read: a row at a time from then on
        self._dates: dict[tuple[str, str], str] = {}
        self._columns: dict[str, int] = {}  # column letters -> index
        self._string_of = _Lookup(self._shared_string)  # shared string index -> text
        self._string_of[""] = ""
        self._day_of = _Lookup(self._day)  # a date style's serial -> text
        self._day_of[""] = ""

    def _block_size(self) -> int:
        return BLOCK

    def _blocks(self) -> Iterator[str]:
        """The sheet's data as text, each block ending at a row's end."""
        head = b""
        while True:  # up to the start of the data
            raw = self.stream.read(self._block_size())
            head += raw
            start = _SHEET_DATA_BYTES.search(head)
            if start is not None or not raw:
                break
        if start is None:
            return  # no data
        if b"<!" in head[: start.start()].replace(b"<!--", b""):
            raise NotASheet("a document type declaration")
        if start.group(1):
            return  # <sheetData/>
        rest = head[start.end() :]  # bytes: a character may be cut at the block's end
        while True:
            raw = self.stream.read(self._block_size())
            rest += raw
            cut = rest.rfind(b"</row>") + 6 if raw else len(rest)
            if cut < 6:
                prefixed = list(_PREFIXED_ROW_END.finditer(rest))
                cut = prefixed[-1].end() if prefixed else 0
            if cut:
                try:
                    text = rest[:cut].decode("utf-8")
                except UnicodeDecodeError:
                    raise NotASheet("text that is not UTF-8") from None
                rest = rest[cut:]
                end = _END_OF_DATA.search(text) if "sheetData" in text else None
                if end is not None:
                    yield text[: end.start()]
                    return
                yield text
            if not raw:
                raise NotASheet("the sheet's data does not end")

    def start(self) -> tuple[list[tuple[int, list]], Iterator[str]]:
        """The rows of the first row's block (row 1, the header, when the sheet has one),
        and the blocks after it: set ``width`` and ``money`` before reading those."""
        blocks = self._blocks()
        first = next(blocks, "")
        end = _ROW_END.search(first)
        rest = itertools.chain([first[end.end() :]], blocks) if end else blocks
        return self._general(first[: end.end()] if end else first, 0), rest

    def __iter__(self) -> Iterator[tuple[int, list[str | None]]]:
        head, blocks = self.start()
        yield from head
        row_number = head[-1][0] if head else 0
        for block in blocks:
            width = self.width
            if width:
                rows = self._rows(block, row_number, width)
            else:
                rows = self._general(block, row_number)
            if rows:
                row_number = rows[-1][0]
                yield from rows

    def csv_text(self, blocks: Iterator[str]) -> Iterator[str]:
        """The rows of ``blocks`` (after the header's, ``width`` set) as CSV text, a line
        per sheet row (an empty line for a row without values); raises NotCSV at a row
        that cannot be one line of the header's columns (see ``csv_line``)."""
        width = self.width
        previous = 1
        commas = width - 1
        for block in blocks:
            found = _row_pattern(width).findall(block)
            text = self._columns_as_csv(found, previous, width) if found else None
            if text is not None:
                previous += len(found)
                yield text
                continue
            lines = []
            for number, values in self._rows(block, previous, width, found):
                if number > previous + 1:
                    lines.append("\n" * (number - previous - 2))  # blank rows keep numbers
                previous = number
                if len(values) != width or None in values:
                    values = csv_values(values, width)
                line = ",".join(values)
                if line.count(",") != commas or '"' in line:
                    line = ",".join(
                        [
                            '"' + text.replace('"', '""') + '"'
                            if "," in text or '"' in text
                            else text
                            for text in values
                        ]
                    )
                if "\n" in line or "\r" in line or Refused in map(type, values):
                    raise NotCSV
                lines.append(line)
            if lines:
                yield "\n".join(lines) + "\n"

    def _value(self, kind: str, style: str, value: str, column: int) -> str | None:
        """A cell's <v> as text, by the cell's type and style."""
        if kind == "s":
            try:
                return self.strings[int(value)]
            except (IndexError, ValueError):
                raise NotASheet("a shared string that is not there") from None
        if not kind or kind == "n":
            if style and style in self.date_styles:
                return self._date(value, style)
            if column in self.money:
                return money_text(value)
            return self._number(value)
        return self._other(kind, xml_text(value))

    def _columns_as_csv(self, found: list[tuple], previous: int, width: int) -> str | None:
        """Rows found by ``_row_pattern`` as CSV lines, a column at a time: when the rows
        follow each other and each column holds one kind of cell (shared strings, inline
        strings, dates of one kind, numbers), its texts are made by a dict lookup or
        one expression for the whole column. None when the rows are not like that:
        they are then read a row at a time."""
        columns = list(zip(*found, strict=True))
        if any(columns[-1]):
            return None  # a row in another form
        numbers = columns[0]
        if int(numbers[0]) != previous + 1 or int(numbers[-1]) != previous + len(numbers):
            return None  # rows missing in between, or numbered otherwise
        texts = []
        for column in range(width):
            styles, kinds, values, inlines = columns[1 + 4 * column : 5 + 4 * column]
            kind = set(kinds)
            kind.discard("")
            if any(inlines):
                if kind != {"inlineStr"} or any(values):
                    return None
                joined = "".join(inlines)
                if "&" in joined or "\r" in joined:
                    return None
                texts.append(inlines)
            elif kind == {"s"}:
                texts.append(list(map(self._string_of.__getitem__, values)))
            elif kind <= {"n"}:
                style = set(styles)
                style.discard("")
                if style and style <= self.date_styles:
                    if style & self.timedelta_styles:
                        return None
                    try:
                        texts.append(list(map(self._day_of.__getitem__, values)))
                    except KeyError:  # a serial that is not a day
                        return None
                elif style & self.date_styles:
                    return None  # dates and numbers in one column
                elif column in self.money:
                    if not _CENTS_COLUMN.fullmatch("\n".join(values)):
                        return None
                    texts.append(values)
                else:
                    texts.append([value and self._number(value) for value in values])
            else:
                return None
        text = "\n".join(map(",".join, zip(*texts, strict=True)))
        lines = len(numbers)
        if (
            text.count(",") != (width - 1) * lines
            or text.count("\n") != lines - 1
            or '"' in text
            or "\r" in text
        ):
            return None
        return text + "\n"

    def _rows(
        self, block: str, row_number: int, width: int, found: list | None = None
    ) -> list[tuple[int, list]]:
        """The block's rows, a whole row at a time when it is in the form Excel and
        openpyxl write (``_row_pattern``), else the general way."""
        rows = []
        strings = self.strings
        money = self.money
        date_styles = self.date_styles
        dates = self._dates
        for groups in _row_pattern(width).findall(block) if found is None else found:
            other = groups[-1]
            if other:
                more = self._general(other, row_number)
                if more:
                    rows.extend(more)
                    row_number = more[-1][0]
                continue
            row_number = int(groups[0])
            values = [""] * width
            found = False
            cells = iter(groups[1:-1])
            for column, (style, kind, value, inline) in enumerate(
                zip(cells, cells, cells, cells, strict=True)
            ):
                if value:
                    if kind == "s":
                        try:
                            text = strings[int(value)]
                        except (IndexError, ValueError):
                            raise NotASheet("a shared string that is not there") from None
                    elif not kind and style in date_styles:
                        text = dates.get((value, style)) or self._date(value, style)
                    elif not kind and column in money and _CENTS.fullmatch(value):
                        text = value
                    else:
                        text = self._value(kind, style, value, column)
                        if text is None:
                            continue
                elif inline and kind == "inlineStr":
                    text = xml_text(inline)
                else:
                    continue
                values[column] = text
                found = True
            if found:
                rows.append((row_number, values))
        return rows

    def _general(self, block: str, row_number: int) -> list[tuple[int, list]]:
        """The block's rows, whatever the form of its cells and rows."""
        columns = self._columns
        rows = []
        cells: dict[int, str] | None = None
        column = -1
        for is_cell, letters, style, kind, value, content, is_row, number, other in _TOKENS.findall(
            block
        ):
            if is_cell:
                if letters:
                    index = columns.get(letters)
                    if index is None:
                        index = columns[letters] = column_index_from_string(letters) - 1
                    column = index
                else:
                    column += 1
                if cells is None:  # a cell outside a row: openpyxl reads it as in row 1
                    row_number = max(row_number, 1)
                    cells = {}
                    rows.append((row_number, cells))
                if value:
                    text = self._value(kind, style, value, column)
                elif content:
                    text = self._content(kind, style, content, column)
                else:
                    continue
                if text is not None:
                    cells[column] = text
            elif is_row:
                row_number = int(number) if number else row_number + 1
                cells = {}
                rows.append((row_number, cells))
                column = -1
            elif other:
                raise NotASheet(f"unexpected XML in the sheet's data: {other[:40]!r}")
        dense = []
        for number, cells in rows:
            if cells:
                values = [None] * (max(cells) + 1)
                for index, text in cells.items():
                    values[index] = text
                dense.append((number, values))
        return dense

    def _shared_string(self, value: str) -> str:
        try:
            return self.strings[int(value)]
        except (IndexError, ValueError):
            raise NotASheet("a shared string that is not there") from None

    def _day(self, value: str) -> str:
        text = self._date(value, "")  # a date style, not a duration's
        if type(text) is Refused:
            raise KeyError(value)  # not a day: the column is read a row at a time
        return text

    @staticmethod
    def _number(value: str) -> str:
        try:
            return number_text(_cast_number(value))
        except ValueError:
            raise NotASheet(f"a number that is not one: {value[:40]!r}") from None

    def _date(self, value: str, style: str) -> str:
        text = self._dates.get((value, style))
        if text is None:
            try:
                number = _cast_number(value)
                typed = from_excel(number, self.epoch, timedelta=style in self.timedelta_styles)
            except (OverflowError, ValueError):
                text = Refused("an error value (#VALUE!)")
            else:
                text = value_text(typed)
            if len(self._dates) < 100_000:
                self._dates[(value, style)] = text
        return text

    def _other(self, kind: str, value: str) -> str | None:
        if kind == "str" or kind == "inlineStr":
            return value if kind == "str" else None
        if kind == "b":
            return "yes" if value.strip() not in ("0", "") else "no"
        if kind == "e":
            return Refused(f"an error value ({value})")
        if kind == "d":
            return value_text(from_ISO8601(value))
        return value

    def _content(self, kind: str, style: str, content: str, column: int) -> str | None:
        """A cell whose content is not one plain <v>: a formula, an inline string..."""
        if _FORMULA.search(content):
            return _formula(content)
        if kind == "inlineStr":
            inline = _INLINE.search(content)
            if inline is None:
                return None
            body = _PHONETIC.sub("", inline.group(1) or "")
            return "".join(xml_text(part) for part in _TEXT.findall(body))
        value = _VALUE.search(content)
        if value is None or not value.group(1):
            return None
        stored = value.group(1)
        if kind == "s":
            try:
                return self.strings[int(stored)]
            except (IndexError, ValueError):
                raise NotASheet("a shared string that is not there") from None
        if not kind or kind == "n":
            if style and style in self.date_styles:
                return self._date(stored, style)
            return money_text(stored) if column in self.money else self._number(stored)
        return self._other(kind, xml_text(stored))
