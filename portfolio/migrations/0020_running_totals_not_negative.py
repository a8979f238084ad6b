"""The running totals a project keeps, its spend and the funding its decisions granted, become
the database's checks too: neither may be below 0 (each is a sum of amounts the database
already holds to be positive, or not negative). A total written past the services (a
script, a queryset.update, raw SQL) that went below 0 is refused. A database that already
holds such a row stops here with a message naming it, before any constraint is added."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_outside_the_limits

PROJECT = {"key": "key"}
ROWS = {
    # Kept by the services; the admin shows them without changing them.
    "project.spend_total": RowsOf(
        PROJECT, "by hand in the database, to the sum of the project's spend entries"
    ),
    "project.funding_granted_total": RowsOf(
        PROJECT,
        "by hand in the database, to the sum of the funding granted by the project's decisions",
    ),
}

LIMITS = [
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(("spend_total__gte", Decimal("0"))),
            name="project_spend_total_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(("funding_granted_total__gte", Decimal("0"))),
            name="project_funding_granted_total_not_negative",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0019_lower_limits_in_the_database")]

    operations = [
        migrations.RunPython(
            refuse_rows_outside_the_limits(
                "portfolio", LIMITS, ROWS, limits="the running totals' smallest values"
            ),
            migrations.RunPython.noop,
        ),
        *LIMITS,
    ]
