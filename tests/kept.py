"""Test data built once per test module rather than once per test.

A module's fixture builds its data inside a transaction held open until the module's
last test and then rolled back; each test runs in a savepoint inside it (pytest-django's
``db``), so what a test writes is undone as before. For data that many tests only read
and that is slow to make (a project taken through every gate, say).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.test import override_settings

from tests.conftest import FAST_PASSWORD_HASHERS


@contextmanager
def kept_for_the_module(django_db_blocker: Any, build: Callable[[], Any]) -> Iterator[Any]:
    """``build()``'s result, written in a transaction rolled back when the block ends."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # as Django's TestCase marks its own: durable blocks work
        outer.__enter__()
        try:
            # The tests' password hasher (tests/conftest.py sets it for each test only).
            with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
                built = build()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def copy_for_a_test(kept: SimpleNamespace, **extra: Any) -> SimpleNamespace:
    """A test's own copy: its own model instances (a test may refresh or change them)."""
    return SimpleNamespace(**copy.deepcopy(vars(kept)), **extra)
