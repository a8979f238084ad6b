"""Gate 1's default criterion "Strength of the business case" is now "Strength of the case for
the research" (the researcher's text is the case for the research; the business case is the
product manager's deliverable at gate 4).

Only a gate 1 criterion still carrying the old default name is renamed: a name an admin
chose is kept. Recorded scorecards keep the name they were scored under (CriterionScore
copies it), so history does not change.
"""

from django.db import migrations

OLD = "Strength of the business case"
NEW = "Strength of the case for the research"


def rename(old: str, new: str):
    def run(apps, schema_editor):
        Criterion = apps.get_model("gates", "Criterion")
        Criterion.objects.filter(gate__number=1, name=old).update(name=new)

    return run


class Migration(migrations.Migration):
    dependencies = [("gates", "0011_import_upload_stored_uncompressed")]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
