"""Excel workbooks read as streams of rows: a workbook as Excel saves it (shared strings,
date styles) imports as openpyxl's does; money typed as a number is exact cents; the spend
sheet, handed to the spend pass as CSV, keeps its row numbers in every problem."""

from __future__ import annotations

import csv
import datetime
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from gates.interchange import ImportFailed, command_line_import
from gates.interchange.reading import source_of
from gates.interchange.sheet_xml import money_text
from portfolio.models import AuditEntry, Project, SpendEntry
from tests.builders import excel_workbook_of, workbook_of

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
pytestmark = pytest.mark.django_db


def spend_total() -> Decimal:
    return sum(SpendEntry.objects.values_list("amount", flat=True), Decimal(0))


def csv_spend_total() -> Decimal:
    with (SAMPLE / "spend.csv").open(encoding="utf-8", newline="") as handle:
        return sum((Decimal(row["amount"]) for row in csv.DictReader(handle)), Decimal(0))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)
    assert not (
        Project.objects.exists()
        or AuditEntry.objects.exclude(action__startswith="sign_in.").exists()
    )
    return failed.value.errors


def with_stored(path: Path, sheet: str, replace: dict[str, str]) -> Path:
    """The workbook with texts of one sheet's XML replaced (as another writer stores them)."""
    patched = path.with_name("patched.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        names = {n: f"xl/worksheets/sheet{i}.xml" for i, n in enumerate(sheet_order(), 1)}
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == names[sheet]:
                text = data.decode()
                for old, new in replace.items():
                    assert old in text
                    text = text.replace(old, new)
                data = text.encode()
            target.writestr(member, data)
    return patched


def sheet_order() -> list[str]:
    return [path.stem for path in sorted(SAMPLE.glob("*.csv"))]


def test_a_workbook_as_excel_saves_it_imports_what_the_csv_files_import(tmp_path):
    path = excel_workbook_of(SAMPLE, tmp_path / "excel.xlsx")
    with zipfile.ZipFile(path) as archive:  # the form this test is about
        assert "xl/sharedStrings.xml" in archive.namelist()
        assert 't="s"' in archive.read("xl/worksheets/sheet3.xml").decode()

    command_line_import(path)

    assert (Project.objects.count(), SpendEntry.objects.count()) == (62, 620)
    assert spend_total() == csv_spend_total()
    first = SpendEntry.objects.order_by("id").first()
    assert (first.project.key, first.spent_on) == ("RP-0001", datetime.date(2026, 1, 14))


@pytest.mark.parametrize("writer", ["excel", "openpyxl"])
def test_the_spend_sheet_takes_the_fast_way_as_csv_with_its_rows(tmp_path, writer):
    if writer == "excel":
        path = excel_workbook_of(SAMPLE, tmp_path / "excel.xlsx")
    else:
        path = tmp_path / "ours.xlsx"
        workbook_of(SAMPLE).save(path)
    source = source_of(path)
    try:
        assert source.streams
        with source.open("spend.csv") as stream:
            lines = stream.read().decode().split("\n")
    finally:
        source.close()
    with (SAMPLE / "spend.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    assert len(lines) == len(expected) + 1  # and the last line's end
    assert [line.split(",")[:2] for line in lines[1:3]] == [row[:2] for row in expected[1:3]]


def test_a_formula_in_a_later_row_of_spend_is_refused_with_its_row(tmp_path):
    path = excel_workbook_of(SAMPLE, tmp_path / "excel.xlsx", cells={("spend", "C40"): "=C2*2"})

    assert problems_of(path) == [
        "sheet spend, row 40: amount: a formula (=C2*2): formulas are not evaluated; enter the value itself"
    ]


def test_an_error_value_is_refused_with_its_row(tmp_path):
    path = excel_workbook_of(SAMPLE, tmp_path / "excel.xlsx", cells={("spend", "C7"): 777.0})
    path = with_stored(
        path, "spend", {'<c r="C7"><v>777</v></c>': '<c r="C7" t="e"><v>#N/A</v></c>'}
    )

    assert problems_of(path) == ["sheet spend, row 7: amount: an error value (#N/A)"]


def test_money_typed_as_a_number_is_exact_cents(tmp_path):
    """Excel stores a double: 0.1 + 0.2 pasted as a value is 0.30000000000000004, and
    Excel writes some typed amounts with 17 digits (1234.5599999999999)."""
    path = excel_workbook_of(
        SAMPLE, tmp_path / "excel.xlsx", cells={("spend", "C2"): 111.0, ("spend", "C3"): 222.0}
    )
    path = with_stored(
        path,
        "spend",
        {"<v>111</v>": "<v>0.30000000000000004</v>", "<v>222</v>": "<v>1234.5599999999999</v>"},
    )

    command_line_import(path)

    amounts = list(SpendEntry.objects.order_by("id").values_list("amount", flat=True)[:2])
    assert amounts == [Decimal("0.30"), Decimal("1234.56")]


def test_money_text_rounds_the_stored_text_to_excels_digits_never_through_a_float():
    assert money_text("658.69") == "658.69"
    assert money_text("0.30000000000000004") == "0.3"
    assert money_text("658.69000000000005") == "658.69"
    assert money_text("1E3") == "1000"
    assert money_text("12.345") == "12.345"  # three decimals: the money check refuses it


def test_more_than_two_decimals_typed_as_a_number_is_refused(tmp_path):
    path = excel_workbook_of(SAMPLE, tmp_path / "excel.xlsx", cells={("spend", "C5"): 12.345})

    problems = problems_of(path)

    assert len(problems) == 1
    assert problems[0].startswith("sheet spend, row 5: amount: ")


def test_a_line_break_or_a_comma_in_a_note_keeps_the_rows_of_later_problems(tmp_path):
    """A note on two lines cannot be one CSV line: the sheet is read row by row instead,
    and a later problem still names its own row."""
    path = excel_workbook_of(
        SAMPLE,
        tmp_path / "excel.xlsx",
        cells={
            ("spend", "E4"): 'GPU hours, "burst"\nand storage',
            ("spend", "E6"): "a, b",
            ("spend", "C9"): "12,50",
        },
    )

    problems = problems_of(path)

    assert len(problems) == 1
    assert problems[0].startswith("sheet spend, row 9: amount: ")


def test_a_note_with_a_line_break_is_kept(tmp_path):
    path = excel_workbook_of(
        SAMPLE, tmp_path / "excel.xlsx", cells={("spend", "E4"): 'GPU hours, "burst"\nand more'}
    )

    command_line_import(path)

    assert SpendEntry.objects.order_by("id")[2].note == 'GPU hours, "burst"\nand more'
    assert spend_total() == csv_spend_total()


def test_blank_rows_in_spend_keep_the_rows_of_later_problems(tmp_path):
    path = excel_workbook_of(
        SAMPLE,
        tmp_path / "excel.xlsx",
        blank=[("spend", 10), ("spend", 11)],
        cells={("spend", "B14"): "31/12/2025"},
    )

    problems = problems_of(path)

    assert len(problems) == 1
    assert problems[0].startswith("sheet spend, row 14: spent_on: '31/12/2025' is not a date")


@pytest.mark.parametrize("writer", ["excel", "openpyxl"])
def test_rows_read_in_small_blocks_keep_every_character(tmp_path, writer, monkeypatch):
    """The sheet's XML is read in blocks of bytes: a block may end inside a character."""
    notes = {f"E{row}": f"Zürich café ✓ {row}" for row in range(2, 40, 3)}
    if writer == "excel":
        path = excel_workbook_of(
            SAMPLE, tmp_path / "excel.xlsx", cells={("spend", c): v for c, v in notes.items()}
        )
    else:
        book = workbook_of(SAMPLE)
        for cell, note in notes.items():
            book["spend"][cell] = note
        path = tmp_path / "ours.xlsx"
        book.save(path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read(f"xl/worksheets/sheet{sheet_order().index('spend') + 1}.xml")
    # Inline text: each sheet's first block ends inside the first "ü" (two bytes in
    # UTF-8); then (and in Excel's form, where text is in the shared strings) 37 bytes.
    first = xml.index("ü".encode()) + 1 if "ü".encode() in xml else 37

    def block_size(cells):
        size = getattr(cells, "next_size", first)
        cells.next_size = 37
        return size

    monkeypatch.setattr("gates.interchange.sheet_xml.SheetCells._block_size", block_size)

    command_line_import(path)

    kept = list(SpendEntry.objects.order_by("id").values_list("note", flat=True))
    assert [kept[int(cell[1:]) - 2] for cell in notes] == list(notes.values())
    assert spend_total() == csv_spend_total()


def test_a_sheet_with_prefixed_elements_imports_as_well(tmp_path):
    """Some writers name the spreadsheet elements with a namespace prefix (<x:c>)."""
    path = excel_workbook_of(SAMPLE, tmp_path / "excel.xlsx")
    member = f"xl/worksheets/sheet{sheet_order().index('spend') + 1}.xml"
    prefixed = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(prefixed, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                text = re.sub(r"<(/?)(sheetData|row|c|v|f)\b", r"<\1x:\2", data.decode())
                text = text.replace(
                    "<worksheet ",
                    '<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
                    1,
                )
                assert "<x:row" in text
                data = text.encode()
            target.writestr(info, data)

    command_line_import(prefixed)

    assert SpendEntry.objects.count() == 620
    assert spend_total() == csv_spend_total()
