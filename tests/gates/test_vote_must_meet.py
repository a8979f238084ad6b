"""A go vote that answers a must-meet criterion "No" is refused, as a go decision is; one
saved before that rule is flagged in the votes table ("must-meet not met")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import Vote
from gates.services import Score, cast_vote
from portfolio.errors import DomainError
from tests.builders import add_estimate, add_study, criteria, make_project
from tests.gates.test_vote_cast import vote_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_gate_3(alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    return project


def must_meet(project):
    return next(c for c in criteria(project.current_gate) if c.is_must_meet)


def test_a_go_vote_with_a_must_meet_answered_no_is_refused_naming_it(at_gate_3, carol):
    criterion = must_meet(at_gate_3)
    with pytest.raises(DomainError) as refused:
        cast_vote(
            project=at_gate_3,
            gate=3,
            actor=carol,
            recommendation="go",
            scores=[Score(criterion=criterion, met=False)],
        )
    assert refused.value.message == (
        f"A go needs every must-meet criterion met: “{criterion.name}” is not."
    )
    assert not Vote.objects.filter(voter=carol).exists()


@pytest.mark.parametrize("recommendation", ["kill", "hold", "recycle"])
def test_another_recommendation_may_answer_it_no(at_gate_3, carol, recommendation):
    vote = cast_vote(
        project=at_gate_3,
        gate=3,
        actor=carol,
        recommendation=recommendation,
        scores=[Score(criterion=must_meet(at_gate_3), met=False)],
    )
    assert vote.recommendation == recommendation


def test_a_go_vote_may_leave_a_must_meet_unanswered(at_gate_3, carol):
    assert cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="go").pk


def test_the_vote_form_refuses_it_and_says_which(client, at_gate_3, carol):
    criterion = must_meet(at_gate_3)
    client.force_login(carol)
    response = client.post(
        reverse("vote_cast", args=[at_gate_3.key]),
        vote_post(at_gate_3, "go", **{f"vote-must_{criterion.pk}": "no"}),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"A go needs every must-meet criterion met: “{criterion.name}” is not." in body
    assert not Vote.objects.filter(voter=carol).exists()


def test_a_go_vote_saved_with_a_must_meet_no_is_flagged_in_the_votes_table(
    client, at_gate_3, bob, carol
):
    criterion = must_meet(at_gate_3)
    vote = cast_vote(
        project=at_gate_3,
        gate=3,
        actor=carol,
        recommendation="kill",
        scores=[Score(criterion=criterion, met=False)],
    )
    Vote.objects.filter(pk=vote.pk).update(recommendation="go")  # as saved before the rule
    cast_vote(project=at_gate_3, gate=3, actor=bob, recommendation="hold")
    client.force_login(bob)
    page = client.get(reverse("gate_review", args=[at_gate_3.key])).content.decode()
    table = page[page.index('class="votes-table"') :]
    table = table[: table.index("</table>")]
    rows = table.split("<tr>")
    carols = next(row for row in rows if carol.display_name in row)
    assert "must-meet not met" in carols and f"“{criterion.name}” answered No" in carols
    bobs = next(row for row in rows if bob.display_name in row)
    assert "must-meet not met" not in bobs
