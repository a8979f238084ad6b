"""The smallest values of a project's money and its latest probability become the database's
checks too (portfolio.limits): a projection or a next-stage ask below 0, or a latest
probability outside 0 to 1, written past the validators (a script, a queryset.update, raw
SQL) is refused. A database that already holds such a row stops here with a message naming
it, before any constraint is added.

The other lower bounds of this app's validators were already checks: a low projection
(project_projected_range_ordered), a realized value (outcome_value_not_negative), minutes
per task (adoption_minutes_not_negative, adoption_baseline_positive), a probability of
success (project_probability_in_unit_interval), a spend amount (spend_amount_positive), and
active users and tasks (positive integer columns)."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_outside_the_limits

PROJECT = {"key": "key"}
ROWS = {
    "project": RowsOf(PROJECT, "in the admin (/admin/portfolio/project/)"),
    # Kept by the services from the decisions; the admin shows it without changing it.
    "project.latest_probability": RowsOf(
        PROJECT,
        "by hand in the database, to the probability of success of the project's latest "
        "decision that gave one (empty when none did)",
    ),
}

LIMITS = [
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("projected_expected__isnull", True),
                ("projected_expected__gte", Decimal("0")),
                _connector="OR",
            ),
            name="project_projected_expected_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("projected_high__isnull", True),
                ("projected_high__gte", Decimal("0")),
                _connector="OR",
            ),
            name="project_projected_high_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("next_stage_ask__isnull", True),
                ("next_stage_ask__gte", Decimal("0")),
                _connector="OR",
            ),
            name="project_ask_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("latest_probability__isnull", True),
                models.Q(
                    ("latest_probability__gte", Decimal("0")),
                    ("latest_probability__lte", Decimal("1")),
                ),
                _connector="OR",
            ),
            name="project_latest_probability_in_unit_interval",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0018_limits_in_the_database")]

    operations = [
        migrations.RunPython(
            refuse_rows_outside_the_limits(
                "portfolio",
                LIMITS,
                ROWS,
                limits="the smallest values of money and a probability's 0 to 1",
            ),
            migrations.RunPython.noop,
        ),
        *LIMITS,
    ]
