"""manage.py portfolio_plan --budget MONEY [...]: which open projects a budget funds (planning.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planning import engine, inputs
from planning.text import plan_to_text
from portfolio.errors import DomainError


class Command(BaseCommand):
    help = (
        "Rank the projects active as of a date by productivity index (expected commercial value "
        "per unit of next-stage ask) and fund them from the top until the budget runs out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--budget", required=True, help="money for the next funding round")
        parser.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--horizon", default=None, help="years of value counted, 1–10 (3)")
        parser.add_argument("--discount-rate", default=None, help="0 ≤ r < 1 (0.10)")
        parser.add_argument(
            "--target",
            action="append",
            default=[],
            metavar="BUCKET=SHARE",
            help="a share of the budget for a bucket (efficiency, revenue, new_category)",
        )
        parser.add_argument(
            "--calibrated",
            action="store_true",
            help="correct each product manager's probabilities for their record",
        )
        parser.add_argument("--pin-in", nargs="+", action="extend", default=[], metavar="KEY")
        parser.add_argument("--pin-out", nargs="+", action="extend", default=[], metavar="KEY")
        parser.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, **options) -> None:
        try:
            request = inputs.parse(
                budget=options["budget"],
                as_of=options["as_of"],
                horizon=options["horizon"],
                discount_rate=options["discount_rate"],
                probabilities=inputs.CALIBRATED if options["calibrated"] else inputs.RAW,
                targets=inputs.parse_target_args(options["target"]),
                pin_in=options["pin_in"],
                pin_out=options["pin_out"],
            )
            plan = engine.compute(request)
        except DomainError as error:
            raise CommandError(error.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(plan.as_json(), indent=1))
        else:
            self.stdout.write(plan_to_text(plan))
