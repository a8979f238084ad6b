"""A vote for a gate the project is not waiting at, or for a review round that is none, says
what is wrong; "The decision of this review was recorded before your vote arrived" is said
only when a decision was recorded after the round the vote was cast in.

A PUT …/review/vote with "gate": 3 while the project waits at gate 2, a "review_round" the
review never had, and the page's hidden vote-gate altered were all answered with that
sentence, though nothing had been decided.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import KillCriterion, Vote
from tests.builders import add_estimate, add_study, decide, make_project

DECIDED = "The decision of this review was recorded before your vote arrived"


@pytest.fixture
def at_gate_2(alice, bob):
    """GL-0115, waiting at gate 2 after a go at gate 1: review round 1."""
    project = make_project(key="GL-0115", researcher=alice, product_manager=bob)
    decide(project, 1, "go", decided_on=datetime.date(2026, 1, 6))
    project.refresh_from_db()
    assert (project.current_gate, project.decisions_count) == (2, 1)
    return project


def _put(api, body: dict):
    vote = {"recommendation": "hold", "comment": "Wait."}
    return api.put("/api/v1/projects/GL-0115/review/vote", vote | body)


def _refused(answer, field: str, detail: str) -> None:
    assert answer.status_code == 422, answer.content
    problem = answer.json()
    assert (problem["field"], problem["detail"]) == (field, detail)
    assert not Vote.objects.exclude(recommendation="").exists()


def test_a_vote_for_another_gate_says_where_the_project_waits(api_as, bob, at_gate_2):
    answer = _put(api_as(bob), {"gate": 3})
    _refused(
        answer, "gate", "The project is waiting at gate 2, not gate 3: your vote was not counted."
    )
    answer = _put(api_as(bob), {"gate": 1, "review_round": 1})
    _refused(
        answer, "gate", "The project is waiting at gate 2, not gate 1: your vote was not counted."
    )


def test_a_review_round_to_come_says_the_round(api_as, bob, at_gate_2):
    answer = _put(api_as(bob), {"gate": 2, "review_round": 5})
    _refused(
        answer,
        "review_round",
        "The review round is 1, not 5 (the decisions recorded so far): your vote was not counted.",
    )


def test_a_round_decided_since_says_what_was_decided(api_as, bob, at_gate_2):
    answer = _put(api_as(bob), {"gate": 1, "review_round": 0})
    _refused(
        answer,
        "recommendation",
        f"{DECIDED} (Go at Gate 1: Exploration on 2026-01-06 by Bob Product; "
        "the review round is now 1, not 0): your vote was not counted. Reload the review.",
    )


def test_the_right_gate_and_round_are_counted(api_as, bob, at_gate_2):
    marks = [{"criterion": c.pk, "met": True} for c in KillCriterion.objects.all()]
    answer = _put(api_as(bob), {"gate": 2, "review_round": 1, "kill_marks": marks})
    assert answer.status_code == 200, answer.content


def test_the_page_s_altered_gate_says_where_the_project_waits(client, alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    client.force_login(carol)
    data = {
        "vote-gate": "2",
        "vote-review_round": "2",
        "vote-recommendation": "go",
        "vote-comment": "Ready.",
    }
    answer = client.post(reverse("vote_cast", args=[project.key]), data)
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "The project is waiting at gate 3, not gate 2: your vote was not counted." in body
    assert DECIDED not in body
    assert not Vote.objects.filter(voter=carol).exclude(recommendation="").exists()
