"""Each hand-over tells the person whose turn it is: in the app always, by e-mail as they chose."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from gates.models import Gatekeeper, VoteReminder
from gates.services import send_vote_reminders
from portfolio import services
from portfolio.models import Notification, NotificationKind, Role, Status
from tests.builders import (
    add_estimate,
    add_study,
    choose_email,
    decide,
    gate,
    make_project,
    make_user,
)

K = NotificationKind


def told(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def mailed() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_submitting_a_proposal_tells_its_product_manager(alice, bob, run_on_commit):
    draft = make_project(status=Status.DRAFT, researcher=alice, product_manager=bob)
    with run_on_commit():
        services.submit_proposal(project=draft, actor=alice)
    assert told(K.PROPOSAL_SUBMITTED) == ["bob@example.com"]
    assert mailed() == ["bob@example.com"]
    notification = Notification.objects.get(kind=K.PROPOSAL_SUBMITTED)
    assert notification.link == reverse("gate_review", args=[draft.key])
    assert notification.read_at is None
    assert not notification.subject.startswith("[Greenlight]")


def test_a_written_study_tells_the_product_manager_once(project, alice, run_on_commit):
    decide(project, 1, "go")
    with run_on_commit():
        add_study(project, alice)
        add_study(project, alice, findings="Revised: 66%.")
    assert told(K.STUDY_WRITTEN) == ["bob@example.com"]
    assert mailed() == ["bob@example.com"]


def test_a_go_to_gate_2_asks_every_architect_while_the_estimate_is_unassigned(
    project, carol, run_on_commit
):
    other = make_user("dora@example.com", Role.ARCHITECT)
    make_user("gone@example.com", Role.ARCHITECT, is_active=False)
    with run_on_commit():
        decide(project, 1, "go")
    assert told(K.ESTIMATE_NEEDED) == sorted([carol.email, other.email])
    assert "needs a cost estimate" in next(m for m in mail.outbox if carol.email in m.to).subject


def test_an_assigned_estimate_asks_only_its_architect(project, bob, carol, run_on_commit):
    other = make_user("dora@example.com", Role.ARCHITECT)
    services.assign_architect(project=project, architect=other, actor=bob)
    assert told(K.ESTIMATE_NEEDED) == ["dora@example.com"]  # told of the assignment
    Notification.objects.all().delete()
    with run_on_commit():
        decide(project, 1, "go")
    assert told(K.ESTIMATE_NEEDED) == ["dora@example.com"]
    assert carol.email not in mailed()


def test_a_decision_that_needs_no_estimate_asks_no_architect(project, carol):
    decide(project, 1, "hold")
    assert told(K.ESTIMATE_NEEDED) == []


def test_a_written_estimate_tells_the_product_manager(project, carol, run_on_commit):
    decide(project, 1, "go")
    with run_on_commit():
        add_estimate(project, carol)
    assert told(K.ESTIMATE_WRITTEN) == ["bob@example.com"]
    # Its writer now judges the open gate 2 review with Bob: asked for a vote at once.
    assert told(K.VOTE_REQUESTED) == ["carol@example.com"]
    assert mailed() == ["bob@example.com", "carol@example.com"]


def test_a_decision_tells_the_researcher_and_the_team_but_not_who_decided(
    project, bob, carol, erin, run_on_commit
):
    decide(project, 1, "go")
    add_estimate(project, carol)
    Notification.objects.all().delete()
    with run_on_commit():
        decide(project, 2, "hold", erin)
    assert told(K.DECISION_RECORDED) == sorted(["alice@example.com", bob.email, carol.email])
    assert "erin@example.com" not in told(K.DECISION_RECORDED)
    assert set(mailed()) >= {"alice@example.com", bob.email, carol.email}


def test_notification_emails_write_money_with_its_currency(alice, bob, run_on_commit):
    draft = make_project(status=Status.DRAFT, researcher=alice, product_manager=bob)
    with run_on_commit():
        project = services.submit_proposal(project=draft, actor=alice)
    body = mail.outbox[0].body
    assert "EUR 100,000 – EUR 250,000 – EUR 400,000 (low – expected – high)" in body
    assert "Probability of success: 40%" in body
    with run_on_commit():
        decide(project, 1, "go", funding_granted="50000.00")
    to_alice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert "Funding granted: EUR 50,000\n" in to_alice.body


def test_vote_requests_go_through_the_same_path(project, bob, erin, run_on_commit):
    Gatekeeper.objects.create(gate=gate(1), kind=Gatekeeper.Kind.PERSON, person=erin)
    choose_email(erin, "off")
    with run_on_commit():
        assert send_vote_reminders() == 2  # the chair and Erin
    assert VoteReminder.objects.filter(person=erin).exists()
    assert told(K.VOTE_REQUESTED) == [bob.email, erin.email]
    notification = Notification.objects.get(kind=K.VOTE_REQUESTED, recipient=erin)
    assert notification.link == reverse("gate_review", args=[project.key])
    assert mailed() == [bob.email]  # Erin chose no e-mail


def test_no_email_still_records_the_notification(alice, bob, run_on_commit):
    choose_email(bob, "off")
    draft = make_project(status=Status.DRAFT, researcher=alice, product_manager=bob)
    with run_on_commit():
        submitted = services.submit_proposal(project=draft, actor=alice)
    assert told(K.PROPOSAL_SUBMITTED) == ["bob@example.com"]
    assert mail.outbox == []
    assert submitted.notice.sentence() == "Bob Product has been notified in the app"


def test_a_choice_for_one_kind_beats_the_overall_choice(alice, bob, run_on_commit):
    choose_email(bob, "off", proposal_submitted="now")
    draft = make_project(status=Status.DRAFT, researcher=alice, product_manager=bob)
    with run_on_commit():
        services.submit_proposal(project=draft, actor=alice)
    assert mailed() == ["bob@example.com"]


def test_a_digest_choice_waits_for_the_digest(alice, bob, run_on_commit):
    choose_email(bob, "now", proposal_submitted="digest")
    draft = make_project(status=Status.DRAFT, researcher=alice, product_manager=bob)
    with run_on_commit():
        submitted = services.submit_proposal(project=draft, actor=alice)
    assert mail.outbox == []
    assert Notification.objects.get().digest_pending
    assert submitted.notice.sentence() == (
        "Bob Product has been notified in the app and in their daily digest"
    )


def test_a_rolled_back_change_tells_nobody(alice, bob, run_on_commit):
    draft = make_project(status=Status.DRAFT, researcher=alice, product_manager=bob)
    with run_on_commit(), transaction.atomic():
        services.submit_proposal(project=draft, actor=alice)
        transaction.set_rollback(True)
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_only_the_person_chooses_their_email(bob, pete):
    with pytest.raises(services.notifications.PermissionDenied):
        services.set_notification_preferences(person=bob, actor=pete, overall="off", by_kind={})


def test_preferences_are_audited_and_checked(bob):
    from portfolio.errors import DomainError
    from portfolio.models import AuditEntry

    choose_email(bob, "digest", vote_requested="off")
    entry = AuditEntry.objects.get(action="notifications.preferences")
    assert entry.changes == {"overall": ["", "digest"], "vote_requested": ["", "off"]}
    with pytest.raises(DomainError) as refused:
        choose_email(bob, "hourly")
    assert refused.value.field == "overall"
    # A kind set back to "as overall" drops its own choice.
    choose_email(bob, "digest", vote_requested="")
    assert services.notifications.preferences_of(bob) == {"": "digest"}
