"""Uploaded import files are kept in PostgreSQL without TOAST compression.

A piece lives only from the upload until the import has run; compressing 8 MB pieces
(pglz) was most of the time the import page took to store a large upload. SQLite has
no such setting.
"""

from django.db import migrations

TABLE = "gates_importupload"


def _storage(mode: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(TABLE)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN data SET STORAGE {mode}")

    return apply


class Migration(migrations.Migration):
    dependencies = [("gates", "0010_import_job_staged")]

    operations = [
        migrations.RunPython(_storage("EXTERNAL"), _storage("EXTENDED"), elidable=False),
    ]
