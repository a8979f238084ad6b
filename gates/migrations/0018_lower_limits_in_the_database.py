"""The smallest values of an estimate's costs and a criterion's weight, and a gate's number
(1 to 4), become the database's checks too (portfolio.limits): a negative cost or weight
written past the validators (a script, a queryset.update, raw SQL) is refused. A database
that already holds such a row stops here with a message naming it, before any constraint is
added.

The other lower bounds of this app's validators were already checks: funding granted
(decision_funding_ok), a decision's and a vote's probability (…_in_unit_interval), and the
scores (positive integer columns)."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_outside_the_limits

ROWS = {
    "architectureestimate": RowsOf(
        {"project": "project__key"},
        "on the project's architecture estimate page (/projects/<key>/architecture-estimate/)",
    ),
    "criterion": RowsOf(
        {"gate": "gate__number", "criterion": "name"}, "in the admin (/admin/gates/criterion/)"
    ),
    # The admin shows a gate's number without changing it: the process has gates 1 to 4.
    "gate": RowsOf({"id": "id", "name": "name"}, "by hand in the database"),
}

LIMITS = [
    migrations.AddConstraint(
        model_name="architectureestimate",
        constraint=models.CheckConstraint(
            condition=models.Q(("build_cost__gte", Decimal("0"))),
            name="estimate_build_cost_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="architectureestimate",
        constraint=models.CheckConstraint(
            condition=models.Q(("monthly_run_cost__gte", Decimal("0"))),
            name="estimate_run_cost_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="architectureestimate",
        constraint=models.CheckConstraint(
            condition=models.Q(("cost_per_retrain__gte", Decimal("0"))),
            name="estimate_retrain_cost_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="criterion",
        constraint=models.CheckConstraint(
            condition=models.Q(("weight__gte", Decimal("0"))),
            name="criterion_weight_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="gate",
        constraint=models.CheckConstraint(
            condition=models.Q(("number__gte", 1), ("number__lte", 4)),
            name="gate_number_in_range",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("gates", "0017_limits_in_the_database")]

    operations = [
        migrations.RunPython(
            refuse_rows_outside_the_limits(
                "gates",
                LIMITS,
                ROWS,
                limits="the smallest values of costs and weights, and a gate's number",
            ),
            migrations.RunPython.noop,
        ),
        *LIMITS,
    ]
