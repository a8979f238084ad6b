"""The plan's budget is held to the limit of money by the database too (portfolio.limits). A
database whose plan settings are over it stops here with a message, before the check is added.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_over_the_limits

ROWS = {"plansettings": RowsOf({"id": "id"}, "in the admin (/admin/planning/plansettings/)")}

LIMITS = [
    migrations.AddConstraint(
        model_name="plansettings",
        constraint=models.CheckConstraint(
            condition=models.Q(("budget__lte", Decimal("9999999999999.99"))),
            name="plan_budget_within_limit",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_scenario_keys_follow_corrections")]

    operations = [
        migrations.RunPython(
            refuse_rows_over_the_limits("planning", LIMITS, ROWS), migrations.RunPython.noop
        ),
        *LIMITS,
    ]
