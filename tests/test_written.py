"""The matrices' "nothing written" check counts rows in one statement: the same counts."""

import pytest

from portfolio.models import AuditEntry, Project
from tests.builders import make_project
from tests.written import row_counts

pytestmark = pytest.mark.django_db


def test_it_counts_what_count_counts_and_sees_a_new_row(alice):
    make_project(key="ONE", researcher=alice)
    AuditEntry.objects.create(action="sign_in.succeeded", actor=alice)
    querysets = [
        Project.objects.all(),
        AuditEntry.objects.exclude(action__startswith="sign_in."),
        AuditEntry.objects.all(),
        Project.objects.filter(key="NONE"),
    ]
    before = row_counts(querysets)
    assert before == tuple(queryset.count() for queryset in querysets) == (1, 0, 1, 0)

    make_project(key="TWO", researcher=alice)
    assert row_counts(querysets) == (2, 0, 1, 0)
