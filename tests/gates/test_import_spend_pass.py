"""The importer's one pass over spend.csv: fast where the rows are plain, exact everywhere.

Big files are read in blocks; these tests shrink the blocks so that a small
portfolio crosses many of them, and check that every way through (runs of one
project, row by row, the slow way, the general CSV reader) writes the same rows
and the same totals, and still refuses a bad row anywhere, writing nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from gates import interchange
from gates.interchange import (
    ImportFailed,
    command_line_import,
    import_portfolio,
    spend_pass,
)
from gates.interchange.postgres_bulk import BulkLoad
from portfolio.demo.generator import generate_portfolio
from portfolio.models import AuditEntry, Project, SpendEntry, SpendMonth
from portfolio.rollups import check_spend_months

FILES = ("projects.csv", "gate_decisions.csv", "spend.csv", "outcomes.csv")
END = datetime.date(2026, 11, 28)


@pytest.fixture
def portfolio(tmp_path) -> Path:
    generate_portfolio(tmp_path, projects=30, spend_rows=1500, seed=11, end=END)
    return tmp_path


@pytest.fixture(params=[1, 300, 1 << 20], ids=["tiny-blocks", "small-blocks", "one-block"])
def block_size(request, monkeypatch) -> int:
    monkeypatch.setattr(spend_pass, "SPEND_BLOCK_BYTES", request.param)
    return request.param


def spend_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "spend.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_spend(folder: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with (folder / "spend.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def written() -> list[tuple]:
    return list(
        SpendEntry.objects.order_by("project__key", "spent_on", "id").values_list(
            "project__key", "spent_on", "amount", "category", "note"
        )
    )


def expected(rows: list[dict[str, str]]) -> list[tuple]:
    return sorted(
        (
            (
                row["project"],
                datetime.date.fromisoformat(row["spent_on"]),
                Decimal(row["amount"]),
                row["category"],
                row.get("note", ""),
            )
            for row in rows
        ),
        key=lambda r: (r[0], r[1]),
    )


def assert_totals_exact(rows: list[dict[str, str]]) -> None:
    assert check_spend_months() == []
    for key, total, last in Project.objects.values_list("key", "spend_total", "last_spend_on"):
        mine = [row for row in rows if row["project"] == key]
        assert total == sum((Decimal(row["amount"]) for row in mine), Decimal(0))
        assert last == max((datetime.date.fromisoformat(r["spent_on"]) for r in mine), default=None)


def test_it_writes_every_row_and_exact_totals_whatever_the_blocks(db, portfolio, block_size):
    rows = spend_rows(portfolio)

    summary = command_line_import(portfolio)

    assert summary.spend_entries == len(rows) == SpendEntry.objects.count()
    assert written() == expected(rows)
    assert_totals_exact(rows)


@pytest.mark.parametrize(
    "header",
    [
        ["project", "spent_on", "amount", "category"],
        ["note", "category", "amount", "spent_on", "project"],
        ["spent_on", "project", "category", "amount"],
    ],
    ids=["no-note", "reversed", "shuffled-no-note"],
)
def test_it_takes_the_columns_in_any_order(db, portfolio, block_size, header):
    rows = spend_rows(portfolio)
    write_spend(portfolio, header, rows)
    if "note" not in header:
        rows = [{**row, "note": ""} for row in rows]

    command_line_import(portfolio)

    assert written() == expected(rows)
    assert_totals_exact(rows)


def test_amounts_of_any_form_add_up_exactly(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    forms = ["12", "12.5", "0012.50", "0.01", "9999999999.99", " 7.25", "3."]
    for index, row in enumerate(rows):
        row["amount"] = forms[index % len(forms)]
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)

    command_line_import(portfolio)

    normal = [{**row, "amount": str(Decimal(row["amount"].strip()))} for row in rows]
    assert written() == expected(normal)
    assert_totals_exact(normal)


def test_rows_out_of_date_order_add_up_exactly(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    rows.sort(key=lambda row: (row["project"], row["amount"]))  # each project's dates shuffled
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)

    command_line_import(portfolio)

    assert_totals_exact(rows)


def test_notes_come_back_exactly_whatever_they_hold(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    notes = ["tab\there", "back\\slash", "\\N", "\\.", "comma, here", 'say "hi"', "two\nlines", ""]
    for index, row in enumerate(rows[:200]):
        row["note"] = notes[index % len(notes)]
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)

    command_line_import(portfolio)

    assert written() == expected(rows)


def test_crlf_and_a_missing_last_newline_are_read_alike(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    data = (portfolio / "spend.csv").read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    (portfolio / "spend.csv").write_bytes(data.rstrip(b"\r\n"))

    command_line_import(portfolio)

    assert written() == expected(rows)


def test_a_bad_row_late_in_the_file_is_refused_and_nothing_is_written(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    late = len(rows) - 3
    rows[late]["spent_on"] = "2025-02-29"
    rows[late + 1]["project"] = "NOPE"
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(portfolio)

    assert failure.value.errors == [
        f"spend.csv:{late + 2}: spent_on: '2025-02-29' is not a date: write YYYY-MM-DD (2026-03-31)",
        f"spend.csv:{late + 3}: project: unknown project key 'NOPE' (not in projects.csv)",
    ]
    assert not SpendEntry.objects.exists()
    assert not SpendMonth.objects.exists()
    assert not Project.objects.exists()
    assert not AuditEntry.objects.exclude(action__startswith="sign_in.").exists()


def test_a_spend_row_before_its_project_was_submitted_is_refused(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    key = rows[40]["project"]
    with (portfolio / "projects.csv").open(encoding="utf-8", newline="") as handle:
        submitted = next(r["submitted_on"] for r in csv.DictReader(handle) if r["key"] == key)
    rows[40]["spent_on"] = "2000-01-03"
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(portfolio)

    assert failure.value.errors == [
        f"spend.csv:42: spent_on: 2000-01-03 is before the project was submitted ({submitted})"
    ]
    assert not SpendEntry.objects.exists()


def test_a_quote_part_way_hands_the_rest_to_the_csv_reader(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    rows[900]["note"] = 'a "quoted", note'
    rows[1200]["amount"] = "-5"
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(portfolio)

    assert failure.value.errors == ["spend.csv:1202: amount: -5 must be greater than 0"]


def write_quoted(folder: Path, rows: list[dict[str, str]]) -> None:
    """spend.csv with every cell quoted, header too, as spreadsheets and some tools write it."""
    header = ["project", "spent_on", "amount", "category", "note"]
    with (folder / "spend.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)


def test_every_cell_quoted_is_read_the_fast_way_and_alike(db, portfolio, block_size, monkeypatch):
    """A quote around a whole cell that needs none is no reason to read the file the
    general way (several times slower at a million rows): the rows are the same."""
    rows = spend_rows(portfolio)
    write_quoted(portfolio, rows)
    assert (portfolio / "spend.csv").read_text(encoding="utf-8").startswith('"project","spent_on"')

    def general(self, lines):
        raise AssertionError("read the general way")

    monkeypatch.setattr(spend_pass.SpendPass, "_general", general)
    command_line_import(portfolio)

    assert written() == expected(rows)
    assert_totals_exact(rows)


def test_a_bad_row_of_a_quoted_file_is_named_by_its_line(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    rows[1200]["amount"] = "-5"
    write_quoted(portfolio, rows)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(portfolio)

    assert failure.value.errors == ["spend.csv:1202: amount: -5 must be greater than 0"]
    assert not SpendEntry.objects.exists()


def test_a_quoted_cell_that_needs_its_quotes_is_read_as_csv_reads_it(db, portfolio, block_size):
    rows = spend_rows(portfolio)
    rows[700]["note"] = 'a "quoted", note'
    rows[701]["note"] = "two\nlines"
    rows[702]["note"] = "with, a comma"
    write_quoted(portfolio, rows)

    command_line_import(portfolio)

    assert written() == expected(rows)
    assert_totals_exact(rows)


def test_more_problems_than_listed_show_the_first_in_file_order(db, portfolio):
    rows = spend_rows(portfolio)
    for row in rows:
        row["category"] = "misc"
    write_spend(portfolio, ["project", "spent_on", "amount", "category", "note"], rows)
    outcomes = (portfolio / "outcomes.csv").read_text(encoding="utf-8").splitlines()
    outcomes[1] = outcomes[1].replace("-01,", "-02,", 1)
    (portfolio / "outcomes.csv").write_text("\n".join(outcomes) + "\n", encoding="utf-8")

    with pytest.raises(ImportFailed) as failure:
        command_line_import(portfolio)

    errors = failure.value.errors
    assert len(errors) == interchange.MAX_LISTED_PROBLEMS + 1
    assert errors[0].startswith("spend.csv:2: category: 'misc' is not one of")
    assert errors[-2].startswith(f"spend.csv:{interchange.MAX_LISTED_PROBLEMS + 1}: category:")
    assert (
        errors[-1]
        == f"… and {len(rows) + 1 - interchange.MAX_LISTED_PROBLEMS} more problems not listed"
    )


def test_uploaded_files_take_the_same_way(db, portfolio, block_size, adam):
    rows = spend_rows(portfolio)
    files = {name: io.BytesIO((portfolio / name).read_bytes()) for name in FILES}

    import_portfolio(files, actor=adam)

    assert written() == expected(rows)


def test_progress_counts_the_spend_rows(db, portfolio):
    seen = []

    command_line_import(portfolio, progress=lambda *event: seen.append(event))

    assert ("checking", "spend.csv", 1500, True) in seen
    assert ("writing", "spend.csv", 1500, True) in seen
    with (portfolio / "outcomes.csv").open(encoding="utf-8", newline="") as handle:
        outcomes = len(list(csv.DictReader(handle)))
    assert ("checking", "outcomes.csv", outcomes, True) in seen


# --- PostgreSQL: the bulk load ------------------------------------------------------------------


def spend_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
            [SpendEntry._meta.db_table],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres
def test_postgresql_rebuilds_the_spend_indexes_after_loading_an_empty_table(db, portfolio):
    before = spend_indexes()

    command_line_import(portfolio)

    assert spend_indexes() == before
    assert len(before) >= 4


@pytest.mark.postgres
def test_postgresql_keeps_the_indexes_when_the_table_has_spend(db, portfolio, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    generate_portfolio(other, projects=10, spend_rows=200, seed=2, end=END)
    for name in ("projects.csv", "gate_decisions.csv", "spend.csv", "outcomes.csv"):
        text = (other / name).read_text(encoding="utf-8").replace("GL-", "OT-")
        (other / name).write_text(text, encoding="utf-8")
    command_line_import(other)
    before = spend_indexes()
    dropped = []
    original = BulkLoad.drop_spend_indexes

    def watching(self):
        result = original(self)
        dropped.append(result)
        return result

    BulkLoad.drop_spend_indexes = watching
    try:
        command_line_import(portfolio)
    finally:
        BulkLoad.drop_spend_indexes = original

    assert dropped == [False]
    assert spend_indexes() == before
    assert SpendEntry.objects.count() == 1700
    assert check_spend_months() == []


@pytest.mark.postgres
def test_postgresql_leaves_the_reference_checks_on_after_the_import(db, portfolio):
    command_line_import(portfolio)

    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"


@pytest.mark.postgres
def test_postgresql_imports_without_leave_to_skip_reference_checks(db, portfolio, monkeypatch):
    monkeypatch.setattr(BulkLoad, "skip_reference_checks", lambda self, *a: False)
    rows = spend_rows(portfolio)

    command_line_import(portfolio)

    assert written() == expected(rows)
    assert_totals_exact(rows)
