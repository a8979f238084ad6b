"""Default gatekeepers for existing gates; on PostgreSQL, freeze votes once the decision is in.

A vote and its answers may change while the review is open (``decision_id``
empty) and never afterwards: the trigger refuses UPDATE and DELETE of a
decided vote, of its scores and kill-criterion marks, and of kill criteria
and their verdicts, which are history from the start. As for decisions, a
DELETE is let through only inside the portfolio import's replace, which sets
``greenlight.allow_history_rewrite`` for its own transaction.
"""

from django.db import migrations

from gates.defaults import create_default_gatekeepers

CREATE = """
CREATE OR REPLACE FUNCTION greenlight_refuse_decided_vote_change() RETURNS trigger AS $$
DECLARE
    decided boolean;
BEGIN
    IF TG_OP = 'DELETE'
            AND current_setting('greenlight.allow_history_rewrite', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_TABLE_NAME = 'gates_vote' THEN
        decided := OLD.decision_id IS NOT NULL;
    ELSE
        SELECT decision_id IS NOT NULL INTO decided FROM gates_vote WHERE id = OLD.vote_id;
    END IF;
    IF decided THEN
        RAISE EXCEPTION 'votes are frozen once the decision is recorded: % on % refused',
            TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER gates_vote_frozen
    BEFORE UPDATE OR DELETE ON gates_vote
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_decided_vote_change();
CREATE TRIGGER gates_votescore_frozen
    BEFORE UPDATE OR DELETE ON gates_votescore
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_decided_vote_change();
CREATE TRIGGER gates_killcriterionmark_frozen
    BEFORE UPDATE OR DELETE ON gates_killcriterionmark
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_decided_vote_change();
CREATE TRIGGER gates_killcriterion_append_only
    BEFORE UPDATE OR DELETE ON gates_killcriterion
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_history_change();
CREATE TRIGGER gates_killcriterionverdict_append_only
    BEFORE UPDATE OR DELETE ON gates_killcriterionverdict
    FOR EACH ROW EXECUTE FUNCTION greenlight_refuse_history_change();
"""

DROP = """
DROP TRIGGER IF EXISTS gates_vote_frozen ON gates_vote;
DROP TRIGGER IF EXISTS gates_votescore_frozen ON gates_votescore;
DROP TRIGGER IF EXISTS gates_killcriterionmark_frozen ON gates_killcriterionmark;
DROP TRIGGER IF EXISTS gates_killcriterion_append_only ON gates_killcriterion;
DROP TRIGGER IF EXISTS gates_killcriterionverdict_append_only ON gates_killcriterionverdict;
DROP FUNCTION IF EXISTS greenlight_refuse_decided_vote_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(CREATE)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP)


def default_gatekeepers(apps, schema_editor):
    create_default_gatekeepers(
        apps.get_model("gates", "Gate"), apps.get_model("gates", "Gatekeeper")
    )


class Migration(migrations.Migration):
    dependencies = [("gates", "0007_decision_panel")]

    operations = [
        migrations.RunPython(default_gatekeepers, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
