"""Skip tests marked ``postgres`` when the test database is not PostgreSQL.

Loaded through ``-p tests.pg_plugin`` in pyproject.toml. Those tests use what only
PostgreSQL has (triggers, row locks, concurrent workers); on SQLite they would fail
for the wrong reason. Skipping instead of failing is safe: ``make test`` and CI run
the whole suite on PostgreSQL too, and ``make test-sqlite`` leaves them out anyway.
"""

from __future__ import annotations

import pytest

SKIP_REASON = "needs PostgreSQL: run `make test` or set DATABASE_URL=postgres://..."


def _database_vendor() -> str | None:
    try:
        from django.db import connections

        # Reads the configured backend; opens no connection.
        return connections["default"].vendor
    except Exception:  # Django not configured: nothing here can use a database.
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    postgres_items = [item for item in items if item.get_closest_marker("postgres")]
    if not postgres_items or _database_vendor() == "postgresql":
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in postgres_items:
        item.add_marker(skip)
