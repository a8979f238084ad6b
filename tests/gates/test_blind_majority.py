"""A decision recorded by someone to whom the votes are still blind does not reveal them.

The rule "a decision against the majority needs a rationale" would tell a chair who has
not voted which way the majority goes, if the refusal depended on it: they would send a
decision without a rationale and read the answer. While the votes are blind to the person
recording, a decision without a rationale is refused whatever the votes say, in the same
words (docs/decision-panel.md, "The decision").
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import GateDecision
from gates.services import cast_vote, record_decision
from portfolio.errors import DomainError
from tests.builders import (
    TEST_KILL_CRITERION,
    add_estimate,
    add_study,
    criteria,
    full_marks,
    kill_criteria_post,
    make_project,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 10)
KINDS = ("go", "kill", "hold", "recycle")


@pytest.fixture
def at_gate_3(alice, bob, carol):
    """Bob chairs the gate 3 review of a project whose estimate Carol wrote."""
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    return project


def refusal(project, actor, decision: str, rationale: str = "") -> list[str]:
    """The messages about the rationale when ``actor`` records ``decision`` (none: recorded,
    then undone by the caller's rollback)."""
    try:
        record_decision(
            project=project,
            gate=3,
            decision=decision,
            actor=actor,
            decided_on=DAY,
            rationale=rationale,
            scores=full_marks(3) if decision == "go" else [],
            kill_criteria=[TEST_KILL_CRITERION] if decision in ("go", "recycle") else None,
        )
    except DomainError as error:
        return [p.message for p in error.problems if p.field == "rationale"]
    return []


def test_a_chair_who_has_not_voted_learns_nothing_of_the_majority(at_gate_3, bob, carol):
    answers = {}
    for carol_says in KINDS:
        cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation=carol_says)
        answers[carol_says] = {kind: refusal(at_gate_3, bob, kind) for kind in KINDS}
    # The same answer to every probe, whichever way Carol voted.
    assert all(answer == answers["go"] for answer in answers.values()), answers
    said = " ".join(m for messages in answers["go"].values() for m in messages)
    assert "recommend" not in said
    assert answers["go"]["go"] == [
        "1 gatekeeper has voted, and their votes stay hidden from you until you vote: cast your "
        "vote first to see them, or give the rationale for your decision (it may go against "
        "their majority)."
    ]
    assert answers["go"]["recycle"] == answers["go"]["go"]
    assert answers["go"]["kill"] == ["Give the rationale for a kill or a hold."]
    assert not GateDecision.objects.exists()


def test_with_a_rationale_the_chair_decides_blind_and_the_record_says_against_the_majority(
    at_gate_3, bob, carol
):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="kill")
    assert refusal(at_gate_3, bob, "go", rationale="The pilot customer signed.") == []
    decision = GateDecision.objects.get()
    assert decision.against_majority


def test_once_the_chair_has_voted_the_refusal_names_the_majority(at_gate_3, bob, carol, pete):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="kill")
    cast_vote(project=at_gate_3, gate=3, actor=bob, recommendation="kill")
    assert refusal(at_gate_3, bob, "go") == [
        "The majority of the gatekeepers recommend kill: give the rationale for deciding "
        "against it."
    ]
    assert refusal(at_gate_3, bob, "kill", rationale="Too costly.") == []


def test_before_any_vote_nothing_more_is_asked(at_gate_3, bob):
    assert refusal(at_gate_3, bob, "go") == []


def test_an_executive_off_the_panel_is_told_the_votes_are_hidden(at_gate_3, carol, erin):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="go")
    assert refusal(at_gate_3, erin, "go") == [
        "1 gatekeeper has voted, and their votes are hidden from you (you are not one of this "
        "review's gatekeepers): give the rationale for your decision (it may go against their "
        "majority)."
    ]


@pytest.mark.parametrize("carol_says", ["go", "kill"])
def test_the_review_page_refuses_in_the_same_words(client, at_gate_3, bob, carol, carol_says):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation=carol_says)
    client.force_login(bob)
    data = {"gate": "3", "decision": "go", "decided_on": "2026-02-01", "decisions_seen": "2"}
    data.update({f"must_{c.pk}": "yes" for c in criteria(3) if c.is_must_meet})
    data.update(kill_criteria_post())
    page = client.post(reverse("decision_create", args=[at_gate_3.key]), data)
    assert page.status_code == 400
    text = page.content.decode()
    assert "their votes stay hidden from you until you vote" in text
    assert "recommend kill" not in text and "recommend go" not in text
    assert "majority: " not in text  # the panel stays blind too
    assert not GateDecision.objects.exists()


def test_the_decision_form_says_beforehand_that_a_rationale_is_asked(client, at_gate_3, bob, carol):
    client.force_login(bob)
    url = reverse("gate_review", args=[at_gate_3.key])
    assert 'id="rationale-blind"' not in client.get(url).content.decode()  # no vote yet
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="kill")
    page = client.get(url).content.decode()
    assert (
        "1 gatekeeper has voted, and their votes are hidden from you until you vote: give a "
        "rationale, whichever decision you record (it may go against their majority)."
    ) in page
    cast_vote(project=at_gate_3, gate=3, actor=bob, recommendation="go")
    assert 'id="rationale-blind"' not in client.get(url).content.decode()  # he sees them now
