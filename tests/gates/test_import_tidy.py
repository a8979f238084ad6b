"""After an import commits, PostgreSQL's statistics and free space are brought up to date.

A replace of a large portfolio leaves as many dead rows as live ones and statistics of the
tables before it; the numbers computed right after the import (its refresh) would pay for
both until autovacuum came by. The import vacuums and analyzes the tables it wrote.
"""

from __future__ import annotations

import pytest
from django.db import connection

from gates.interchange import command_line_import, tidy_after_import
from portfolio.models import Project, SpendEntry
from tests.builders import grant_roles_as_the_files_imply
from tests.gates.replacing import edit_every_project
from tests.portfolio.dashboard_sample import SAMPLE

pytestmark = pytest.mark.postgres

TABLES = (
    "portfolio_project",
    "portfolio_spendentry",
    "portfolio_spendmonth",
    "gates_gatedecision",
    "portfolio_outcome",
)


def _estimated_rows(table: str) -> float:
    """What the planner believes the table holds (-1: never vacuumed nor analyzed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = CAST(%s AS regclass)", [table])
        return cursor.fetchone()[0]


def _vacuums() -> dict[str, int]:
    """How many times each table was vacuumed by a VACUUM statement (not autovacuum)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, vacuum_count FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(TABLES)],
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_a_replace_leaves_the_tables_vacuumed_and_their_statistics_current(adam):
    command_line_import(SAMPLE)
    grant_roles_as_the_files_imply()
    edit_every_project()  # the same files would leave every project as it is
    before = _vacuums()
    command_line_import(SAMPLE, replace=True)  # every row of the first import replaced

    assert _estimated_rows("portfolio_spendentry") == SpendEntry.objects.count() > 0
    assert _estimated_rows("portfolio_project") == Project.objects.count()
    # Each table the import wrote was vacuumed once it committed. (Not "no dead row left":
    # VACUUM keeps the rows a transaction elsewhere in the cluster may still see, such as
    # the other test worker's, and the count of those depends on what runs beside it.)
    after = _vacuums()
    assert {table: after[table] - before.get(table, 0) for table in TABLES} == dict.fromkeys(
        TABLES, 1
    )


@pytest.mark.django_db
def test_inside_a_transaction_it_leaves_the_tables_alone(adam):
    """VACUUM cannot run in a transaction: an import inside one (a test's) skips it."""
    command_line_import(SAMPLE)
    assert connection.in_atomic_block
    tidy_after_import()  # no error
