"""The weight a recorded scorecard line and a gatekeeper's scorecard line keep (a copy of
the criterion's weight when it was scored) becomes a database check too: not below 0, as
the criterion's own weight (criterion_weight_not_negative). A database that already holds
such a row stops here with a message naming it, before any constraint is added."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_outside_the_limits

ROWS = {
    # A recorded scorecard is history: the app never edits it.
    "criterionscore": RowsOf(
        {
            "project": "decision__project__key",
            "gate": "decision__gate__number",
            "criterion": "criterion_name",
        },
        "by hand in the database, to the criterion's weight when the decision was recorded",
    ),
    "votescore": RowsOf(
        {
            "project": "vote__project__key",
            "voter": "vote__voter__email",
            "criterion": "criterion__name",
        },
        "by hand in the database, to the criterion's weight when the vote was cast",
    ),
}

LIMITS = [
    migrations.AddConstraint(
        model_name="criterionscore",
        constraint=models.CheckConstraint(
            condition=models.Q(("weight__gte", Decimal("0"))),
            name="score_weight_not_negative",
        ),
    ),
    migrations.AddConstraint(
        model_name="votescore",
        constraint=models.CheckConstraint(
            condition=models.Q(("weight__gte", Decimal("0"))),
            name="vote_score_weight_not_negative",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("gates", "0018_lower_limits_in_the_database")]

    operations = [
        migrations.RunPython(
            refuse_rows_outside_the_limits(
                "gates", LIMITS, ROWS, limits="the scorecards' weights' smallest values"
            ),
            migrations.RunPython.noop,
        ),
        *LIMITS,
    ]
