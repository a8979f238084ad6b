"""Text typed on the pages was kept with the browser's "\\r\\n" line breaks, text from the API
and the import with "\\n": the text boxes' columns are rewritten with "\\n" alone (and an old
Mac's lone "\\r" as "\\n"), as the forms, the API and the import now keep every line break
(portfolio.validators.plain_line_endings). Undone, it leaves them so: "\\n" is what the
pages would have kept too.

Decisions, kill criteria, their verdicts and decided votes are history, which PostgreSQL's
triggers keep from any UPDATE (0004, 0008): as for 0009, the owner lifts a table's trigger
for its one statement, inside the migration's transaction, and only when a row of it has a
"\\r" to rewrite. What the text says does not change, only how its line breaks are written.
"""

from __future__ import annotations

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Replace

# model -> (its text columns a person types into a text box, the trigger that freezes it)
TEXT_BOXES = {
    "Gate": (("purpose",), None),
    "Criterion": (("help_text",), None),
    "FeasibilityStudy": (("findings", "evidence"), None),
    "ArchitectureEstimate": (("build_or_buy_note",), None),
    "BusinessCase": (("customer_problem", "value_rationale", "strategic_fit", "risks"), None),
    "GateDecision": (("rationale",), "gates_gatedecision_append_only"),
    "Vote": (("comment",), "gates_vote_frozen"),
    "KillCriterion": (("statement",), "gates_killcriterion_append_only"),
    "KillCriterionMark": (("note",), "gates_killcriterionmark_frozen"),
    "KillCriterionVerdict": (("note",), "gates_killcriterionverdict_append_only"),
}


def with_plain_line_endings(column: str):
    crlf_as_lf = Replace(F(column), Value("\r\n"), Value("\n"))
    return Replace(crlf_as_lf, Value("\r"), Value("\n"))


def plain_line_endings(apps, schema_editor) -> None:
    connection = schema_editor.connection
    for name, (columns, trigger) in TEXT_BOXES.items():
        model = apps.get_model("gates", name)
        for column in columns:
            rows = model.objects.filter(**{f"{column}__contains": "\r"})
            if not rows.exists():
                continue
            lifted = trigger and connection.vendor == "postgresql"
            table = connection.ops.quote_name(model._meta.db_table)
            if lifted:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
            rows.update(**{column: with_plain_line_endings(column)})
            if lifted:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


class Migration(migrations.Migration):
    dependencies = [("gates", "0015_decision_rationale_limit")]

    operations = [migrations.RunPython(plain_line_endings, migrations.RunPython.noop)]
