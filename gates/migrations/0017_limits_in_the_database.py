"""The limits of money (an estimate's costs, a decision's funding) and of scores (0 to 10)
become the database's checks too (portfolio.limits): a row written past the validators can no
longer break them. A database that already holds a row over one stops here with a message
naming it, before any constraint is added.

Adding a check constraint changes no row, so the append-only triggers of decisions and
scores (0004, 0008) have nothing to refuse."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations, models

from portfolio.limits import RowsOf, refuse_rows_over_the_limits

# A decision and its scorecard are history no page changes: whoever owns the database corrects
# such a row by hand, lifting the table's trigger for that one UPDATE as 0009 does.
BY_HAND = "by hand in the database (history no page changes: see gates/migrations/0009)"
ROWS = {
    "architectureestimate": RowsOf(
        {"project": "project__key"},
        "on the project's architecture estimate page (/projects/<key>/architecture-estimate/)",
    ),
    "gatedecision": RowsOf(
        {"project": "project__key", "gate": "gate__number", "sequence": "sequence"}, BY_HAND
    ),
    "criterionscore": RowsOf(
        {
            "project": "decision__project__key",
            "gate": "decision__gate__number",
            "criterion": "criterion_name",
        },
        BY_HAND,
    ),
    "votescore": RowsOf(
        {
            "project": "vote__project__key",
            "gate": "vote__gate__number",
            "voter": "vote__voter__email",
            "criterion": "criterion__name",
        },
        "by the gatekeeper voting again while the review is open; " + BY_HAND + " once decided",
    ),
}

LIMITS = [
    migrations.AddConstraint(
        model_name="architectureestimate",
        constraint=models.CheckConstraint(
            condition=models.Q(("build_cost__lte", Decimal("9999999999999.99"))),
            name="estimate_build_cost_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="architectureestimate",
        constraint=models.CheckConstraint(
            condition=models.Q(("monthly_run_cost__lte", Decimal("9999999999999.99"))),
            name="estimate_run_cost_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="architectureestimate",
        constraint=models.CheckConstraint(
            condition=models.Q(("cost_per_retrain__lte", Decimal("9999999999999.99"))),
            name="estimate_retrain_cost_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="criterionscore",
        constraint=models.CheckConstraint(
            condition=models.Q(("score__isnull", True), ("score__lte", 10), _connector="OR"),
            name="score_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="gatedecision",
        constraint=models.CheckConstraint(
            condition=models.Q(("funding_granted__lte", Decimal("9999999999999.99"))),
            name="decision_funding_within_limit",
        ),
    ),
    migrations.AddConstraint(
        model_name="votescore",
        constraint=models.CheckConstraint(
            condition=models.Q(("score__isnull", True), ("score__lte", 10), _connector="OR"),
            name="vote_score_within_limit",
        ),
    ),
]


class Migration(migrations.Migration):
    dependencies = [("gates", "0016_text_line_endings")]

    operations = [
        migrations.RunPython(
            refuse_rows_over_the_limits("gates", LIMITS, ROWS), migrations.RunPython.noop
        ),
        *LIMITS,
    ]
