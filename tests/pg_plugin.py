"""Skip tests marked ``postgres`` when the test database is not PostgreSQL, and mark the
tests that use no database ``no_database``.

Loaded through ``-p tests.pg_plugin`` in pyproject.toml. Tests marked ``postgres`` use
what only PostgreSQL has (triggers, row locks, concurrent workers); on SQLite they would
fail for the wrong reason. Skipping instead of failing is safe: ``make test`` and CI run
the whole suite on PostgreSQL too, and ``make test-sqlite`` leaves them out anyway.

A test that asks for no database (no ``django_db`` mark, no fixture that needs one: the
process's rules, the settings' parsing, the CSV cell rules) answers the same on either
database, so the PostgreSQL stage of ``make test``, which leaves out ``no_database``,
does not run it a second time.
"""

from __future__ import annotations

import pytest

SKIP_REASON = "needs PostgreSQL: run `make test` or set DATABASE_URL=postgres://..."

# pytest-django's fixtures that give a test the database; any fixture that needs one of
# them (``client`` with a signed-in user, the tests' ``alice``) brings it into the closure.
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "django_db_setup",
    }
)


def uses_a_database(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db") is not None:
        return True
    return not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def _database_vendor() -> str | None:
    try:
        from django.db import connections

        # Reads the configured backend; opens no connection.
        return connections["default"].vendor
    except Exception:  # Django not configured: nothing here can use a database.
        return None


# Before pytest's own hook deselects by ``-m``, so that ``not no_database`` sees the marks.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not uses_a_database(item) and item.get_closest_marker("no_database") is None:
            item.add_marker(pytest.mark.no_database)
    postgres_items = [item for item in items if item.get_closest_marker("postgres")]
    if not postgres_items or _database_vendor() == "postgresql":
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in postgres_items:
        item.add_marker(skip)
