"""manage.py export_portfolio DIR|FILE.xlsx: write the portfolio out as its CSV files, or as an
Excel workbook with a sheet per file."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gates.interchange import export_portfolio, export_portfolio_workbook, is_workbook


class Command(BaseCommand):
    help = (
        "Write the portfolio to a folder as projects.csv, gate_decisions.csv, spend.csv, "
        "outcomes.csv and estimates.csv (docs/interchange.md), or, given a name ending in .xlsx, "
        "as one Excel workbook with a sheet per file; import_portfolio reads either back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "directory",
            type=Path,
            help="folder to write into (created if needed), or an .xlsx file to write",
        )

    def handle(self, *args, directory: Path, **options) -> None:
        if is_workbook(directory):
            if directory.is_dir() or not directory.parent.is_dir():
                raise CommandError(f"{directory}: not a file in an existing folder")
            summary = export_portfolio_workbook(directory)
            self.stdout.write(
                self.style.SUCCESS(f"{summary} Sheets in {directory}: {', '.join(summary.files)}")
            )
            return
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a folder")
        summary = export_portfolio(directory)
        self.stdout.write(
            self.style.SUCCESS(f"{summary} Files in {directory}: {', '.join(summary.files)}")
        )
