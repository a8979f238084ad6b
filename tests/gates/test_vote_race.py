"""A late vote racing the decision, on PostgreSQL: the vote is frozen with it or refused, never lost
in between, and never counted in the next review."""

from __future__ import annotations

import datetime
import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from gates.defaults import create_default_gatekeepers
from gates.models import Gate, GateDecision, Gatekeeper, Vote
from gates.services import cast_vote, my_open_vote, record_decision, vote_values
from portfolio import edits
from portfolio.errors import DomainError
from tests.builders import add_estimate, add_study, make_project

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    # The races run one after another on one pytest-xdist worker.
    pytest.mark.xdist_group("races"),
]


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)
    create_default_gatekeepers(Gate, Gatekeeper)


def run_together(*calls) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # the test looks at what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_a_late_vote_and_the_decision_leave_one_consistent_record(attempt, alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    seen = project.decisions_count

    def late_vote():
        return cast_vote(
            project=project,
            gate=3,
            actor=carol,
            recommendation="kill",
            comment="Too costly",
            review_round=seen,
        )

    def decide():
        return record_decision(
            project=project,
            gate=3,
            decision="hold",
            actor=bob,
            decided_on=datetime.date(2026, 2, 1),
            rationale="Wait for the pilot.",
        )

    vote_result, decision_result = run_together(late_vote, decide)

    assert isinstance(decision_result, GateDecision), decision_result
    carols = list(Vote.objects.filter(voter=carol))
    assert len(carols) == 1  # her vote, or the record that she did not vote: never both
    (carol_vote,) = carols
    assert carol_vote.decision_id == decision_result.pk  # frozen with the decision
    if isinstance(vote_result, Vote):
        # The vote came first: it is counted in the decision it preceded.
        assert carol_vote.recommendation == "kill"
    else:
        # The decision came first: the vote is refused and says why.
        assert isinstance(vote_result, DomainError), vote_result
        assert "recorded before your vote" in vote_result.message
        assert carol_vote.recommendation == ""
    assert not Vote.objects.filter(decision__isnull=True).exists()  # nothing in the next review


@pytest.mark.parametrize("first", [True, False], ids=["first vote", "changed vote"])
def test_two_tabs_saving_what_they_both_saw_at_once_save_one(first, alice, bob, carol):
    """Two pages drawn from the same vote (or from none yet) saved at the same moment: the
    version is compared under the project's lock, so one saves and the other is refused."""
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    if not first:
        cast_vote(project=project, gate=3, actor=carol, recommendation="hold")
    seen = edits.token(vote_values(my_open_vote(project, carol)))

    def tab(recommendation: str):
        return lambda: cast_vote(
            project=project, gate=3, actor=carol, recommendation=recommendation, seen=seen
        )

    results = run_together(tab("go"), tab("kill"))

    saved = [r for r in results if isinstance(r, Vote)]
    refused = [r for r in results if isinstance(r, edits.ChangedSince)]
    assert (len(saved), len(refused)) == (1, 1), results
    assert Vote.objects.get(voter=carol).recommendation == saved[0].recommendation
