"""votes.csv and kill_criteria.csv: export → import gives the same panel; bad rows are refused."""

from __future__ import annotations

import csv
import shutil

import pytest

from gates.interchange import ImportFailed, command_line_import, export_portfolio
from gates.models import GateDecision, KillCriterion, Vote
from portfolio.metrics import compute
from portfolio.models import Project
from tests.gates.test_decision_quality import build, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def hand_made(alice, bob, carol, erin):
    return build(alice, bob, carol, erin)


def panel_of_everything() -> tuple:
    votes = sorted(
        (
            v.project.key,
            v.decision.sequence if v.decision else None,
            v.gate.number,
            v.voter.email,
            v.recommendation,
            v.probability_of_success,
            v.comment,
            v.scorecard_total,
        )
        for v in Vote.objects.select_related("project", "decision", "gate", "voter")
    )
    criteria = sorted(
        (
            c.project.key,
            c.decision.sequence,
            c.gate.number,
            c.position,
            c.statement,
            c.comparison,
            c.target,
            getattr(getattr(c, "verdict", None), "met", None),
        )
        for c in KillCriterion.objects.select_related("project", "decision", "gate", "verdict")
    )
    flags = sorted(
        (d.project.key, d.sequence, d.against_majority, d.without_quorum, d.overrides_kill_criteria)
        for d in GateDecision.objects.select_related("project").prefetch_related(
            "votes", "kill_verdicts"
        )
    )
    return votes, criteria, flags


def wipe() -> None:
    """Empty the portfolio the way a fresh database is (the history rewrite is the import's)."""
    from django.db import connection

    from gates.interchange.archive import archive_and_erase

    archive_and_erase(list(Project.objects.values_list("id", flat=True)), actor=None)
    for model in ("gates.ArchitectureEstimate", "gates.FeasibilityStudy", "gates.BusinessCase"):
        from django.apps import apps

        apps.get_model(model).objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM portfolio_auditentry")
    Project.objects.all().delete()


def test_export_then_import_gives_back_the_same_panel(hand_made, tmp_path):
    before = panel_of_everything()
    quality = compute(sections=("decision_panel",), as_of=on(3, 1))["decision_panel"]
    export_portfolio(tmp_path)
    with (tmp_path / "votes.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert rows[0].keys() == {
        "project",
        "decision",
        "gate",
        "voter",
        "recommendation",
        "probability_of_success",
        "comment",
        "scorecard_total",
    }
    assert any(r["recommendation"] == "" for r in rows)  # Carol, who did not vote at gate 3

    wipe()
    assert not Vote.objects.exists()
    command_line_import(tmp_path)
    assert panel_of_everything() == before
    again = compute(sections=("decision_panel",), as_of=on(3, 1))["decision_panel"]
    quality.pop("time_to_decision")  # deliverables are not in the files (only estimates)
    again.pop("time_to_decision")
    assert again == quality


def write(path, name: str, header: str, *lines: str) -> None:
    (path / name).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


VOTE_HEADER = (
    "project,decision,gate,voter,recommendation,probability_of_success,comment,scorecard_total"
)
CRITERIA_HEADER = "project,decision,position,statement,comparison,target,met,judged_by,note"


@pytest.mark.parametrize(
    ("name", "header", "line", "message"),
    [
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,9,2,carol@example.com,go,0.5,,",
            "votes.csv:2: decision: the project has 4 decisions in gate_decisions.csv, not 9",
        ),
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,2,3,carol@example.com,go,0.5,,",
            "votes.csv:2: gate: decision 2 of ALPHA is at gate 2, not 3",
        ),
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,2,2,carol@example.com,maybe,0.5,,",
            "votes.csv:2: recommendation: 'maybe' is not one of",
        ),
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,,2,carol@example.com,go,,,",
            "votes.csv:2: decision: a vote without a decision belongs to the open review",
        ),
        (
            "kill_criteria.csv",
            CRITERIA_HEADER,
            "BETA,3,1,Precision,>=,0.8,,,",
            "kill_criteria.csv:2: decision: decision 3 of BETA is a kill at gate 3",
        ),
        (
            "kill_criteria.csv",
            CRITERIA_HEADER,
            "ALPHA,1,1,Precision,>=,,,,",
            "kill_criteria.csv:2: target: a number needs a comparison",
        ),
        (
            "kill_criteria.csv",
            CRITERIA_HEADER,
            "ALPHA,1,1,Users,>=,999999999999.9999,,,",
            "kill_criteria.csv:2: target: '999999999999.9999' is not a number with at most 11 "
            "digits before the point and 4 after",
        ),
        # Python reads these as numbers; nobody writes them as one.
        (
            "kill_criteria.csv",
            CRITERIA_HEADER,
            "ALPHA,1,1,Users,>=,1_000,,,",
            "kill_criteria.csv:2: target: '1_000' is not a number",
        ),
        (
            "kill_criteria.csv",
            CRITERIA_HEADER,
            "ALPHA,1,1,Users,>=,\uff12,,,",
            "kill_criteria.csv:2: target: '\uff12' is not a number",
        ),
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,2,2,carol@example.com,go,0.5,,1_0",
            "votes.csv:2: scorecard_total: '1_0' is not a total",
        ),
        # The pages' and the API's limit (gates.models.panel.COMMENT_MAX).
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,2,2,carol@example.com,go,0.5," + "x" * 10_001 + ",",
            "votes.csv:2: comment: at most 10,000 characters (this is 10,001)",
        ),
        (
            "votes.csv",
            VOTE_HEADER,
            "ALPHA,\uff12,2,carol@example.com,go,0.5,,",
            "votes.csv:2: decision: '\uff12' is not a decision number",
        ),
        (
            "kill_criteria.csv",
            CRITERIA_HEADER,
            "ALPHA,1,1,Signed agreement,,,no,4,",
            "kill_criteria.csv:2: judged_by: decision 4 of ALPHA is not a later decision at gate 2",
        ),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(  # noqa: PLR0913
    hand_made,
    tmp_path,
    name,
    header,
    line,
    message,  # noqa: F811
):
    export_portfolio(tmp_path / "good")
    folder = tmp_path / "bad"
    shutil.copytree(tmp_path / "good", folder)
    write(folder, name, header, line)
    wipe()
    with pytest.raises(ImportFailed) as failed:
        command_line_import(folder)
    assert any(str(e).startswith(message) for e in failed.value.errors), failed.value.errors
    assert not Project.objects.exists()
