from __future__ import annotations

import pytest

from portfolio.models import Role, User
from tests.builders import make_user


@pytest.fixture
def sam(db) -> User:
    """A superuser: the only person who may replace projects by an import."""
    return make_user(
        "sam@example.com", Role.ADMIN, full_name="Sam Superuser", is_staff=True, is_superuser=True
    )
