"""The vote form on the gate review page: blind until you vote, then the spread."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from gates.models import Vote
from gates.services import cast_vote, record_decision
from tests.builders import (
    add_estimate,
    add_study,
    criteria,
    full_marks,
    kill_criteria_post,
    make_project,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_gate_3(alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    return project


def review_url(project) -> str:
    return reverse("gate_review", args=[project.key])


def vote_post(project, recommendation="go", **extra) -> dict:
    data = {
        "vote-gate": str(project.current_gate),
        "vote-review_round": str(project.decisions_count),
        "vote-recommendation": recommendation,
        "vote-probability_of_success": "55",
        "vote-comment": "Carol's own view",
    }
    for c in criteria(project.current_gate):
        data[f"vote-{'must' if c.is_must_meet else 'score'}_{c.pk}"] = (
            "yes" if c.is_must_meet else "7"
        )
    data.update(extra)
    return data


def test_the_architect_opens_the_review_and_votes(client, at_gate_3, carol):
    client.force_login(carol)
    page = client.get(review_url(at_gate_3))
    assert page.status_code == 200
    assert b"Cast my vote" in page.content
    assert b"Record decision" not in page.content  # the chair decides, not the architect

    response = client.post(reverse("vote_cast", args=[at_gate_3.key]), vote_post(at_gate_3))
    assert response.status_code == 302
    cast = Vote.objects.get(voter=carol)
    assert (cast.recommendation, cast.probability_of_success) == ("go", Decimal("0.55"))
    assert cast.scorecard_total == 7 * sum(c.weight for c in criteria(3) if not c.is_must_meet)
    page = client.get(review_url(at_gate_3))
    assert b"Change my vote" in page.content


def test_the_votes_are_hidden_until_you_have_voted(client, at_gate_3, bob, carol):
    cast_vote(
        project=at_gate_3, gate=3, actor=carol, recommendation="kill", comment="Carol's own view"
    )
    client.force_login(bob)
    before = client.get(review_url(at_gate_3)).content.decode()
    assert "1 of 2 gatekeepers has voted" in before
    assert "Carol&#x27;s own view" not in before and "Carol's own view" not in before
    assert "you see the others' votes once you have cast yours" in before

    client.post(reverse("vote_cast", args=[at_gate_3.key]), vote_post(at_gate_3, "go"))
    after = client.get(review_url(at_gate_3)).content.decode()
    assert "2 of 2 gatekeepers have voted" in after
    assert "Carol&#x27;s own view" in after
    assert "no majority" in after  # one go, one kill


def test_a_vote_without_a_recommendation_is_refused_with_a_message(client, at_gate_3, carol):
    client.force_login(carol)
    response = client.post(
        reverse("vote_cast", args=[at_gate_3.key]), vote_post(at_gate_3, recommendation="")
    )
    assert response.status_code == 400
    assert b"Recommend go, kill, hold or recycle." in response.content
    assert not Vote.objects.exists()


def test_a_late_vote_is_refused_and_says_why(client, at_gate_3, bob, carol):
    data = vote_post(at_gate_3)
    record_decision(
        project=at_gate_3,
        gate=3,
        decision="hold",
        actor=bob,
        decided_on=datetime.date(2026, 2, 1),
        rationale="Wait.",
    )
    client.force_login(carol)
    response = client.post(reverse("vote_cast", args=[at_gate_3.key]), data)
    assert response.status_code == 400
    assert b"your vote was not counted" in response.content
    assert not Vote.objects.filter(voter=carol).exclude(recommendation="").exists()


def test_a_vote_after_the_last_decision_says_the_review_was_decided(client, at_gate_3, bob, carol):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="go", comment="First view")
    data = vote_post(at_gate_3, "kill")  # her page, left open while the project was killed
    record_decision(
        project=at_gate_3,
        gate=3,
        decision="kill",
        actor=bob,
        decided_on=datetime.date(2026, 2, 1),
        rationale="No data access.",
    )
    client.force_login(carol)
    response = client.post(reverse("vote_cast", args=[at_gate_3.key]), data, follow=True)
    assert response.status_code == 200
    assert "your vote was not counted, and the process has ended" in response.content.decode()
    assert Vote.objects.get(voter=carol).recommendation == "go"  # frozen with the decision


def test_the_decision_against_the_majority_shows_on_the_review_and_project_page(
    client, at_gate_3, bob, carol
):
    cast_vote(project=at_gate_3, gate=3, actor=carol, recommendation="kill")
    cast_vote(project=at_gate_3, gate=3, actor=bob, recommendation="kill")
    client.force_login(bob)
    data = {"gate": "3", "decision": "go", "decided_on": "2026-02-01", "decisions_seen": "2"}
    data.update({f"must_{c.pk}": "yes" for c in criteria(3) if c.is_must_meet})
    data.update(kill_criteria_post())
    refused = client.post(reverse("decision_create", args=[at_gate_3.key]), data)
    assert b"give the rationale for deciding against it" in refused.content
    data["rationale"] = "The pilot customer signed."
    assert client.post(reverse("decision_create", args=[at_gate_3.key]), data).status_code == 302
    for url in (review_url(at_gate_3), at_gate_3.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "decided against the majority" in page
        assert "(dissent)" in page


def test_the_review_page_costs_the_same_queries_with_more_votes(
    client, at_gate_3, bob, carol, erin, django_assert_max_num_queries
):
    from gates.models import Gate, Gatekeeper

    Gatekeeper.objects.create(gate=Gate.objects.get(number=3), kind="role", role="Executive")
    for person in (carol, erin, bob):
        cast_vote(
            project=at_gate_3, gate=3, actor=person, recommendation="go", scores=full_marks(3)
        )
    client.force_login(bob)
    with django_assert_max_num_queries(40):
        assert client.get(review_url(at_gate_3)).status_code == 200


def test_the_reminder_command_reports_what_it_sent(at_gate_3, capsys):
    call_command("send_vote_reminders", "--today", "2026-03-01")
    assert "2 vote reminders sent" in capsys.readouterr().out


def test_the_workers_send_the_reminders_every_day(at_gate_3, settings):
    from gates.tasks import send_vote_reminders

    assert settings.SCHEDULED_TASKS["vote-reminders"]["task"] == "gates.tasks.send_vote_reminders"
    # The chair; Carol was asked when she wrote the estimate.
    assert send_vote_reminders.call() == "1 vote reminder sent"
