"""An open review's votes are blind: the export leaves them out, a replace keeps them, and
the replaced history shows how each voted only to those who may see them."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from gates.interchange import export_portfolio, import_portfolio
from gates.models import KillCriterionMark, Vote, VoteReminder, VoteScore
from portfolio.models import ReplacedHistory
from tests.gates.test_replaced_history import decided_panel

pytestmark = pytest.mark.django_db


def open_vote_rows(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["decision"] == ""]


def zip_votes(response) -> list[dict]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    with archive.open("votes.csv") as handle:
        return list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8")))


def workbook_votes(response) -> list[dict]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, *rows = book["votes"].iter_rows(values_only=True)
    return [
        {name: "" if value is None else str(value) for name, value in zip(header, row, strict=True)}
        for row in rows
    ]


@pytest.mark.parametrize("who", ["bob", "erin", "adam"])
def test_the_export_leaves_out_the_open_reviews_votes(client, alice, bob, carol, erin, adam, who):
    decided_panel(alice, bob, carol)  # Carol's hold waits in the open review of gate 3
    client.force_login({"bob": bob, "erin": erin, "adam": adam}[who])

    for rows in (
        zip_votes(client.get("/portfolio/export.zip")),
        workbook_votes(client.get("/portfolio/export.xlsx")),
    ):
        assert open_vote_rows(rows) == []
        assert "hold" not in {row["recommendation"] for row in rows}
        assert sorted((r["decision"], r["voter"], r["recommendation"]) for r in rows) == [
            ("2", "bob@example.com", "go"),
            ("2", "carol@example.com", "kill"),
        ]


def test_the_command_lines_export_leaves_them_out_too(tmp_path, alice, bob, carol):
    decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    with (tmp_path / "votes.csv").open(encoding="utf-8") as handle:
        assert open_vote_rows(list(csv.DictReader(handle))) == []


def open_review(project) -> list[tuple]:
    return sorted(
        (
            v.voter.email,
            v.gate.number,
            v.recommendation,
            v.probability_of_success,
            v.comment,
            v.scorecard_total,
            v.voted_at,
            sorted((s.criterion_id, s.met, s.score) for s in v.scores.all()),
            sorted(
                (m.criterion.decision.sequence, m.criterion.statement, m.met, m.note)
                for m in v.kill_marks.all()
            ),
        )
        for v in Vote.objects.filter(project=project, decision__isnull=True)
    )


def reminders(project) -> list[tuple]:
    """The reminders of the open review (those of decided reviews are archived)."""
    return sorted(
        VoteReminder.objects.filter(
            project=project, review_round=project.decisions_count
        ).values_list("review_round", "person__email", "kind", "sent_at")
    )


def test_a_replace_from_the_export_keeps_the_open_reviews_votes(tmp_path, alice, bob, carol, sam):
    project = decided_panel(alice, bob, carol)
    before, reminded = open_review(project), reminders(project)
    assert [v[2] for v in before] == ["hold"]
    export_portfolio(tmp_path)

    import_portfolio(tmp_path, actor=sam, replace=True)

    assert open_review(project) == before  # her vote, its probability, marks on the new criteria
    assert reminded and reminders(project) == reminded
    assert Vote.objects.filter(project=project).count() == 3
    # Her mark, on the rewritten criterion (the decided votes' marks are not in the files).
    assert KillCriterionMark.objects.filter(vote__project=project, vote__decision=None).count() == 1
    from gates.services import has_voted

    assert has_voted(carol, project) and not has_voted(bob, project)


def test_a_replace_that_changes_the_history_archives_them(tmp_path, alice, bob, carol, sam):
    project = decided_panel(alice, bob, carol)
    export_portfolio(tmp_path)
    changed = tmp_path / "gate_decisions.csv"
    rows = list(csv.reader(changed.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("decided_on")] = "2026-02-01"  # the first decision, on another day
    with changed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)

    import_portfolio(tmp_path, actor=sam, replace=True)

    assert not Vote.objects.filter(project=project, decision__isnull=True).exists()
    assert not VoteScore.objects.filter(vote__project=project, vote__decision__isnull=True)
    (waiting,) = ReplacedHistory.objects.get(project=project).project_fields["open_votes"]
    assert (waiting["voter__email"], waiting["recommendation"]) == ("carol@example.com", "hold")
