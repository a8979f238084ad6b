"""Write a made-up but realistic portfolio, of any size, in the interchange format.

For demos and benchmarks: `manage.py generate_portfolio DIR --projects 2000
--spend-rows 1000000 --seed 7`, then `manage.py import_portfolio DIR`. It never
touches the database, and the same seed and end date give the same files.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portfolio.demo.generator import generate_portfolio


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--end: {value!r} is not a date like 2026-03-31") from None


class Command(BaseCommand):
    help = "Write a realistic portfolio (projects, gate decisions, spend, outcomes) as CSV files."
    # No database: nothing to check before writing files.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder to write the four CSV files in")
        parser.add_argument("--projects", type=int, default=150, help="number of projects")
        parser.add_argument(
            "--spend-rows", type=int, default=6000, help="number of spend rows, in total"
        )
        parser.add_argument("--seed", type=int, default=1, help="same seed, same portfolio")
        parser.add_argument(
            "--end", default=None, help="last day of the portfolio, YYYY-MM-DD (default: today)"
        )
        parser.add_argument(
            "--years", type=float, default=3, help="span of submissions, in years (default 3)"
        )

    def handle(self, *args, **options) -> None:
        projects, spend_rows = options["projects"], options["spend_rows"]
        if projects < 0:
            raise CommandError("--projects cannot be negative")
        if spend_rows < 0:
            raise CommandError("--spend-rows cannot be negative")
        if spend_rows and not projects:
            raise CommandError("--spend-rows needs at least one project")
        if options["years"] <= 0:
            raise CommandError("--years must be positive")
        end = _date(options["end"]) if options["end"] else timezone.localdate()
        directory: Path = options["directory"]
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is a file, not a folder")

        started = time.monotonic()
        summary = generate_portfolio(
            directory,
            projects=projects,
            spend_rows=spend_rows,
            seed=options["seed"],
            end=end,
            years=options["years"],
        )
        elapsed = time.monotonic() - started
        self.stdout.write(f"Wrote {summary} to {directory} in {elapsed:.1f}s.")
