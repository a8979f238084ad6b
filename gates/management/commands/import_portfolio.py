"""manage.py import_portfolio DIR|WORKBOOK.xlsx [--replace]: bring a portfolio in from its
CSV files, or from an Excel workbook with a sheet per file."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gates.interchange import ImportFailed, command_line_import, is_workbook


class _ProgressLine:
    """Rows and rows per second on one rewritten line of a terminal."""

    def __init__(self, out):
        self.out = out
        self.started: dict[tuple[str, str], float] = {}

    def __call__(self, stage: str, file: str, rows: int, finished: bool) -> None:
        started = self.started.setdefault((stage, file), time.monotonic())
        elapsed = time.monotonic() - started
        rate = f", {rows / elapsed:,.0f} rows/s" if elapsed > 0 else ""
        self.out.write(f"\r\033[K{stage} {file}: {rows:,} rows{rate}")
        if finished:
            self.out.write("\n")
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Import a portfolio from a folder holding projects.csv, gate_decisions.csv, spend.csv "
        "and outcomes.csv, and optionally estimates.csv (docs/interchange.md), or from an .xlsx "
        "workbook with a sheet per file. The import is one transaction: nothing is saved until "
        "every file has been checked; on any problem, each is listed as FILE:LINE: column: "
        "message (sheet SHEET, row ROW: in a workbook) and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory", type=Path, help="the folder of the CSV files, or an .xlsx workbook"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace projects whose keys already exist (their decisions, spend and "
            "outcomes are rewritten from the files); without it, existing keys are refused",
        )

    def handle(self, *args, directory: Path, replace: bool, **options) -> None:
        if is_workbook(directory):
            if not directory.is_file():
                raise CommandError(f"{directory} is not a file")
        elif not directory.is_dir():
            raise CommandError(f"{directory} is not a folder (nor an .xlsx workbook)")
        stderr = self.stderr._out
        progress = _ProgressLine(stderr) if stderr.isatty() else None
        try:
            summary = command_line_import(directory, replace=replace, progress=progress)
        except ImportFailed as failed:
            for error in failed.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing was imported: fix the {len(failed.errors)} problem(s) above."
            ) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
