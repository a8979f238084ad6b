"""On PostgreSQL the app can run as a role that owns no table, and is then bound by the trigger."""

from __future__ import annotations

import datetime
import os

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gates.services import record_decision
from portfolio.db_roles import grant_app_rights

pytestmark = pytest.mark.postgres
# Roles belong to the whole cluster, not to one test database: each pytest-xdist worker
# (PYTEST_XDIST_WORKER=gw0, gw1, ...) makes its own, or one worker's CREATE ROLE would
# wait for, or collide with, another's.
APP_ROLE = f"greenlight_app_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _refused(cursor, statement: str) -> str:
    """The database's refusal of ``statement`` ("" when it ran), rolled back either way."""
    try:
        with transaction.atomic():
            cursor.execute(statement)
            transaction.set_rollback(True)
    except DatabaseError as error:
        return str(error)
    return ""


DISABLE = "ALTER TABLE gates_gatedecision DISABLE TRIGGER gates_gatedecision_append_only"


def test_the_app_role_reads_and_writes_rows_but_cannot_lift_the_trigger(project, bob):
    with connection.cursor() as cursor:
        # The owner can lift the append-only trigger: that is why the app must not be it.
        assert _refused(cursor, DISABLE) == ""
        cursor.execute(f'CREATE ROLE "{APP_ROLE}" NOLOGIN')
        grant_app_rights(cursor, APP_ROLE)
        cursor.execute(f'SET LOCAL ROLE "{APP_ROLE}"')
        try:
            assert "must be owner" in _refused(cursor, DISABLE)
            for statement in (
                "TRUNCATE gates_gatedecision CASCADE",
                "DROP TABLE gates_criterionscore",
                "CREATE TABLE sneaky (id int)",
            ):
                assert _refused(cursor, statement), statement
            # The app's work: rows in and out, through the services.
            decision = record_decision(
                project=project,
                gate=1,
                decision="hold",
                actor=bob,
                rationale="Wait.",
                decided_on=datetime.date(2026, 1, 6),
            )
            update = f"UPDATE gates_gatedecision SET rationale = 'x' WHERE id = {decision.pk}"
            assert "append-only" in _refused(cursor, update)
        finally:
            cursor.execute("RESET ROLE")


@pytest.mark.django_db(transaction=True)
def test_migrate_as_the_owner_grants_the_app_its_rights(monkeypatch, settings):
    from django.db import connections

    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{APP_ROLE}"')
        cursor.execute(f'CREATE ROLE "{APP_ROLE}" NOLOGIN')
    real = connections["default"].settings_dict
    owner_url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{k: real[k] or "" for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )
    if real["HOST"].startswith("/"):
        owner_url = "postgres://{}:{}@/{}?host={}".format(
            real["USER"], real["PASSWORD"] or "", real["NAME"], real["HOST"]
        )
    monkeypatch.setenv("DATABASE_MIGRATE_URL", owner_url)
    monkeypatch.setitem(real, "USER", APP_ROLE)  # DATABASE_URL's user: the app's role
    call_command("migrate", verbosity=0)
    monkeypatch.undo()
    connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'gates_gatedecision', 'INSERT'), "
                "has_table_privilege(%s, 'gates_gatedecision', 'TRUNCATE'), "
                "has_schema_privilege(%s, 'public', 'CREATE')",
                [APP_ROLE] * 3,
            )
            assert cursor.fetchone() == (True, False, False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{APP_ROLE}"')
            cursor.execute(f'DROP ROLE "{APP_ROLE}"')
