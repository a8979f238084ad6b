"""The "History replaced" page holds the blind rule of the review open when the history
was replaced: how each voted is shown only to those who may see that review's votes."""

from __future__ import annotations

import csv

import pytest

from gates.interchange import export_portfolio, import_portfolio
from portfolio.models import ReplacedHistory
from tests.gates.test_replaced_history import decided_panel

pytestmark = pytest.mark.django_db


def replaced_with_changed_history(tmp_path, alice, bob, carol, sam) -> ReplacedHistory:
    """PANEL replaced by files whose first decision is on another day: the review open then,
    with Carol's hold, is archived, and a review of gate 3 is open again."""
    project = decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    changed = tmp_path / "gate_decisions.csv"
    rows = list(csv.reader(changed.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("decided_on")] = "2026-02-01"
    with changed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    import_portfolio(tmp_path, actor=sam, replace=True)
    return ReplacedHistory.objects.get(project=project)


def open_section(client, history) -> str:
    html = client.get(history.get_absolute_url()).content.decode().replace("<wbr>", "")
    return html.split("The review open when the history was replaced")[1].split("</section>")[0]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_replaced_history_shows_who_voted_not_how(
    client, tmp_path, alice, bob, carol, sam, who
):
    history = replaced_with_changed_history(tmp_path, alice, bob, carol, sam)
    client.force_login({"alice": alice, "bob": bob}[who])  # the researcher, the unvoted chair

    section = open_section(client, history)

    assert "carol@example.com: voted" in section
    assert "hold" not in section.lower() and "40%" not in section and "Pilot users" not in section


def test_a_gatekeeper_who_voted_in_it_sees_how_each_voted(client, tmp_path, alice, bob, carol, sam):
    history = replaced_with_changed_history(tmp_path, alice, bob, carol, sam)
    client.force_login(carol)

    section = open_section(client, history)

    assert "decision-hold" in section and "40%" in section and "Pilot users: met" in section


def test_once_the_project_moved_past_it_everyone_who_reads_it_sees_them(
    client, tmp_path, alice, bob, carol, sam
):
    from gates.services import record_decision

    history = replaced_with_changed_history(tmp_path, alice, bob, carol, sam)
    record_decision(
        project=history.project, gate=3, decision="kill", actor=bob, rationale="No pilot users."
    )
    client.force_login(alice)

    assert "decision-hold" in open_section(client, history)
