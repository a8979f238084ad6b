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


def _dead_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = CAST(%s AS regclass)",
            [table],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_replace_leaves_the_tables_vacuumed_and_their_statistics_current(adam):
    command_line_import(SAMPLE)
    grant_roles_as_the_files_imply()
    command_line_import(SAMPLE, replace=True)  # every row of the first import replaced

    assert _estimated_rows("portfolio_spendentry") == SpendEntry.objects.count() > 0
    assert _estimated_rows("portfolio_project") == Project.objects.count()
    assert all(_dead_rows(table) == 0 for table in TABLES)


@pytest.mark.django_db
def test_inside_a_transaction_it_leaves_the_tables_alone(adam):
    """VACUUM cannot run in a transaction: an import inside one (a test's) skips it."""
    command_line_import(SAMPLE)
    assert connection.in_atomic_block
    tidy_after_import()  # no error
