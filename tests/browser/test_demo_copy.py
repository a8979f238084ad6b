"""The demo database copied back (tests/browser/demo.py) is the one seeding left, whatever
the test before it changed."""

from __future__ import annotations

import pytest

from portfolio.models import Project, User
from tests.browser import demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_comes_back_as_seeded_after_a_test_changed_it():
    demo.seed_demo()
    seeded = list(Project.objects.order_by("pk").values_list("pk", "key", "title", "status"))
    people = User.objects.count()
    assert len(seeded) >= 100

    Project.objects.update(title="Changed by a test")
    User.objects.create_user(email="someone@example.com", password="x")  # noqa: S106

    demo.seed_demo()
    assert list(Project.objects.order_by("pk").values_list("pk", "key", "title", "status")) == (
        seeded
    )
    assert User.objects.count() == people
