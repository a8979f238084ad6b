"""An ask of 0 is no ask (docs/planning.md): the asks kept as 0.00 before the services kept 0
as empty become empty, so that the form, the API, the export and the pages say the same."""

from __future__ import annotations

from django.db import migrations


def zero_asks_to_none(apps, schema_editor) -> None:
    Project = apps.get_model("portfolio", "Project")
    Project.objects.filter(next_stage_ask=0).update(next_stage_ask=None)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0015_adoption_count_limits")]

    operations = [migrations.RunPython(zero_asks_to_none, migrations.RunPython.noop)]
