"""manage.py portfolio_metrics: the dashboard's numbers (docs/metrics.md), as JSON or text."""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portfolio import metrics


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of: {value!r} is not a date like 2026-06-30") from None


class Command(BaseCommand):
    help = (
        "Print the portfolio metrics as of a date: --format json gives exactly the shape of "
        "docs/metrics.md, --format text a summary to read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--bucket", help="efficiency, revenue or new_category")
        parser.add_argument("--research-type", help="applied or science")
        parser.add_argument("--product-manager", metavar="EMAIL", help="a product manager's e-mail")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else None
        filters = {
            "bucket": options["bucket"],
            "research_type": options["research_type"],
            "product_manager": options["product_manager"],
        }
        try:
            result = metrics.compute(as_of=as_of, **filters)
        except metrics.MetricsFilterError as exc:
            raise CommandError(str(exc)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=1), ending="\n")
        else:
            labels = {
                "bucket": "bucket",
                "research_type": "research type",
                "product_manager": "product manager",
            }
            shown = {labels[name]: value for name, value in filters.items() if value}
            self.stdout.write(metrics.to_text(result, filters=shown), ending="")
