"""The plan settings' bounds become the database's checks too (portfolio.limits): a budget
below 0.01, a horizon outside 1 to 10 years, a discount rate outside 0 to 0.9999 or a bucket
target outside 0 to 1, written past the validators, is refused. A database whose plan settings
are outside one stops here with a message, before any check is added."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_outside_the_limits

ROWS = {"plansettings": RowsOf({"id": "id"}, "in the admin (/admin/planning/plansettings/)")}


def share(bucket: str) -> migrations.AddConstraint:
    field = f"target_{bucket}"
    return migrations.AddConstraint(
        model_name="plansettings",
        constraint=models.CheckConstraint(
            condition=models.Q(
                (f"{field}__isnull", True),
                models.Q((f"{field}__gte", Decimal("0")), (f"{field}__lte", Decimal("1"))),
                _connector="OR",
            ),
            name=f"plan_{field}_in_unit_interval",
        ),
    )


LIMITS = [
    migrations.AddConstraint(
        model_name="plansettings",
        constraint=models.CheckConstraint(
            condition=models.Q(("budget__gte", Decimal("0.01"))), name="plan_budget_positive"
        ),
    ),
    migrations.AddConstraint(
        model_name="plansettings",
        constraint=models.CheckConstraint(
            condition=models.Q(("horizon__gte", 1), ("horizon__lte", 10)),
            name="plan_horizon_in_range",
        ),
    ),
    migrations.AddConstraint(
        model_name="plansettings",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("discount_rate__gte", Decimal("0")), ("discount_rate__lte", Decimal("0.9999"))
            ),
            name="plan_discount_rate_in_range",
        ),
    ),
    share("efficiency"),
    share("revenue"),
    share("new_category"),
]


class Migration(migrations.Migration):
    dependencies = [("planning", "0005_limit_in_the_database")]

    operations = [
        migrations.RunPython(
            refuse_rows_outside_the_limits(
                "planning", LIMITS, ROWS, limits="the plan settings' smallest and largest values"
            ),
            migrations.RunPython.noop,
        ),
        *LIMITS,
    ]
