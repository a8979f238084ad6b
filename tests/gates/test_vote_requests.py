"""Who is asked for their vote, when, and in which words: a gatekeeper who joins an open
review, and the daily task's first e-mail to someone never asked."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from gates.models import Gatekeeper, VoteReminder
from gates.services import send_vote_reminders
from portfolio.models import Notification, NotificationKind
from tests.builders import add_estimate, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run ``work`` as the app does (its e-mail leaves once the work commits, through the
    task worker) and return the vote e-mails it sent as (to, first line of the body)."""

    def run(work) -> list[tuple[str, str]]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            work()
        return [(m.to[0], m.body.splitlines()[0]) for m in mail.outbox if "your vote" in m.subject]

    return run


def test_the_architect_who_writes_the_estimate_is_asked_at_once(alice, bob, carol, sent):
    project = make_project(
        key="GL-0115", researcher=alice, product_manager=bob, current_gate=2, decisions_count=1
    )
    assert sent(lambda: add_estimate(project, carol)) == [
        (
            carol.email,
            "Your vote is requested: GL-0115 has reached Gate 2: Feasibility (the review "
            "opened on 2026-01-05), and you are one of its gatekeepers.",
        )
    ]
    notification = Notification.objects.get(recipient=carol, kind=NotificationKind.VOTE_REQUESTED)
    assert notification.link == "/projects/GL-0115/gate-review/"
    # A revision is not a new request, nor is the next morning's run.
    assert sent(lambda: add_estimate(project, carol, build_cost=200000)) == []
    assert [to for to, _ in sent(send_vote_reminders)] == [bob.email]  # the chair, never asked


def test_an_estimate_asks_no_vote_where_the_gate_does_not_name_the_architect(
    alice, bob, carol, sent
):
    project = make_project(researcher=alice, product_manager=bob, current_gate=2)
    Gatekeeper.objects.filter(gate__number=2).delete()
    assert sent(lambda: add_estimate(project, carol)) == []
    assert not Notification.objects.filter(kind=NotificationKind.VOTE_REQUESTED).exists()


def test_the_first_email_of_an_old_review_is_the_request_not_a_reminder(
    alice, bob, carol, erin, sent, settings
):
    """A review the seed or an import opened, older than VOTE_REMINDER_DAYS: its gatekeepers
    are asked first, and reminded VOTE_REMINDER_DAYS after that, not the next morning."""
    settings.VOTE_REMINDER_DAYS = 3
    today = timezone.localdate()
    project = make_project(
        key="GL-0033",
        researcher=alice,
        product_manager=bob,
        current_gate=4,
        decisions_count=3,
        last_decision_on=today - datetime.timedelta(days=10),
    )
    VoteReminder.objects.all().delete()  # as the seed and an import leave a review: unasked
    estimate = add_estimate(project, carol)
    VoteReminder.objects.all().delete()
    assert estimate.author == carol

    first = sent(lambda: send_vote_reminders(today=today))

    opened = f"{today - datetime.timedelta(days=10):%Y-%m-%d}"
    request = (
        f"Your vote is requested: GL-0033 has reached Gate 4: Roadmap (the review opened on "
        f"{opened}), and you are one of its gatekeepers."
    )
    assert sorted(first) == sorted((p.email, request) for p in (bob, carol, erin))
    later = [sent(lambda d=d: send_vote_reminders(today=today + d)) for d in _days(1, 2, 3, 4)]
    reminder = (
        "A reminder: Gate 4: Roadmap of GL-0033 opened 3 days ago or more, and your vote is "
        "still missing."
    )
    assert later == [[], [], sorted((p.email, reminder) for p in (bob, carol, erin)), []]


def test_a_review_opened_today_asks_then_reminds_after_the_delay(alice, bob, carol, sent, settings):
    settings.VOTE_REMINDER_DAYS = 3
    today = timezone.localdate()
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_estimate(project, carol)
    project.last_decision_on = today
    project.save()
    assert [to for to, _ in sent(lambda: send_vote_reminders(today=today))] == [bob.email]
    assert sent(lambda: send_vote_reminders(today=today + datetime.timedelta(days=2))) == []
    reminded = sent(lambda: send_vote_reminders(today=today + datetime.timedelta(days=3)))
    assert sorted(to for to, _ in reminded) == [bob.email, carol.email]
    assert all(line.startswith("A reminder:") for _, line in reminded)


def _days(*numbers: int) -> list[datetime.timedelta]:
    return [datetime.timedelta(days=n) for n in numbers]
