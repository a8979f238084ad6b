"""Two decisions racing on one project: the row lock lets exactly one through."""

from __future__ import annotations

import datetime
import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection

from gates.models import GateDecision
from gates.services import record_decision
from portfolio.errors import DomainError
from portfolio.models import Project, Status
from tests.builders import TEST_KILL_CRITERION, full_marks

pytestmark = [
    pytest.mark.postgres,
    # Real commits, so that each thread's connection sees the other's.
    pytest.mark.django_db(transaction=True),
    # The races run one after another on one pytest-xdist worker.
    pytest.mark.xdist_group("races"),
]


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The four gates, which a data migration seeds and the previous live-server test's flush removed.

    Serialized rollback does not bring them back here: once Playwright's event loop runs,
    Django hands this thread new connection objects, without the saved snapshot.
    """
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def race(project: Project, attempts: list[dict]) -> list[object]:
    """Run one record_decision per attempt, all released at the same moment."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def attempt(index: int, kwargs: dict) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = record_decision(project=project, **kwargs)
        except Exception as error:  # the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(index, kwargs))
        for index, kwargs in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def test_two_goes_at_once_record_exactly_one(project, bob, erin):
    day = datetime.date(2026, 1, 10)
    go = {
        "gate": 1,
        "decision": "go",
        "decided_on": day,
        "scores": full_marks(1),
        "kill_criteria": [TEST_KILL_CRITERION],
    }
    results = race(project, [go | {"actor": bob}, go | {"actor": erin}])

    recorded = [r for r in results if isinstance(r, GateDecision)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(recorded) == 1, results
    assert len(refused) == 1, results
    assert "gate 2" in refused[0].message
    assert GateDecision.objects.filter(project=project).count() == 1
    project.refresh_from_db()
    assert project.current_gate == 2
    assert project.decisions_count == 1


def test_a_kill_racing_a_go_leaves_one_consistent_outcome(project, bob, erin):
    day = datetime.date(2026, 1, 10)
    results = race(
        project,
        [
            {
                "gate": 1,
                "decision": "go",
                "decided_on": day,
                "scores": full_marks(1),
                "kill_criteria": [TEST_KILL_CRITERION],
                "actor": bob,
            },
            {"gate": 1, "decision": "kill", "decided_on": day, "rationale": "No.", "actor": erin},
        ],
    )
    recorded = [r for r in results if isinstance(r, GateDecision)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert (len(recorded), len(refused)) == (1, 1), results
    project.refresh_from_db()
    if recorded[0].decision == "go":
        assert (project.status, project.current_gate) == (Status.ACTIVE, 2)
    else:
        assert (project.status, project.current_gate) == (Status.KILLED, None)
    assert project.decisions_count == 1
