"""A proposal submitted opens its gate 1 review: when gate 1 names gatekeepers beside the
product manager, they are asked for their vote at once, as a review opened by a decision
asks its panel (the same notification and e-mail, the review's one request), not by the next
morning's reminders; the researcher who submitted it is not asked then, as whoever records
a decision is not."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from gates.models import Gate, Gatekeeper, VoteReminder
from gates.services import send_vote_reminders
from gates.tasks import ask_new_gatekeepers
from portfolio.models import Notification, NotificationKind, Role, Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run ``work`` as the app does (its e-mail leaves once the work commits) and return the
    vote e-mails it sent as (to, first line of the body), by address."""

    def run(work) -> list[tuple[str, str]]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            work()
        return sorted(
            (m.to[0], m.body.splitlines()[0]) for m in mail.outbox if "your vote" in m.subject
        )

    return run


def request_line(key: str) -> str:
    return (
        f"Your vote is requested: {key} has reached Gate 1: Exploration (the review opened "
        f"on {timezone.localdate():%Y-%m-%d}), and you are one of its gatekeepers."
    )


def proposal_line() -> str:
    """The first line of the new proposal's notice, which asks its product manager's vote."""
    return (
        "Alice Researcher submitted a proposal that waits for your review at gate 1 (Exploration)."
    )


def submit(client, researcher, draft):
    def post():
        client.force_login(researcher)
        response = client.post(reverse("proposal_submit", args=[draft.key]))
        assert response.status_code == 302

    return post


def next_morning(sent) -> list[str]:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return [to for to, _ in sent(lambda: send_vote_reminders(today=day))]


def test_submitting_asks_gate_1s_gatekeepers_at_once_and_once(client, alice, bob, erin, rita, sent):
    gate_1 = Gate.objects.get(number=1)
    Gatekeeper.objects.create(gate=gate_1, kind="role", role=Role.EXECUTIVE)
    Gatekeeper.objects.create(gate=gate_1, kind="person", person=rita)
    draft = make_project(key="SUB-7", researcher=alice, product_manager=bob, status=Status.DRAFT)

    asked = sent(submit(client, alice, draft))

    # The product manager (who chairs) is told of the proposal and asked to vote in that one
    # message; the executive and the named person are asked; the researcher who submitted is
    # not asked.
    line = request_line("SUB-7")
    assert asked == [(bob.email, proposal_line()), (erin.email, line), (rita.email, line)]
    assert [m.to[0] for m in mail.outbox].count(bob.email) == 1
    notice = Notification.objects.get(recipient=erin, kind=NotificationKind.VOTE_REQUESTED)
    assert notice.link == "/projects/SUB-7/gate-review/"
    assert set(
        VoteReminder.objects.filter(project=draft, review_round=0).values_list("kind", flat=True)
    ) == {VoteReminder.Kind.OPENED}
    # Nobody is asked twice: not by the next morning's run, nor when the panel is asked again.
    assert next_morning(sent) == []
    assert sent(lambda: ask_new_gatekeepers.call(gates=[1])) == []


def test_the_researcher_who_submits_is_not_asked_at_the_opening(client, alice, bob, rita, sent):
    """Gate 1 names the researchers: Alice, who submits, is on its panel. As with whoever
    records a decision, she is asked by the next morning's run, not at the opening, nor
    when the task asks the gate's panel again."""
    Gatekeeper.objects.create(gate=Gate.objects.get(number=1), kind="role", role=Role.RESEARCHER)
    draft = make_project(key="SUB-8", researcher=alice, product_manager=bob, status=Status.DRAFT)

    line = request_line("SUB-8")
    assert sent(submit(client, alice, draft)) == [(bob.email, proposal_line()), (rita.email, line)]
    assert sent(lambda: ask_new_gatekeepers.call(gates=[1])) == []
    assert next_morning(sent) == [alice.email]
    assert next_morning(sent) == []


def test_a_gate_1_with_the_product_manager_alone_asks_no_vote(client, alice, bob, sent):
    draft = make_project(key="SUB-9", researcher=alice, product_manager=bob, status=Status.DRAFT)
    assert sent(submit(client, alice, draft)) == []
    assert [m.to[0] for m in mail.outbox] == [bob.email]  # the proposal, as before
    assert not VoteReminder.objects.exists()


def test_a_gate_1_review_an_import_opens_is_left_to_the_morning(tmp_path, sam, bob, rita, sent):
    """As documented: the reviews an import opens are asked by the 08:00 run, not at once."""
    from gates.interchange import import_portfolio
    from tests.gates.test_replace_vote_reminders import portfolio

    Gatekeeper.objects.create(gate=Gate.objects.get(number=1), kind="person", person=rita)
    folder = portfolio(tmp_path / "files", "")
    assert sent(lambda: import_portfolio(folder, actor=sam)) == []
    assert sorted(next_morning(sent)) == [bob.email, rita.email]
