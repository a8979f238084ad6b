"""A change that opens a review tells someone once: the product manager of a proposal just
submitted, and the team told of a decision, are asked for their vote in that same message
when the review asks them, rather than in a second e-mail. Each person's e-mail choices
still hold: whoever chose differently for the two kinds gets each as chosen
(docs/decision-panel.md, "Reminders")."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from gates.models import Gatekeeper, VoteReminder
from gates.services import send_vote_reminders
from portfolio import services
from portfolio.models import Notification, NotificationKind, Status
from tests.builders import add_estimate, add_study, choose_email, decide, gate, make_project

pytestmark = pytest.mark.django_db

K = NotificationKind


def to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email]]


def kinds_told(person) -> list[str]:
    return sorted(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


@pytest.fixture
def draft(alice, bob, rita):
    """SUB-1, a draft of Alice's for Bob; gate 1 names Rita beside him, so its review asks
    for their votes."""
    Gatekeeper.objects.create(gate=gate(1), kind="person", person=rita)
    return make_project(key="SUB-1", researcher=alice, product_manager=bob, status=Status.DRAFT)


def submit(draft, alice):
    return services.submit_proposal(project=draft, actor=alice)


def test_the_product_manager_gets_one_message_for_the_proposal_and_their_vote(
    draft, alice, bob, rita, run_on_commit, settings
):
    with run_on_commit():
        submit(draft, alice)
    [message] = to(bob)
    assert message.subject == (
        "[Greenlight] New proposal at gate 1: SUB-1 Project "
        f"{draft.title.removeprefix('Project ')} (your vote is requested)"
    )
    assert "Alice Researcher submitted a proposal that waits for your review" in message.body
    assert "Your vote is requested too: gate 1 names gatekeepers beside you" in message.body
    assert kinds_told(bob) == [K.PROPOSAL_SUBMITTED]
    # Rita is asked as before; Bob's request is on the record, so nothing asks him again…
    assert [m.subject for m in to(rita)] == ["[Greenlight] SUB-1: your vote at Gate 1: Exploration"]
    assert VoteReminder.objects.filter(person=bob, kind=VoteReminder.Kind.OPENED).exists()
    with run_on_commit():
        assert send_vote_reminders() == 0
    # …until his vote is overdue.
    settings.VOTE_REMINDER_DAYS = 3
    with run_on_commit():
        send_vote_reminders(today=timezone.localdate() + datetime.timedelta(days=3))
    assert [m.body.splitlines()[0][:32] for m in to(bob)] == ["A reminder: Gate 1: Exploration "]


def test_turning_off_vote_requests_still_sends_the_proposal_alone(draft, alice, bob, run_on_commit):
    choose_email(bob, vote_requested="off")
    with run_on_commit():
        submit(draft, alice)
    [message] = to(bob)
    assert message.subject.endswith(draft.title)
    assert "Your vote is requested" not in message.body
    # The request is in the app, as he chose.
    assert kinds_told(bob) == [K.PROPOSAL_SUBMITTED, K.VOTE_REQUESTED]


def test_turning_off_new_proposals_still_sends_the_vote_request(draft, alice, bob, run_on_commit):
    choose_email(bob, proposal_submitted="off")
    with run_on_commit():
        submit(draft, alice)
    [message] = to(bob)
    assert message.subject == "[Greenlight] SUB-1: your vote at Gate 1: Exploration"
    assert kinds_told(bob) == [K.PROPOSAL_SUBMITTED, K.VOTE_REQUESTED]


def test_both_in_the_digest_is_one_notification_in_it(draft, alice, bob, run_on_commit):
    choose_email(bob, "digest")
    with run_on_commit():
        submit(draft, alice)
    assert to(bob) == []
    [notice] = Notification.objects.filter(recipient=bob)
    assert notice.digest_pending
    assert notice.subject.endswith("(your vote is requested)")


@pytest.fixture
def at_gate_2(alice, bob, carol):
    """A project at gate 2, its estimate written by Carol: a go opens gate 3's review, which
    the product manager and the project's architect judge."""
    project = make_project(key="GL-0200", researcher=alice, product_manager=bob)
    decide(project, 1, "go")
    add_study(project, alice)
    add_estimate(project, carol)
    Notification.objects.all().delete()
    project.refresh_from_db()
    return project


def test_a_decision_that_opens_a_review_tells_each_of_its_gatekeepers_once(
    at_gate_2, alice, bob, carol, erin, run_on_commit
):
    with run_on_commit():
        decide(at_gate_2, 2, "go", erin)
    # An executive decided: the chair and the architect are told of it, and asked, at once.
    for person in (bob, carol):
        [message] = to(person)
        assert message.subject == (
            "[Greenlight] GL-0200: Go at Gate 2: Feasibility; your vote at Gate 3: Research"
        )
        assert "Your vote is requested: GL-0200 has reached Gate 3: Research" in message.body
        assert f"{reverse('gate_review', args=['GL-0200'])}\n" in message.body
        notice = Notification.objects.get(recipient=person, kind=K.DECISION_RECORDED)
        assert notice.link == reverse("gate_review", args=["GL-0200"])
        assert not Notification.objects.filter(recipient=person, kind=K.VOTE_REQUESTED).exists()
    # The researcher is not a gatekeeper: told of the decision, as before.
    [message] = to(alice)
    assert "your vote" not in message.subject
    assert "Your vote is requested" not in message.body
    with run_on_commit():
        assert send_vote_reminders() == 0


def test_the_chair_who_decides_leaves_the_architect_one_message(
    at_gate_2, bob, carol, run_on_commit
):
    with run_on_commit():
        decide(at_gate_2, 2, "go")
    assert to(bob) == []
    assert len(to(carol)) == 1
    assert kinds_told(carol) == [K.DECISION_RECORDED]


def test_turning_off_decisions_still_sends_the_vote_request(at_gate_2, bob, carol, run_on_commit):
    choose_email(carol, decision_recorded="off")
    with run_on_commit():
        decide(at_gate_2, 2, "go")
    [message] = to(carol)
    assert message.subject == "[Greenlight] GL-0200: your vote at Gate 3: Research"
    assert sorted(
        Notification.objects.filter(
            recipient=carol, kind__in=[K.DECISION_RECORDED, K.VOTE_REQUESTED]
        ).values_list("kind", flat=True)
    ) == [K.DECISION_RECORDED, K.VOTE_REQUESTED]
