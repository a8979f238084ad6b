"""On PostgreSQL, refuse UPDATE and DELETE of decisions and their scores in the database itself.

The model layer refuses them everywhere; the trigger also stops raw SQL and
any other client of the database. One exception: a DELETE inside a transaction
that has set ``greenlight.allow_history_rewrite`` to 'on' (``set_config(...,
true)``, transaction-local). Only the portfolio import's replace does that
(gates/interchange.py): admin-only and audited.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION greenlight_refuse_history_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
            AND current_setting('greenlight.allow_history_rewrite', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'gate decisions are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER gates_gatedecision_append_only
    BEFORE UPDATE OR DELETE ON gates_gatedecision
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_history_change();
CREATE TRIGGER gates_criterionscore_append_only
    BEFORE UPDATE OR DELETE ON gates_criterionscore
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_history_change();
"""

DROP = """
DROP TRIGGER IF EXISTS gates_gatedecision_append_only ON gates_gatedecision;
DROP TRIGGER IF EXISTS gates_criterionscore_append_only ON gates_criterionscore;
DROP FUNCTION IF EXISTS greenlight_refuse_history_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Through a cursor without parameters: the SQL's own % must not be read as placeholders.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("gates", "0003_default_gates")]

    operations = [migrations.RunPython(create, drop)]
