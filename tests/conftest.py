"""Personas per role and plain helpers to build test data.

Alice is a researcher, Bob a product manager, Carol an architect, Erin an
executive, Adam an admin; Rita is a second researcher and Pete a second
product manager, for object rules ("not yours").
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from portfolio.models import Project, Role, Status, User

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test's database starts over at the same data version: so must the cache.
    from django.core.cache import cache

    from planning import engine

    cache.clear()
    engine.forget_inputs()
    yield
    cache.clear()
    engine.forget_inputs()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(email: str, *roles: str, **extra) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, **extra)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    return user


def grant_roles_as_the_files_imply() -> None:
    """After an import (which grants no role), give each imported person the role their
    part implies, as an admin would: researchers, product managers, and the executives
    who only decided."""
    from gates.models import GateDecision

    researchers = User.objects.filter(researched_projects__isnull=False)
    managers = User.objects.filter(managed_projects__isnull=False)
    deciders = User.objects.filter(pk__in=GateDecision.objects.values("decided_by")).exclude(
        pk__in=Project.objects.values("product_manager")
    )
    for role, people in (
        (Role.RESEARCHER, researchers),
        (Role.PRODUCT_MANAGER, managers),
        (Role.EXECUTIVE, deciders),
    ):
        Group.objects.get(name=role).user_set.add(*people.distinct())


_counter = {"n": 0}


def make_project(**kw) -> Project:
    """A submitted project waiting at gate 1, unless told otherwise."""
    _counter["n"] += 1
    n = _counter["n"]
    if "researcher" not in kw:
        kw["researcher"] = User.objects.filter(email="alice@example.com").first() or make_user(
            f"researcher{n}@example.com", Role.RESEARCHER
        )
    if "product_manager" not in kw:
        kw["product_manager"] = User.objects.filter(email="bob@example.com").first() or make_user(
            f"pm{n}@example.com", Role.PRODUCT_MANAGER
        )
    status = kw.pop("status", Status.ACTIVE)
    defaults = {
        "key": f"P-{n:04d}",
        "title": f"Project {n}",
        "research_type": "applied",
        "bucket": "efficiency",
        "submitted_on": None if status == Status.DRAFT else datetime.date(2026, 1, 5),
        "value_kind": "cost_savings",
        "projected_low": Decimal("100000"),
        "projected_expected": Decimal("250000"),
        "projected_high": Decimal("400000"),
        "probability_of_success": Decimal("0.4"),
        "business_case": "Cut the cost of manual review.",
        "hypothesis": "A model can triage 60% of cases.",
        "status": status,
        "current_gate": None if status == Status.DRAFT else 1,
    }
    defaults.update(kw)
    return Project.objects.create(**defaults)


@pytest.fixture
def alice(db) -> User:
    return make_user("alice@example.com", Role.RESEARCHER, full_name="Alice Researcher")


@pytest.fixture
def rita(db) -> User:
    return make_user("rita@example.com", Role.RESEARCHER, full_name="Rita Researcher")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob@example.com", Role.PRODUCT_MANAGER, full_name="Bob Product")


@pytest.fixture
def pete(db) -> User:
    return make_user("pete@example.com", Role.PRODUCT_MANAGER, full_name="Pete Product")


@pytest.fixture
def carol(db) -> User:
    return make_user("carol@example.com", Role.ARCHITECT, full_name="Carol Architect")


@pytest.fixture
def erin(db) -> User:
    return make_user("erin@example.com", Role.EXECUTIVE, full_name="Erin Executive")


@pytest.fixture
def adam(db) -> User:
    return make_user("adam@example.com", Role.ADMIN, full_name="Adam Admin", is_staff=True)


@pytest.fixture
def project(alice, bob) -> Project:
    return make_project(researcher=alice, product_manager=bob)


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
