"""The four default gates with their required deliverables and criteria.

Admins edit them afterwards; this only seeds a new database.
"""

from django.db import migrations

from gates.defaults import create_default_gates


def create_gates(apps, schema_editor):
    create_default_gates(
        apps.get_model("gates", "Gate"),
        apps.get_model("gates", "RequiredDeliverable"),
        apps.get_model("gates", "Criterion"),
    )


class Migration(migrations.Migration):
    dependencies = [("gates", "0002_initial")]

    operations = [migrations.RunPython(create_gates, migrations.RunPython.noop)]
