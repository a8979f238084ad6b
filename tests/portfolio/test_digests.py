"""The daily digest of notifications and the weekly zombie digest: once, as chosen, never empty."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail

from portfolio import services
from portfolio.models import Notification, NotificationKind, Status
from portfolio.tasks import send_daily_digest, send_weekly_digest
from tests.builders import choose_email, make_project, record_spend

MONDAY = datetime.date(2026, 6, 1)


def submit(researcher, manager, key):
    draft = make_project(
        key=key, status=Status.DRAFT, researcher=researcher, product_manager=manager
    )
    return services.submit_proposal(project=draft, actor=researcher)


# --- The daily digest ---------------------------------------------------------------------


def test_the_daily_digest_gathers_what_waits_and_sends_it_once(alice, bob, run_on_commit):
    choose_email(bob, "digest")
    submit(alice, bob, "ONE")
    submit(alice, bob, "TWO")
    with run_on_commit():
        assert services.send_daily_digests() == 1
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    digest = mail.outbox[0]
    assert "2 notifications" in digest.subject
    assert "ONE" in digest.body and "TWO" in digest.body
    assert f"{settings.SITE_URL.rstrip('/')}/projects/ONE/gate-review/" in digest.body
    with run_on_commit():
        assert services.send_daily_digests() == 0
    assert mail.outbox == []
    # Still in the app, unread: the digest is e-mail, not reading.
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 2


def test_the_daily_digest_respects_each_persons_choice(alice, bob, pete, run_on_commit):
    choose_email(bob, "now")  # e-mailed at once: nothing for the digest
    choose_email(pete, "off")  # no e-mail at all
    submit(alice, bob, "ONE")
    submit(alice, pete, "TWO")
    with run_on_commit():
        assert services.send_daily_digests() == 0
    assert mail.outbox == []


def test_a_kind_left_out_of_the_digest_is_not_in_it(alice, bob, carol, run_on_commit):
    choose_email(bob, "digest", proposal_submitted="off")
    submit(alice, bob, "ONE")
    with run_on_commit():
        assert services.send_daily_digests() == 0
    assert mail.outbox == []


def test_nothing_waiting_sends_nothing(bob, run_on_commit):
    with run_on_commit():
        assert send_daily_digest.call() == "0 daily digests sent"
    assert mail.outbox == []


# --- The weekly zombie digest ---------------------------------------------------------------


@pytest.fixture
def zombies(alice, bob, pete):
    """Bob has two zombies (no decision for 180 days, spend in the last 90); Pete one busy project."""
    long_ago = MONDAY - datetime.timedelta(days=300)
    made = []
    for key in ("ZOMBIE-A", "ZOMBIE-B"):
        project = make_project(
            key=key, researcher=alice, product_manager=bob, submitted_on=long_ago
        )
        record_spend(project, MONDAY - datetime.timedelta(days=20), "1500")
        made.append(project)
    fresh = make_project(
        key="FRESH",
        researcher=alice,
        product_manager=pete,
        submitted_on=MONDAY - datetime.timedelta(days=30),
    )
    record_spend(fresh, MONDAY - datetime.timedelta(days=10), "900")
    quiet = make_project(key="QUIET", researcher=alice, product_manager=pete, submitted_on=long_ago)
    return made, fresh, quiet


def test_each_product_manager_gets_their_zombies_once_a_week(zombies, bob, run_on_commit):
    with run_on_commit():
        assert services.send_digests(today=MONDAY) == 1
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    body = mail.outbox[0].body
    assert "ZOMBIE-A" in body and "ZOMBIE-B" in body
    assert "FRESH" not in body and "QUIET" not in body
    assert "2 of your projects look like zombies" in mail.outbox[0].subject
    notification = Notification.objects.get(kind=NotificationKind.ZOMBIE_DIGEST)
    assert notification.recipient == bob
    assert "product_manager=bob%40example.com" in notification.link
    with run_on_commit():
        assert services.send_digests(today=MONDAY + datetime.timedelta(days=2)) == 0
    assert mail.outbox == []


def test_the_digest_writes_money_with_its_currency_and_plurals(zombies, bob, run_on_commit):
    with run_on_commit():
        services.send_digests(today=MONDAY)
    body = mail.outbox[0].body
    assert "spent EUR 1,500 in the last 90 days, EUR 1,500 since the last decision" in body
    assert "2 of your projects have had no gate decision" in body
    assert "Decide them: go, kill, hold or recycle." in body


def test_one_zombie_is_written_in_the_singular(alice, pete, run_on_commit):
    project = make_project(
        key="LONE",
        researcher=alice,
        product_manager=pete,
        submitted_on=MONDAY - datetime.timedelta(days=300),
    )
    record_spend(project, MONDAY - datetime.timedelta(days=20), "99536.35")
    with run_on_commit():
        assert services.send_digests(today=MONDAY) == 1
    message = mail.outbox[0]
    assert message.subject == "[Greenlight] Weekly digest: 1 of your projects looks like a zombie"
    assert "1 of your projects has had no gate decision" in message.body
    assert "Decide it: go, kill, hold or recycle." in message.body
    assert "spent EUR 99,536 in the last 90 days" in message.body
    notification = Notification.objects.get(kind=NotificationKind.ZOMBIE_DIGEST)
    assert notification.subject == "Weekly digest: 1 of your projects looks like a zombie"


def test_no_email_means_the_app_only(zombies, bob, run_on_commit):
    choose_email(bob, "now", zombie_digest="off")
    with run_on_commit():
        assert services.send_digests(today=MONDAY) == 1
    assert mail.outbox == []
    assert Notification.objects.filter(kind=NotificationKind.ZOMBIE_DIGEST).count() == 1


def test_no_zombies_no_digest(alice, bob, run_on_commit):
    make_project(researcher=alice, product_manager=bob)
    with run_on_commit():
        assert send_weekly_digest.call() == "0 product managers told of their zombie projects"
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_both_digests_are_scheduled():
    tasks = {entry["task"] for entry in settings.SCHEDULED_TASKS.values()}
    assert {"portfolio.tasks.send_weekly_digest", "portfolio.tasks.send_daily_digest"} <= tasks
