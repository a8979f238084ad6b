"""Text typed on the pages was kept with the browser's "\\r\\n" line breaks, text from the API
and the import with "\\n": the text boxes' columns are rewritten with "\\n" alone (and an old
Mac's lone "\\r" as "\\n"), as the forms, the API and the import now keep every line break
(portfolio.validators.plain_line_endings). Undone, it leaves them so: "\\n" is what the
pages would have kept too."""

from __future__ import annotations

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Replace

# model -> its text columns a person types into a text box
TEXT_BOXES = {
    "Project": ("business_case", "hypothesis"),
    "SpendEntry": ("note",),
    "Artifact": ("description",),
}


def with_plain_line_endings(column: str):
    crlf_as_lf = Replace(F(column), Value("\r\n"), Value("\n"))
    return Replace(crlf_as_lf, Value("\r"), Value("\n"))


def plain_line_endings(apps, schema_editor) -> None:
    for name, columns in TEXT_BOXES.items():
        model = apps.get_model("portfolio", name)
        for column in columns:
            model.objects.filter(**{f"{column}__contains": "\r"}).update(
                **{column: with_plain_line_endings(column)}
            )


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0016_no_ask_of_zero")]

    operations = [migrations.RunPython(plain_line_endings, migrations.RunPython.noop)]
