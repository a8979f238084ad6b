"""manage.py export_portfolio DIR: write the portfolio out as its four CSV files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gates.interchange import export_portfolio


class Command(BaseCommand):
    help = (
        "Write the portfolio to a folder as projects.csv, gate_decisions.csv, spend.csv, "
        "outcomes.csv and estimates.csv (docs/interchange.md); import_portfolio reads them back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder to write into (created if needed)")

    def handle(self, *args, directory: Path, **options) -> None:
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a folder")
        summary = export_portfolio(directory)
        self.stdout.write(
            self.style.SUCCESS(f"{summary} Files in {directory}: {', '.join(summary.files)}")
        )
