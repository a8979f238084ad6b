"""Control and text-direction characters: the import holds one-line fields to the pages' rule,
and every export still imports again.

The pages and the API refuse a line break, a tab, any other control character and the
text-direction marks in one-line text (a title, an artifact's name: portfolio.validators);
the import refuses them there too, with the pages' words, as ``FILE:LINE: column: ...`` and
nothing written. Text kept from before the pages refused them (written straight into the
database here) is exported with each such character as U+FFFD, in the CSV files and the
workbook, so that the export imports again. Text of many lines (a spend note, a rationale)
keeps its line breaks, tabs and other control characters: the CSV files give it back as it
is, the workbook writes those it cannot hold (U+0001-U+0008, U+000B, U+000C, U+000E-U+001F)
as U+FFFD, as it writes a NUL (tests/gates/test_export_nul.py).

PostgreSQL keeps all of these (only a NUL it refuses), so the tests run on both databases.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from gates.interchange import (
    ImportFailed,
    command_line_import,
    export_portfolio,
    export_portfolio_workbook,
)
from gates.models import ArchitectureEstimate, GateDecision
from portfolio.interchange_format import FILES
from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Project,
    SpendEntry,
)
from portfolio.validators import one_line_problem
from tests.builders import workbook_of
from tests.gates.test_export_portfolio import SAMPLE, empty_the_database

V3 = SAMPLE.parent / "sample-portfolio-v3"
KEY = "RP-0001"
TITLE = "Churn \x01model \x1b[31mred\x1b[0m, \x7f, \u202eright-to-left\u202c\tend\x85"
# The same title as an export writes it: each character the pages refuse on one line as �.
TITLE_EXPORTED = (
    "Churn \ufffdmodel \ufffd[31mred\ufffd[0m, \ufffd, \ufffdright-to-left\ufffd\ufffdend\ufffd"
)
NOTE = "GPUs\x1b[0m\x7f\x01\nsecond line\tand a tab"
IN_A_WORKBOOK = {"\x01": "\ufffd", "\x1b": "\ufffd"}  # what a workbook cannot hold

CONTROL = "Use one line of plain text: no line breaks, tabs or other control characters."
RIGHT_TO_LEFT = (
    "Remove the invisible text-direction character (U+202E): "
    "it can make the text read as something else."
)


def _kept_from_before(folder: Path) -> None:
    """The sample with such a note in spend.csv (the import takes it: a note has many lines)
    and such a title written straight into the database (as the pages once took it)."""
    for name in FILES:
        shutil.copy(SAMPLE / name, folder / name)
    spend = (folder / "spend.csv").read_text(encoding="utf-8")
    row = f"{KEY},2026-01-14,1993.82,compute,"
    spend = spend.replace(f"{row}\n", f'{row}"{NOTE}"\n', 1)
    (folder / "spend.csv").write_text(spend, encoding="utf-8")
    command_line_import(folder)
    assert SpendEntry.objects.filter(project__key=KEY, note=NOTE).exists()
    Project.objects.filter(key=KEY).update(title=TITLE)


def _in_a_workbook(text: str) -> str:
    for character, written in IN_A_WORKBOOK.items():
        text = text.replace(character, written)
    return text


def _cell(path: Path, key_column: str, key: str, column: str) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(row[column] for row in csv.DictReader(handle) if row[key_column] == key)


def _nothing_written() -> bool:
    return not (
        Project.objects.exists()
        or SpendEntry.objects.exists()
        or GateDecision.objects.exists()
        or AuditEntry.objects.exclude(action__startswith="sign_in.").exists()
    )


def _problems(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)
    assert _nothing_written()
    return failed.value.errors


# --- The export writes what the import refuses on one line as U+FFFD ---------------------


def test_the_csv_export_writes_a_titles_control_characters_as_u_fffd(db, tmp_path):
    (tmp_path / "source").mkdir()
    _kept_from_before(tmp_path / "source")

    export_portfolio(tmp_path / "export")

    assert _cell(tmp_path / "export" / "projects.csv", "key", KEY, "title") == TITLE_EXPORTED
    empty_the_database()
    command_line_import(tmp_path / "export")
    assert Project.objects.get(key=KEY).title == TITLE_EXPORTED
    # A note has many lines: its line break, tab and control characters come back as they were.
    assert SpendEntry.objects.filter(project__key=KEY, note=NOTE).exists()


def test_the_workbook_export_imports_again(db, tmp_path):
    _kept_from_before(tmp_path)

    export_portfolio_workbook(tmp_path / "portfolio.xlsx")

    empty_the_database()
    command_line_import(tmp_path / "portfolio.xlsx")
    assert Project.objects.get(key=KEY).title == TITLE_EXPORTED
    # DEL, a tab and a line break stay in a note; what a workbook cannot hold is �.
    assert SpendEntry.objects.filter(project__key=KEY, note=_in_a_workbook(NOTE)).exists()


def test_an_artifacts_name_is_exported_so_that_it_imports_again(db, tmp_path):
    shutil.copytree(V3, tmp_path / "source", ignore=shutil.ignore_patterns("expected"))
    command_line_import(tmp_path / "source")
    Artifact.objects.filter(key="AR-0001").update(name="Triage\r\nBcc: all@example.com\u2066")

    export_portfolio(tmp_path / "export")

    written = "Triage\ufffd\ufffdBcc: all@example.com\ufffd"
    assert _cell(tmp_path / "export" / "artifacts.csv", "key", "AR-0001", "name") == written
    for model in (Adoption, ArtifactReuse, Artifact, ArchitectureEstimate):
        model.objects.all().delete()
    empty_the_database()
    command_line_import(tmp_path / "export")
    assert Artifact.objects.get(key="AR-0001").name == written


# --- The import refuses them on one line, with the pages' words --------------------------


def _with_title(folder: Path, title: str) -> None:
    for name in FILES:
        shutil.copy(SAMPLE / name, folder / name)
    projects = (folder / "projects.csv").read_text(encoding="utf-8")
    title = '"' + title.replace('"', '""') + '"'
    projects = projects.replace(f"{KEY},Vision study #1,", f"{KEY},{title},", 1)
    (folder / "projects.csv").write_text(projects, encoding="utf-8", newline="")


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Vision \x01study", CONTROL),
        ("Vision \x1b[31mstudy", CONTROL),
        ("Vision study\x7f", CONTROL),
        ("Vision study\r\nBcc: all@example.com", CONTROL),
        ("Vision\tstudy", CONTROL),
        ("Vision\x85study", CONTROL),
        ("\u202eVision study", RIGHT_TO_LEFT),
    ],
    ids=["U+0001", "escape", "DEL", "line break", "tab", "NEL", "right-to-left override"],
)
def test_a_title_that_is_not_one_line_is_refused_with_the_pages_words(db, tmp_path, title, message):
    _with_title(tmp_path, title)

    assert _problems(tmp_path) == [f"projects.csv:2: title: {message}"]


def test_a_title_with_u_fffd_is_taken(db, tmp_path):
    _with_title(tmp_path, "Vision study \ufffd (was an escape)")
    command_line_import(tmp_path)
    assert Project.objects.get(key=KEY).title == "Vision study \ufffd (was an escape)"


def test_an_artifacts_name_that_is_not_one_line_is_refused(db, tmp_path):
    shutil.copytree(V3, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected"))
    artifacts = (tmp_path / "artifacts.csv").read_text(encoding="utf-8")
    artifacts = artifacts.replace(
        "AR-0002,Document forecasting model v1,", 'AR-0002,"Document\nforecasting",', 1
    )
    (tmp_path / "artifacts.csv").write_text(artifacts, encoding="utf-8")

    problems = _problems(tmp_path)

    # First; the artifact's uses then name an artifact the import does not know.
    assert problems[0] == f"artifacts.csv:3: name: {CONTROL}"


def test_text_of_many_lines_keeps_its_line_breaks_tabs_and_control_characters(db, tmp_path):
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    decisions = (tmp_path / "gate_decisions.csv").read_text(encoding="utf-8").splitlines()
    first = next(n for n, line in enumerate(decisions) if line.startswith(f"{KEY},"))
    rationale = "Good data.\n\tSecond line\x1b[0m \u202eand more"
    cells = next(csv.reader([decisions[first]]))
    cells[-1] = rationale
    decisions[first] = ",".join(f'"{cell}"' for cell in cells)
    (tmp_path / "gate_decisions.csv").write_text("\n".join(decisions) + "\n", encoding="utf-8")

    command_line_import(tmp_path)

    assert GateDecision.objects.filter(project__key=KEY, rationale=rationale).exists()


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Vision\nstudy", CONTROL),
        ("Vision\x7fstudy", CONTROL),
        ("Vision study\u202e", RIGHT_TO_LEFT),
    ],
    ids=["line break", "DEL", "right-to-left override"],
)
def test_a_workbooks_title_that_is_not_one_line_is_refused(db, tmp_path, title, message):
    book = workbook_of(SAMPLE)
    assert book["projects"]["A2"].value == KEY
    book["projects"]["B2"] = title
    book.save(tmp_path / "portfolio.xlsx")

    assert _problems(tmp_path / "portfolio.xlsx") == [f"sheet projects, row 2: title: {message}"]


def test_the_imports_expression_refuses_what_the_pages_refuse_and_nothing_else():
    from gates.interchange.format import NOT_ONE_LINE

    for code in [*range(0x3000), *range(0xFE00, 0x10000), 0x1F600, 0xE0001]:
        character = chr(code)
        refused = one_line_problem(character) is not None
        assert (NOT_ONE_LINE.search(character) is not None) == refused, f"U+{code:04X}"
