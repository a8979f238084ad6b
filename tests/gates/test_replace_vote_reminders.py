"""A replace clears the vote reminders of the reviews it replaces, as it clears their votes.

A reminder is kept by the review's number; the files renumber the reviews, so a reminder
left behind kept the replaced project's new review of that number from being announced."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core import mail

from gates.interchange import import_portfolio
from gates.models import VoteReminder
from gates.services import send_vote_reminders
from portfolio.models import Project, ReplacedHistory
from tests.gates.replacing import edit_every_project

pytestmark = pytest.mark.django_db

PROJECT = (
    "key,title,research_type,bucket,researcher,product_manager,submitted_on,value_kind,"
    "projected_low,projected_expected,projected_high,probability_of_success\n"
    "RM-1,Reminded project,applied,efficiency,alice@example.com,bob@example.com,2026-01-05,"
    "cost_savings,1000,2000,3000,0.5\n"
)
DECISIONS = (
    "project,gate,decided_on,decision,funding_granted,decided_by,probability_of_success,rationale\n"
)
ESTIMATE = (
    "project,estimated_on,build_cost,monthly_run_cost,retrains_per_year,cost_per_retrain,"
    "estimated_by\n"
    "RM-1,2026-01-20,1000,10,0,,carol@example.com\n"
)


def portfolio(folder: Path, decisions: str) -> Path:
    """RM-1, its decisions, an estimate by Carol (so that she judges gates 2 and 3 with Bob)."""
    folder.mkdir()
    (folder / "projects.csv").write_text(PROJECT, encoding="utf-8")
    (folder / "gate_decisions.csv").write_text(DECISIONS + decisions, encoding="utf-8")
    (folder / "spend.csv").write_text("project,spent_on,amount,category,note\n", encoding="utf-8")
    (folder / "outcomes.csv").write_text("project,month,realized_value\n", encoding="utf-8")
    (folder / "estimates.csv").write_text(ESTIMATE, encoding="utf-8")
    return folder


@pytest.fixture
def asked(django_capture_on_commit_callbacks):
    """Who the day's reminders e-mail to vote (the e-mail leaves once the work commits)."""

    def reminders_of(today: datetime.date) -> list[list[str]]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            send_vote_reminders(today=today)
        return sorted(m.to for m in mail.outbox if "your vote" in m.subject)

    return reminders_of


def test_the_new_review_a_replace_opens_is_announced(tmp_path, sam, bob, carol, alice, asked):
    first = "RM-1,1,2026-02-02,go,5000,bob@example.com,0.5,\n"
    import_portfolio(portfolio(tmp_path / "before", first), actor=sam)
    assert asked(datetime.date(2026, 2, 3)) == [[bob.email], [carol.email]]
    # The files rewrite its first decision: the review at gate 2 that follows is a new one,
    # with the same number (one decision before it).
    again = "RM-1,1,2026-03-02,go,8000,bob@example.com,0.6,Redone from the files\n"

    import_portfolio(portfolio(tmp_path / "after", again), actor=sam, replace=True)

    assert Project.objects.get(key="RM-1").decisions_count == 1
    assert asked(datetime.date(2026, 3, 3)) == [[bob.email], [carol.email]]


def test_a_review_the_replace_removed_leaves_no_reminder_behind(
    tmp_path, sam, bob, carol, alice, asked
):
    two = (
        "RM-1,1,2026-02-02,go,5000,bob@example.com,0.5,\n"
        "RM-1,2,2026-02-20,go,5000,bob@example.com,0.5,\n"
    )
    import_portfolio(portfolio(tmp_path / "before", two), actor=sam)
    assert asked(datetime.date(2026, 2, 21)) == [[bob.email], [carol.email]]  # gate 3's review
    one = "RM-1,1,2026-02-02,go,5000,bob@example.com,0.5,\n"

    import_portfolio(portfolio(tmp_path / "after", one), actor=sam, replace=True)

    project = Project.objects.get(key="RM-1")
    assert not VoteReminder.objects.filter(project=project, review_round=2).exists()
    history = ReplacedHistory.objects.get(project=project)
    assert sorted(
        (r["review_round"], r["person__email"], r["kind"])
        for r in history.project_fields["vote_reminders"]
    ) == [(2, bob.email, "opened"), (2, carol.email, "opened")]


def test_the_replaced_history_page_lists_the_reminders_sent(
    client, tmp_path, sam, bob, carol, alice, asked
):
    first = "RM-1,1,2026-02-02,go,5000,bob@example.com,0.5,\n"
    import_portfolio(portfolio(tmp_path / "before", first), actor=sam)
    asked(datetime.date(2026, 2, 3))
    edit_every_project()  # else the same files leave it as it is
    import_portfolio(portfolio(tmp_path / "after", first), actor=sam, replace=True)
    history = ReplacedHistory.objects.get(project__key="RM-1")
    client.force_login(bob)

    html = client.get(history.get_absolute_url()).content.decode().replace("<wbr>", "")

    assert "Vote reminders e-mailed (2)" in html
    assert "carol@example.com: the review opened, for the review after decision 1" in html
