"""A database restored from a backup never gets numbers kept for the database before it.

Computed numbers are kept by data version: in the shared cache, in each process, in an
API client's ETag. A restored backup counts its versions from where the backup was, so
without care its next change would be given a version the changes before the restore
already had, and the numbers kept for that version would be served for other data.
On PostgreSQL the data version's row knows the table it was counted in; pg_restore
re-creates the table, and the first read or change after a restore raises the number
above every version before (portfolio/versioning.py).
"""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess  # nosec B404: runs the local pg_dump and pg_restore with fixed arguments
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from portfolio import metrics, versioning
from portfolio.models import DataVersion, ProjectChange
from tests import builders

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
TODAY = datetime.date.today()


def _restored_from_another_table() -> None:
    """What pg_restore leaves: the backup's row, counted in a table that is not this one."""
    DataVersion.objects.filter(pk=1).update(lineage=DataVersion.objects.get(pk=1).lineage + 1)


def _now_in_microseconds() -> int:
    return time.time_ns() // 1000


def test_the_row_knows_the_table_it_is_counted_in(db):
    versioning.bump()
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST('portfolio_dataversion'::regclass AS oid)")
        (table,) = cursor.fetchone()
    assert DataVersion.objects.get(pk=1).lineage == table


def test_changes_are_counted_one_by_one_in_the_same_table(db):
    versioning.bump()
    first = versioning.current()
    versioning.bump()
    versioning.bump()
    assert versioning.current() == first + 2


def test_a_row_from_before_the_rule_takes_the_table_as_it_is(db):
    versioning.bump()
    versioning.bump()
    DataVersion.objects.filter(pk=1).update(lineage=None)
    assert versioning.current() == 2
    versioning.bump()
    assert versioning.current() == 3


def test_after_a_restore_the_first_read_counts_above_every_version_before(db):
    for _ in range(3):
        versioning.bump()
    before = _now_in_microseconds()
    _restored_from_another_table()
    after_restore = versioning.current()
    assert after_restore >= before
    assert versioning.current() == after_restore, "raised once, not on every read"
    versioning.bump()
    assert versioning.current() == after_restore + 1


def test_after_a_restore_the_first_change_is_numbered_above_every_version_before(db):
    for _ in range(3):
        versioning.bump()
    before = _now_in_microseconds()
    _restored_from_another_table()
    versioning.bump()  # no read first: the change itself must not reuse a number
    assert versioning.current() > before


def test_a_change_naming_its_project_after_a_restore_starts_above_the_versions_before(db, project):
    builders.record_spend(project, TODAY, "10.00")
    before = _now_in_microseconds()
    _restored_from_another_table()
    with transaction.atomic(), versioning.changing(project):
        versioning.bump()
    change = ProjectChange.objects.get()
    # The versions it covers are all new: numbers kept before the restore are never
    # brought up to date with it, they are computed again.
    assert change.first_version > before
    assert change.version == change.first_version


def _client_tool(name: str) -> str:
    """The local PostgreSQL client tool (the same folder as the server binaries first)."""
    found = subprocess.run(  # nosec B603: the project's own script, no shell
        [str(ROOT / "scripts" / "pg-throwaway"), "bindir"],
        capture_output=True,
        text=True,
        check=False,
    )
    folder = found.stdout.strip()
    if found.returncode == 0 and (Path(folder) / name).exists():
        return str(Path(folder) / name)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    message = f"needs {name}: install PostgreSQL's client tools (Debian: postgresql-client)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _connection_arguments() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    arguments = [
        f"--host={settings['HOST'] or 'localhost'}",
        f"--port={settings['PORT'] or 5432}",
        f"--username={settings['USER']}",
        f"--dbname={settings['NAME']}",
        "--no-password",
    ]
    return arguments, {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}


@pytest.mark.django_db(transaction=True)
def test_numbers_served_after_a_real_restore_are_the_restored_databases(
    client, erin, project, tmp_path
):
    """pg_dump, a change, pg_restore --clean, another change: the API answers the numbers
    of the database it reads, not those it kept for the same version number before."""
    pg_dump, pg_restore = _client_tool("pg_dump"), _client_tool("pg_restore")
    arguments, environment = _connection_arguments()
    client.force_login(erin)
    builders.record_spend(project, TODAY, "100.00")
    backup = tmp_path / "greenlight.dump"
    subprocess.run(  # nosec B603: fixed arguments, no shell
        [pg_dump, "--format=custom", f"--file={backup}", *arguments],
        env=environment,
        check=True,
        capture_output=True,
    )

    # After the backup: a change, and the numbers read (kept for its version).
    builders.record_spend(project, TODAY, "5000.00")
    answered = client.get("/api/metrics").json()
    assert answered["headline"]["cumulative_spend"] == 5100

    connection.close()
    subprocess.run(  # nosec B603: fixed arguments, no shell
        [pg_restore, "--clean", "--if-exists", "--no-owner", *arguments, str(backup)],
        env=environment,
        check=True,
        capture_output=True,
    )
    connection.close()
    # The cache is not emptied: a restore must not depend on someone remembering to.

    # Another change on the restored database: a version number the database before
    # the restore had already given its own change.
    builders.record_spend(type(project).objects.get(pk=project.pk), TODAY, "7.00")
    answered = client.get("/api/metrics").json()
    assert answered["headline"]["cumulative_spend"] == 107
    assert answered == client.get("/api/metrics").json()
    assert answered["headline"] == metrics.compute()["headline"]
