"""Reading the files: a folder or uploaded files, each file's rows with the line they start on.

A file that is not UTF-8, not CSV, or whose header is wrong is reported (as
``FILE:LINE: column: message``) and read no further.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from gates.interchange.format import ALL_FILES, COLUMNS, WHOLE_FILE, WHOLE_ROW, Problems


def whose_columns(name: str, header: list[str]) -> str | None:
    """The other file of the format whose columns ``header`` names, when it does not name
    ``name``'s (a required one is missing): the one whose columns it names exactly, else
    the first whose required columns are all there. None when it is no other's either."""
    given = set(header)
    if all(column in given for column, required in COLUMNS[name].items() if required):
        return None
    others = [other for other in ALL_FILES if other != name]
    for other in others:
        if given == set(COLUMNS[other]):
            return other
    for other in others:
        if all(column in given for column, required in COLUMNS[other].items() if required):
            return other
    return None


def header_ok(name: str, header: list[str], problems: Problems, *, sheet: bool = False) -> bool:
    """Whether a file's header row names its columns (each once, the required ones
    all); each problem is reported on line 1. A header that names another file's
    columns is one problem, not one per column: the file was chosen for the wrong
    input (the sheet given the wrong name, ``sheet``)."""
    columns = COLUMNS[name]
    if len(header) == 1 and header[0].count(";") >= 1 and ";" not in "".join(columns):
        # Excel's CSV in many locales: one column whose name holds every column's.
        problems.add(
            name,
            1,
            WHOLE_FILE,
            "the columns are separated by semicolons (;): save the file as CSV with commas "
            f"(the columns are: {', '.join(columns)})",
        )
        return False
    other = whose_columns(name, header)
    if other is not None:
        named = f"{other}'s ({', '.join(COLUMNS[other])})"
        if sheet:
            # Worded as the workbook names it: "sheet projects: ... the spend sheet's (...)".
            problems.add(
                name,
                1,
                WHOLE_FILE,
                f"this sheet's columns are {named}: was it given the wrong sheet's name?",
            )
        else:
            problems.add_file(
                name, f"this file's columns are {named}: was it chosen for the wrong input?"
            )
        return False
    ok = True
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.add(name, 1, column or "(blank)", "this column appears twice")
            ok = False
        elif column not in columns:
            problems.add(
                name,
                1,
                column or "(blank)",
                f"unknown column (the columns are: {', '.join(columns)})",
            )
            ok = False
        seen.add(column)
    for column, required in columns.items():
        if required and column not in seen:
            problems.add(name, 1, column, "missing column")
            ok = False
    return ok


class CsvFile:
    """The data rows of one file, as (line, {column: value}).

    LINE counts the header as 1 and is where the row starts (a quoted value may
    span lines). A file that is not UTF-8, not CSV, or whose header is wrong is
    reported and read no further; ``readable`` tells whether its header was good.
    """

    def __init__(
        self,
        stream: BinaryIO | None,
        name: str,
        problems: Problems,
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
        return header_ok(self.name, header, self.problems)

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


# --- Sources: a folder, or uploaded files --------------------------------------------


class Source:
    """Opens each file (again, for the second pass) as a binary stream.

    The checks read a file's rows through ``rows``: CSV here, a workbook's sheet in
    ``gates.interchange.workbook``. ``streams`` says whether ``open`` gives the file's
    bytes (the spend pass's fast way reads them; a workbook has none)."""

    streams = True

    def open(self, name: str) -> contextlib.AbstractContextManager[BinaryIO]:
        raise NotImplementedError

    @contextlib.contextmanager
    def rows(self, name: str, problems: Problems) -> Iterator[CsvFile]:
        """The file's rows, as (line, {column: text}), with ``readable`` as CsvFile has it."""
        with self.open(name) as stream:
            yield CsvFile(stream, name, problems)

    def label(self, name: str) -> str:
        """How a problem names the file (a workbook names its sheet)."""
        return name

    def name_problem(self, problem: str) -> str:
        """A problem as the person who made the files reads it: ``FILE:LINE: …`` here; a
        workbook names its sheet and row (``WorkbookSource``)."""
        return problem

    def own_problems(self) -> list[str]:
        """Problems of the source itself that do not keep its files from being read (a
        workbook's unknown sheet), ``FILE:LINE: column: message`` as any problem: the
        check lists them beside the rows' problems."""
        return []

    def close(self) -> None:
        """Let go of what reading needed (a workbook's open file)."""

    def exists(self, name: str) -> bool:
        raise NotImplementedError


class FolderSource(Source):
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def open(self, name: str):
        return (self.directory / name).open("rb")

    def exists(self, name: str) -> bool:
        return (self.directory / name).is_file()


class UploadSource(Source):
    def __init__(self, files: dict[str, BinaryIO | None]):
        self.files = files

    def open(self, name: str):
        stream = self.files[name]
        stream.seek(0)
        # Django's uploaded files split lines on \r as well; read the file underneath.
        return contextlib.nullcontext(getattr(stream, "file", stream))

    def exists(self, name: str) -> bool:
        return self.files.get(name) is not None


def source_of(directory_or_files: Path | str | dict[str, BinaryIO | None]) -> Source:
    """A folder (a path) or uploaded files (file name -> open binary file, or None); a
    workbook: the path of an .xlsx file, or uploaded files holding ``workbook.xlsx``."""
    from gates.interchange.workbook import WORKBOOK, WorkbookSource, is_workbook

    if isinstance(directory_or_files, dict):
        if directory_or_files.get(WORKBOOK) is not None:
            return WorkbookSource(
                getattr(directory_or_files[WORKBOOK], "file", None) or directory_or_files[WORKBOOK]
            )
        return UploadSource(directory_or_files)
    if is_workbook(directory_or_files) and Path(directory_or_files).is_file():
        return WorkbookSource(Path(directory_or_files))
    return FolderSource(Path(directory_or_files))
