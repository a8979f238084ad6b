"""The limits of money and of adoption's counts and minutes become the database's checks too
(portfolio.limits): a row written past the validators (a script, the shell, a bulk_create)
can no longer break them. A database that already holds a row over one stops here with a
message naming it, before any constraint is added."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_over_the_limits

IN_THE_ADMIN = "in the admin ({})"
ROWS = {
    "project": RowsOf({"key": "key"}, IN_THE_ADMIN.format("/admin/portfolio/project/")),
    "spendentry": RowsOf(
        {"project": "project__key", "spent on": "spent_on", "id": "id"},
        IN_THE_ADMIN.format("/admin/portfolio/spendentry/"),
    ),
    "outcome": RowsOf(
        {"project": "project__key", "month": "month"},
        IN_THE_ADMIN.format("/admin/portfolio/outcome/"),
    ),
    "adoption": RowsOf(
        {"project": "project__key", "month": "month"},
        IN_THE_ADMIN.format("/admin/portfolio/adoption/"),
    ),
}

LIMITS = [
    migrations.AddConstraint(
        model_name="adoption",
        constraint=models.CheckConstraint(
            condition=models.Q(("active_users__lte", 1000000000)),
            name="adoption_users_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="adoption",
        constraint=models.CheckConstraint(
            condition=models.Q(("tasks_completed__lte", 1000000000)),
            name="adoption_tasks_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="adoption",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("minutes_per_task__isnull", True),
                ("minutes_per_task__lte", Decimal("100000.00")),
                _connector="OR",
            ),
            name="adoption_minutes_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="adoption",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("baseline_minutes_per_task__isnull", True),
                ("baseline_minutes_per_task__lte", Decimal("100000.00")),
                _connector="OR",
            ),
            name="adoption_baseline_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="outcome",
        constraint=models.CheckConstraint(
            condition=models.Q(("realized_value__lte", Decimal("9999999999999.99"))),
            name="outcome_value_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("projected_low__isnull", True),
                ("projected_low__lte", Decimal("9999999999999.99")),
                _connector="OR",
            ),
            name="project_projected_low_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("projected_expected__isnull", True),
                ("projected_expected__lte", Decimal("9999999999999.99")),
                _connector="OR",
            ),
            name="project_projected_expected_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("projected_high__isnull", True),
                ("projected_high__lte", Decimal("9999999999999.99")),
                _connector="OR",
            ),
            name="project_projected_high_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="project",
        constraint=models.CheckConstraint(
            condition=models.Q(
                ("next_stage_ask__isnull", True),
                ("next_stage_ask__lte", Decimal("9999999999999.99")),
                _connector="OR",
            ),
            name="project_ask_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="spendentry",
        constraint=models.CheckConstraint(
            condition=models.Q(("amount__lte", Decimal("9999999999999.99"))),
            name="spend_amount_within_limit",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0017_text_line_endings")]

    operations = [
        migrations.RunPython(
            refuse_rows_over_the_limits("portfolio", LIMITS, ROWS), migrations.RunPython.noop
        ),
        *LIMITS,
    ]
