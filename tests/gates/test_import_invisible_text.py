"""An imported cell with no visible character is blank, as on the pages and in the API.

A rationale or a spend note made of a zero-width space (U+200B) was imported as written
text, shown as nothing, and a title or an e-mail address made of one was not "a value is
required". Now a required cell with nothing visible (U+200B, a byte order mark, the
Braille blank, spaces around them) is refused as a blank one is, naming FILE:LINE and the
column (the sheet and row in a workbook), nothing written; an optional one is kept empty,
on spend.csv's fast way as on the general one (portfolio.validators.is_blank). A title kept
from before with nothing visible in it is exported with each character as U+FFFD, so that
the export imports again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.interchange import ImportFailed, command_line_import, export_portfolio
from gates.models import GateDecision
from portfolio.models import Project, SpendEntry
from tests.builders import workbook_of
from tests.gates.test_export_portfolio import empty_the_database

pytestmark = pytest.mark.django_db

PROJECTS = (
    "key,title,research_type,bucket,researcher,product_manager,submitted_on,value_kind,"
    "projected_low,projected_expected,projected_high,probability_of_success\n"
    "GL-0200,{title},applied,efficiency,rita@example.com,pete@example.com,2026-01-05,"
    "cost_savings,1000,2000,3000,0.5\n"
)
DECISIONS = (
    "project,gate,decided_on,decision,funding_granted,decided_by,probability_of_success,"
    "rationale\n"
    "GL-0200,1,2026-02-01,go,500,{decided_by},,{rationale}\n"
    "GL-0200,2,2026-03-02,hold,,pete@example.com,,Waiting for data\n"
)
# No quote anywhere: read the fast way (gates/interchange/spend_pass.py).
SPEND = (
    "project,spent_on,amount,category,note\n"
    "GL-0200,2026-01-10,100.00,compute,{note}\n"
    "GL-0200,2026-01-11,200.00,people,Salaries\n"
)


def portfolio(
    folder: Path,
    *,
    title: str = "Churn model",
    decided_by: str = "pete@example.com",
    rationale: str = "Looks promising",
    note: str = "",
) -> Path:
    (folder / "projects.csv").write_text(PROJECTS.format(title=title), encoding="utf-8")
    (folder / "gate_decisions.csv").write_text(
        DECISIONS.format(decided_by=decided_by, rationale=rationale), encoding="utf-8"
    )
    (folder / "spend.csv").write_text(SPEND.format(note=note), encoding="utf-8")
    (folder / "outcomes.csv").write_text("project,month,realized_value\n", encoding="utf-8")
    return folder


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)
    assert not Project.objects.exists()
    assert not SpendEntry.objects.exists()
    return failed.value.errors


def test_the_files_import_as_they_are(tmp_path):
    command_line_import(portfolio(tmp_path))
    assert GateDecision.objects.get(gate__number=1).rationale == "Looks promising"


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", " \u2800 ", "\u200b\u3164"])
def test_a_required_cell_with_nothing_visible_is_refused_as_a_blank_one(tmp_path, invisible):
    problems = problems_of(portfolio(tmp_path, title=invisible, decided_by=invisible))
    assert problems == [
        "projects.csv:2: title: a value is required",
        "gate_decisions.csv:2: decided_by: a value is required",
    ]


def test_an_optional_cell_with_nothing_visible_is_kept_empty(tmp_path):
    command_line_import(portfolio(tmp_path, rationale="\u200b", note="\u200b\ufeff"))
    assert GateDecision.objects.get(gate__number=1).rationale == ""
    assert list(SpendEntry.objects.order_by("spent_on").values_list("note", flat=True)) == [
        "",
        "Salaries",
    ]


def test_a_rationale_of_many_invisible_lines_is_kept_empty(tmp_path):
    command_line_import(portfolio(tmp_path, rationale='"\u200b\r\n\u00a0\n"'))
    assert GateDecision.objects.get(gate__number=1).rationale == ""


def test_visible_text_with_invisible_characters_is_kept(tmp_path):
    command_line_import(portfolio(tmp_path, rationale="\u200bYes", note="\u200bGPU"))
    assert GateDecision.objects.get(gate__number=1).rationale == "\u200bYes"
    assert SpendEntry.objects.get(spent_on__day=10).note == "\u200bGPU"


def test_a_workbook_s_cells_are_read_so_too(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    book = workbook_of(portfolio(folder, title="\u200b", rationale="\u200b", note="\u200b"))
    path = tmp_path / "portfolio.xlsx"
    book.save(path)
    assert problems_of(path) == ["sheet projects, row 2: title: a value is required"]

    portfolio(folder, rationale="\u200b", note="\u200b")
    book = workbook_of(folder)
    book.save(path)
    command_line_import(path)
    assert GateDecision.objects.get(gate__number=1).rationale == ""
    assert SpendEntry.objects.get(spent_on__day=10).note == ""


def test_an_export_of_a_title_with_nothing_visible_imports_again(tmp_path):
    (tmp_path / "source").mkdir()
    command_line_import(portfolio(tmp_path / "source"))
    Project.objects.filter(key="GL-0200").update(title="\u200b\u200b")  # as once kept

    export_portfolio(tmp_path / "export")

    empty_the_database()
    command_line_import(tmp_path / "export")
    assert Project.objects.get(key="GL-0200").title == "\ufffd\ufffd"
