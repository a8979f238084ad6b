"""Two PostgreSQL roles: the owner migrates, the app runs with only the rights it needs.

The owner of a table may disable its triggers (``ALTER TABLE ... DISABLE
TRIGGER``) and change it at will, so an app that connects as the owner is not
bound by the append-only trigger on gate decisions. With ``DATABASE_MIGRATE_URL``
set, ``manage.py migrate`` connects as that URL's user (the owner), and then
grants the app's user (``DATABASE_URL``) exactly what the app needs: reading and
writing rows, nothing on the schema. The app's user then cannot alter, disable
triggers on, truncate or drop any table.
"""

from __future__ import annotations

from psycopg import sql

# Rows only: no TRUNCATE, REFERENCES, TRIGGER, and no CREATE on the schema.
GRANTS = (
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    "REVOKE CREATE ON SCHEMA {schema} FROM {role}",
)


def grant_app_rights(cursor, role: str, schema: str = "public") -> None:
    """Give ``role`` the app's rights on every table of ``schema`` (idempotent)."""
    names = {"schema": sql.Identifier(schema), "role": sql.Identifier(role)}
    for statement in GRANTS:
        cursor.execute(sql.SQL(statement).format(**names))
