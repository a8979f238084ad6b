"""Excel workbooks in: a sheet per file, the CSV importer's rules; problems name the sheet and row."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gates.interchange import ImportFailed, command_line_import
from gates.models import GateDecision
from portfolio.models import AuditEntry, Outcome, Project, SpendEntry
from tests.builders import workbook_of

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
FILES = ("projects.csv", "gate_decisions.csv", "spend.csv", "outcomes.csv")
pytestmark = pytest.mark.django_db


def sample_book(*, typed: bool = True) -> openpyxl.Workbook:
    return workbook_of(SAMPLE, typed=typed)


def saved(book: openpyxl.Workbook, tmp_path: Path) -> Path:
    path = tmp_path / "portfolio.xlsx"
    book.save(path)
    return path


def counts() -> tuple[int, int, int, int, Decimal]:
    return (
        Project.objects.count(),
        GateDecision.objects.count(),
        SpendEntry.objects.count(),
        Outcome.objects.count(),
        sum(SpendEntry.objects.values_list("amount", flat=True), Decimal(0)),
    )


def nothing_written() -> bool:
    return not (
        Project.objects.exists()
        or SpendEntry.objects.exists()
        or AuditEntry.objects.exclude(action__startswith="sign_in.").exists()
    )


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)
    assert nothing_written()
    return failed.value.errors


def csv_spend_total() -> Decimal:
    with (SAMPLE / "spend.csv").open(encoding="utf-8", newline="") as handle:
        return sum((Decimal(row["amount"]) for row in csv.DictReader(handle)), Decimal(0))


@pytest.mark.parametrize("typed", [True, False], ids=["typed cells", "text cells"])
def test_a_workbook_imports_what_its_csv_files_import(tmp_path, typed):
    summary = command_line_import(saved(sample_book(typed=typed), tmp_path))

    assert counts() == (62, 146, 620, 99, csv_spend_total())
    assert str(summary).startswith(
        "Imported 62 projects, 146 gate decisions, 620 spend entries and 99 outcome months"
    )
    first = SpendEntry.objects.order_by("id").first()
    assert (first.project.key, first.spent_on, first.note) == (
        "RP-0001",
        datetime.date(2026, 1, 14),
        "",
    )


def test_problems_name_the_sheet_and_row(tmp_path):
    book = sample_book()
    book["spend"]["C3"] = "12,50"
    book["projects"]["G2"] = "31/12/2023"

    problems = problems_of(saved(book, tmp_path))

    assert any(
        p.startswith("sheet projects, row 2: submitted_on: '31/12/2023' is not a date")
        for p in problems
    )
    assert any(p.startswith("sheet spend, row 3: amount: ") for p in problems)
    assert not any(".csv:" in p for p in problems)


def test_a_message_names_the_sheet_not_the_file(tmp_path):
    book = sample_book()
    book["spend"]["A2"] = "RP-9999"

    problems = problems_of(saved(book, tmp_path))

    assert problems == [
        "sheet spend, row 2: project: unknown project key 'RP-9999' (not in the projects sheet)"
    ]


def test_a_file_that_is_not_a_workbook_is_told_so_without_the_readers_words(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(b"project,spent_on\n")

    problems = problems_of(path)

    assert problems == [
        "workbook.xlsx:1: (file): not an Excel workbook (.xlsx): save it from Excel as an "
        ".xlsx workbook"
    ]


def test_a_formula_is_refused_not_evaluated(tmp_path):
    book = sample_book()
    book["spend"]["C2"] = "=1000+250"

    problems = problems_of(saved(book, tmp_path))

    assert problems == [
        "sheet spend, row 2: amount: a formula (=1000+250): formulas are not evaluated; enter the value itself"
    ]


def test_a_date_with_a_time_of_day_is_refused_with_its_value(tmp_path):
    book = sample_book()
    book["spend"]["B2"] = datetime.datetime(2024, 3, 1, 9, 30)

    problems = problems_of(saved(book, tmp_path))

    assert problems == [
        "sheet spend, row 2: spent_on: '2024-03-01 09:30:00' is not a date: write YYYY-MM-DD (2026-03-31)"
    ]


def test_a_value_right_of_the_header_is_refused(tmp_path):
    book = sample_book()
    book["outcomes"]["E4"] = "stray"

    assert problems_of(saved(book, tmp_path)) == [
        "sheet outcomes, row 4: (row): a value in column E, right of the header's 3 columns"
    ]


def test_blank_rows_and_trailing_blank_header_cells_are_ignored(tmp_path):
    book = sample_book()
    sheet = book["outcomes"]
    sheet.insert_rows(3, amount=2)
    sheet["F1"] = "   "

    command_line_import(saved(book, tmp_path))

    assert Outcome.objects.count() == 99


def test_a_missing_and_an_unknown_sheet_are_named(tmp_path):
    book = sample_book()
    del book["outcomes"]
    book.create_sheet("Sheet1")

    problems = problems_of(saved(book, tmp_path))

    assert problems[0].startswith("sheet Sheet1: unknown sheet (the sheets are: projects, ")
    assert problems[1] == (
        "sheet outcomes: missing sheet: a workbook needs the sheets projects, "
        "gate_decisions, spend, outcomes"
    )


def test_a_bad_header_names_the_sheet(tmp_path):
    book = sample_book()
    book["spend"]["C1"] = "amount_eur"

    problems = problems_of(saved(book, tmp_path))

    assert (
        "sheet spend, row 1: amount_eur: unknown column (the columns are: project, spent_on, amount, category, note)"
        in problems
    )
    assert "sheet spend, row 1: amount: missing column" in problems


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    path.write_bytes(b"project,spent_on\n")

    problems = problems_of(path)

    assert len(problems) == 1
    assert problems[0].startswith("workbook.xlsx:1: (file): not an Excel workbook (.xlsx)")


def test_the_command_imports_a_workbook(tmp_path):
    out = io.StringIO()

    call_command("import_portfolio", str(saved(sample_book(), tmp_path)), stdout=out)

    assert "Imported 62 projects" in out.getvalue()


def test_the_command_lists_a_workbooks_problems(tmp_path):
    book = sample_book()
    book["spend"]["C2"] = "=A1"
    err = io.StringIO()

    with pytest.raises(CommandError, match="fix the 1 problem"):
        call_command("import_portfolio", str(saved(book, tmp_path)), stderr=err)

    assert "sheet spend, row 2: amount: a formula (=A1)" in err.getvalue()
    assert nothing_written()


# --- Workbooks built to hurt -----------------------------------------------------------------


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(tmp_path, settings):
    path = saved(sample_book(), tmp_path)
    settings.IMPORT_WORKBOOK_MAX_UNPACKED_BYTES = 64 * 1024

    problems = problems_of(path)

    assert len(problems) == 1
    assert problems[0].startswith("workbook.xlsx:1: ")
    assert "above the 0 MB limit of a workbook" in problems[0]
    settings.IMPORT_WORKBOOK_MAX_UNPACKED_BYTES = 64 * 1024**2
    command_line_import(path)  # the same workbook, within the limit, imports
    assert Project.objects.exists()


def test_an_entity_expansion_in_a_sheet_is_refused_not_expanded(tmp_path):
    """A "billion laughs" sheet: XML entities that would expand to gigabytes in memory."""
    path = saved(sample_book(), tmp_path)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
            for n in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    bombed = tmp_path / "bombed.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bombed, "w") as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = laughs
            target.writestr(member, data)

    problems = problems_of(bombed)

    assert problems == [
        "workbook.xlsx:1: (file): not an Excel workbook (.xlsx): save it from "
        "Excel as an .xlsx workbook"
    ]
