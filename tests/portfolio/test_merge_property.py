"""Any sequence of changes, brought up to date at any points, gives a full computation's numbers.

The example tests in test_project_change_merge.py each take one path through the merge
(metrics/incremental.py, metrics/merge.py). Here Hypothesis makes the sequences: spend on
any project on any recent day, decisions of every kind, outcome months, an artifact of one
project reused by another, an admin's correction of spend, with the numbers read (so
brought up to date) between any two of them. Whatever the order, the numbers
must be exactly those computed afresh. On PostgreSQL only: on SQLite every computation is
full.
"""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio import process
from portfolio.errors import DomainError
from portfolio.metrics import incremental
from portfolio.metrics.scope import Scope
from portfolio.models import Artifact, Project, SpendEntry, Status, User
from portfolio.services.artifacts import link_reused_artifact, register_artifact
from portfolio.services.spend import change_spend
from tests.builders import decide, grant_roles_as_the_files_imply, record_outcome, record_spend
from tests.portfolio.dashboard_sample import import_sample

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# A few projects, so that changes meet on one often: open ones (spend, decisions) and
# greenlit ones (spend, outcome months). A change picks one by its index in the pool; one
# that does not apply to it (a decision on a closed project) is left out.
POOL_OPEN, POOL_GREENLIT = 5, 3
PICK = st.integers(0, POOL_OPEN + POOL_GREENLIT - 1)
CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("spend"), PICK, st.integers(1, 5_000_000), st.integers(0, 70)),
        st.tuples(st.just("decide"), PICK, st.sampled_from(["hold", "recycle", "kill", "go"])),
        st.tuples(st.just("outcome"), PICK, st.integers(1, 90_000_000), st.integers(0, 14)),
        # An artifact registered by one project and reused by another (a change to two).
        st.tuples(st.just("reuse"), PICK, PICK),
        # An admin's correction of a project's latest spend entry: its amount or its day.
        st.tuples(st.just("correct"), PICK, st.integers(1, 5_000_000), st.integers(0, 70)),
        st.tuples(st.just("read")),
    ),
    min_size=1,
    max_size=12,
)


def _numbers() -> dict:
    return incremental.dashboard(Scope.of())[0]


def _pool() -> list[int]:
    by_key = Project.objects.order_by("key")
    open_ones = by_key.filter(status__in=[Status.ACTIVE, Status.ON_HOLD])[:POOL_OPEN]
    greenlit = by_key.filter(status=Status.GREENLIT)[:POOL_GREENLIT]
    return [p.pk for p in [*open_ones, *greenlit]]


def _apply(change: tuple, pool: list[int]) -> None:
    today = timezone.localdate()
    kind, *args = change
    if kind == "read":
        _numbers()
        return
    project = Project.objects.get(pk=pool[args[0] % len(pool)])
    try:
        if kind == "spend":
            _, cents, days_ago = args
            day = max(today - datetime.timedelta(days=days_ago), project.submitted_on)
            if project.status == Status.KILLED:  # a late invoice: dated up to the kill
                day = max(min(day, project.last_decision_on), project.submitted_on)
            record_spend(project, day, Decimal(cents) / 100, actor=project.product_manager)
        elif kind == "decide" and project.status in (Status.ACTIVE, Status.ON_HOLD):
            decide(project, project.current_gate, args[1], probability_of_success="0.45")
        elif kind == "outcome" and project.status == Status.GREENLIT:
            _, cents, months_ago = args
            month = today.replace(day=1)
            for _ in range(months_ago):
                month = (month - datetime.timedelta(days=1)).replace(day=1)
            first = process.first_outcome_month(project.last_decision_on)
            if first <= month and not project.outcomes.filter(month=month).exists():
                record_outcome(project, month, Decimal(cents) / 100)
        elif kind == "reuse":
            _reuse(project, Project.objects.get(pk=pool[args[1] % len(pool)]))
        elif kind == "correct":
            _, cents, days_ago = args
            _correct(project, Decimal(cents) / 100, today - datetime.timedelta(days=days_ago))
    except DomainError:
        pass  # refused as the app refuses it (a go without its deliverables, …): no change


def _reuse(producer: Project, user: Project) -> None:
    if producer.pk == user.pk:
        return
    artifact = register_artifact(
        project=producer,
        actor=producer.researcher,
        kind="model",
        name=f"Model {Artifact.objects.count() + 1}",
    )
    link_reused_artifact(project=user, artifact=artifact, actor=user.researcher)


def _correct(project: Project, amount: Decimal, day: datetime.date) -> None:
    entry = SpendEntry.objects.filter(project=project).order_by("-id").first()
    if entry is None:
        return
    admin = User.objects.get(email="adam@example.com")
    fields = {"amount": amount} if amount % 2 else {"spent_on": max(day, project.submitted_on)}
    change_spend(entry=entry, actor=admin, **fields)


@pytest.fixture
def sample(adam):
    import_sample()
    grant_roles_as_the_files_imply()


# MERGE_EXAMPLES=1000 (and pytest's --timeout) for a longer search after a change to the merge.
@settings(
    max_examples=int(os.environ.get("MERGE_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=CHANGES)
def test_any_changes_read_at_any_points_give_a_full_computation_s_numbers(sample, changes):
    # Each example starts from the sample: its changes are undone afterwards.
    with transaction.atomic():
        incremental.forget()
        _numbers()
        pool = _pool()
        for change in changes:
            _apply(change, pool)
        brought_up_to_date = _numbers()
        incremental.forget()
        assert brought_up_to_date == _numbers()
        transaction.set_rollback(True)
    incremental.forget()
