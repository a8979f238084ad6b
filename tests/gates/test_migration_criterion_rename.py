"""Upgrading an existing database renames gate 1's default criterion, and only that."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gates.models import Criterion

BEFORE = [("gates", "0011_import_upload_stored_uncompressed")]
AFTER = [("gates", "0012_gate1_criterion_case_for_the_research")]
OLD = "Strength of the business case"
NEW = "Strength of the case for the research"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture(autouse=True)
def latest_migrations_after():
    """Every test leaves the database as it found it: the later migrations' checks
    (gates.0017's limits) are there for the tests that run after in this process."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_database_gets_the_new_gate_one_criterion_name():
    migrate(BEFORE)
    # A database made before the rename: gate 1 has the old default name, and an admin
    # named a gate 2 criterion the same on purpose.
    Criterion.objects.filter(gate__number=1, name=NEW).update(name=OLD)
    Criterion.objects.filter(gate__number=2, name="Confidence of the researcher").update(name=OLD)

    migrate(AFTER)

    assert Criterion.objects.filter(gate__number=1, name=NEW).count() == 1
    assert not Criterion.objects.filter(gate__number=1, name=OLD).exists()
    assert Criterion.objects.filter(gate__number=2, name=OLD).count() == 1  # not gate 1's


@pytest.mark.django_db(transaction=True)
def test_the_rename_goes_back_when_the_migration_is_undone():
    migrate(BEFORE)

    assert Criterion.objects.filter(gate__number=1, name=OLD).count() == 1
    migrate(AFTER)
    assert Criterion.objects.filter(gate__number=1, name=NEW).count() == 1
