"""Personas per role; the builders of test data are in tests/builders.py.

Alice is a researcher, Bob a product manager, Carol an architect, Erin an
executive, Adam an admin; Rita is a second researcher and Pete a second
product manager, for object rules ("not yours").
"""

from __future__ import annotations

import gc

import pytest

from portfolio.models import Project, User
from tests import builders


def _scan_static_files_once() -> None:
    """Every test client loads the middleware, and whitenoise's then finds and stats every
    static file of the finders (about 600, Django admin's included): 30 ms per client, a
    sixth of the time of the tests that use one. The files do not change during a run,
    so the first scan's files are kept and given to each later middleware."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    scan = WhiteNoiseMiddleware.add_files_from_finders
    found: dict[str, dict] = {}

    def add_files_from_finders(self) -> None:
        if self.static_prefix not in found:
            before = set(self.files)
            scan(self)
            found[self.static_prefix] = {
                url: file for url, file in self.files.items() if url not in before
            }
        self.files.update(found[self.static_prefix])

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders


_scan_static_files_once()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test's database starts over at the same data version: so must the cache.
    from django.core.cache import cache

    from planning import engine
    from portfolio.metrics import incremental

    cache.clear()
    engine.forget_inputs()
    incremental.forget()
    yield
    cache.clear()
    engine.forget_inputs()
    incremental.forget()


@pytest.fixture(autouse=True)
def _nothing_frozen():
    """A test that runs the task worker in this process (``call_command("run_worker")``) runs
    its warm-up too (portfolio/warmup.py), which freezes every object alive: the test
    run's own would never be collected again. Each test ends with none frozen."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def alice(db) -> User:
    return builders.make_persona("alice")


@pytest.fixture
def rita(db) -> User:
    return builders.make_persona("rita")


@pytest.fixture
def bob(db) -> User:
    return builders.make_persona("bob")


@pytest.fixture
def pete(db) -> User:
    return builders.make_persona("pete")


@pytest.fixture
def carol(db) -> User:
    return builders.make_persona("carol")


@pytest.fixture
def erin(db) -> User:
    return builders.make_persona("erin")


@pytest.fixture
def adam(db) -> User:
    return builders.make_persona("adam")


@pytest.fixture
def project(alice, bob) -> Project:
    return builders.make_project(researcher=alice, product_manager=bob)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with every other session to it ended before the drop.

    Connections opened while Playwright's event loop ran belong to another context and
    are never closed by Django; PostgreSQL then refused to drop the test database
    ("being accessed by other users"), pytest-django turned that into a warning, and a
    user's own server kept test_greenlight. End them first (our own role's sessions,
    which PostgreSQL allows without superuser).
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored for a worker (django-tasks-db), as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(scope="session")
def identity_provider():
    """A local OpenID provider for the session (tests/identity_provider.py)."""
    from tests.identity_provider import running_provider

    with running_provider() as provider:
        yield provider


@pytest.fixture
def sso(settings, identity_provider, db):
    """Single sign-on switched on, against the local OpenID provider."""
    from tests.identity_provider import configure

    configure(settings, identity_provider)
    return identity_provider


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """E-mail goes out after the change commits: ``run_on_commit()`` clears the outbox and
    gives the block whose on-commit callbacks (the e-mail, the tasks) run as it ends."""

    def run():
        from django.core import mail

        mail.outbox.clear()
        return django_capture_on_commit_callbacks(execute=True)

    return run
