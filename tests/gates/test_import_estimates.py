"""Format version 2 on import: estimates.csv, next_stage_ask, and formula-safe text read back."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal

import pytest
from django.utils import timezone

from gates.interchange import command_line_import
from gates.models import ArchitectureEstimate
from portfolio.models import Project, SpendEntry, User
from tests.gates.test_import_portfolio import FILES, SAMPLE, edit_line, refused

HEADER = (
    "project,estimated_on,build_cost,monthly_run_cost,retrains_per_year,cost_per_retrain,"
    "estimated_by"
)


@pytest.fixture
def folder(tmp_path):
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


def write_estimates(folder, *rows: str) -> None:
    (folder / "estimates.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")


def test_a_version_1_folder_still_imports(db, folder):
    assert not (folder / "estimates.csv").exists()

    summary = command_line_import(folder)

    assert summary.projects == 62 and summary.estimates == 0
    assert not Project.objects.filter(next_stage_ask__isnull=False).exists()


def test_it_imports_the_architects_estimates(db, folder):
    write_estimates(
        folder,
        "RP-0002,2026-05-01,90000,1500.25,4,800,Noor.Architect@example.com",
        "RP-0003,2026-06-01,12000.50,0,0,,",
    )

    summary = command_line_import(folder)

    assert summary.estimates == 2
    noor = ArchitectureEstimate.objects.get(project__key="RP-0002")
    assert (noor.build_cost, noor.monthly_run_cost, noor.cost_per_retrain) == (
        Decimal("90000.00"),
        Decimal("1500.25"),
        Decimal("800.00"),
    )
    assert noor.retrains_per_year == 4
    assert timezone.localdate(noor.updated_at) == datetime.date(2026, 5, 1)
    assert noor.author.email == "noor.architect@example.com"
    assert noor.author.roles == []  # a file grants no role
    unnamed = ArchitectureEstimate.objects.get(project__key="RP-0003")
    assert (unnamed.author, unnamed.retraining_cadence, unnamed.cost_per_retrain) == (
        None,
        "none",
        Decimal("0.00"),
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("NOPE,2026-05-01,1,1,0,,", "estimates.csv:2: project: unknown project key 'NOPE'"),
        ("RP-0002,2026-05-01,1,1,3,,", "estimates.csv:2: retrains_per_year: '3' is not one of"),
        ("RP-0002,2026-05-01,-1,1,0,,", "estimates.csv:2: build_cost: -1 must not be negative"),
        (
            "RP-0002,2999-05-01,1,1,0,,",
            "estimates.csv:2: estimated_on: 2999-05-01 is in the future",
        ),
        ("RP-0002,2001-05-01,1,1,0,,", "estimates.csv:2: estimated_on: 2001-05-01 is before"),
        ("RP-0002,2026-05-01,1,1,0,,nobody", "estimates.csv:2: estimated_by: 'nobody' is not an e"),
    ],
)
def test_it_refuses_a_bad_estimate(db, folder, row, problem):
    write_estimates(folder, row)

    errors = refused(folder)

    assert len(errors) == 1 and errors[0].startswith(problem), errors


def test_it_refuses_two_estimates_of_one_project(db, folder):
    write_estimates(folder, "RP-0002,2026-05-01,1,1,0,,", "RP-0002,2026-05-02,1,1,0,,")

    assert refused(folder) == ["estimates.csv:3: project: RP-0002 already has an estimate (line 2)"]


def test_it_refuses_an_unknown_column_in_estimates(db, folder):
    (folder / "estimates.csv").write_text(HEADER + ",colour\n", encoding="utf-8")

    assert refused(folder)[0].startswith("estimates.csv:1: colour: unknown column")


def test_it_imports_next_stage_ask(db, folder):
    text = (folder / "projects.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",next_stage_ask"
    text[1] += ",125000.5"
    text[2:] = [line + "," for line in text[2:]]
    (folder / "projects.csv").write_text("\n".join(text) + "\n", encoding="utf-8")

    command_line_import(folder)

    assert Project.objects.get(key="RP-0001").next_stage_ask == Decimal("125000.50")
    assert Project.objects.filter(next_stage_ask__isnull=True).count() == 61


def test_an_ask_of_0_is_imported_as_no_ask(db, folder):
    """The planner's no ask (empty or 0), kept empty as the pages keep it."""
    text = (folder / "projects.csv").read_text(encoding="utf-8").splitlines()
    text[0] += ",next_stage_ask"
    text[1] += ",0.00"
    text[2] += ",0"
    text[3:] = [line + "," for line in text[3:]]
    (folder / "projects.csv").write_text("\n".join(text) + "\n", encoding="utf-8")

    command_line_import(folder)

    assert not Project.objects.filter(next_stage_ask__isnull=False).exists()


def test_it_refuses_a_negative_next_stage_ask(db, folder):
    edit_line(
        folder, "projects.csv", 1, "probability_of_success", "probability_of_success,next_stage_ask"
    )
    edit_line(folder, "projects.csv", 2, ",0.46", ",0.46,-5")

    assert refused(folder)[0] == "projects.csv:2: next_stage_ask: -5 must not be negative"


def test_it_reads_formula_safe_text_back(db, folder):
    """A leading ' before = + - @ tab or CR is the spreadsheet quoting, not the text."""
    edit_line(folder, "projects.csv", 2, "Vision study #1", "'=1+1")
    edit_line(folder, "projects.csv", 3, "Retention optimizer #2", "''@twice")
    with (folder / "spend.csv").open("a", encoding="utf-8") as handle:
        handle.write("RP-0002,2026-02-01,10.00,compute,'+fast way\n")
        handle.write('RP-0002,2026-02-01,10.00,compute,"\'-slow, way"\n')
        handle.write("RP-0002,2026-02-01,10.00,compute,'kept as it is\n")

    command_line_import(folder)

    assert Project.objects.get(key="RP-0001").title == "=1+1"
    assert Project.objects.get(key="RP-0002").title == "'@twice"
    notes = set(SpendEntry.objects.values_list("note", flat=True))
    assert {"+fast way", "-slow, way", "'kept as it is"} <= notes
    assert User.objects.count() == 18
