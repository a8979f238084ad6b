"""The portfolio as an Excel workbook: typed cells, a frozen header, widths that fit, and
a round trip through the importer that gives back the same portfolio."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from gates.interchange import command_line_import, export_portfolio_workbook
from portfolio import metrics
from tests.gates.test_export_portfolio import (
    AS_OF,
    HYPERLINK,
    SAMPLE,
    empty_the_database,
    make_version_2_portfolio,
    snapshot,
)

URL = reverse("portfolio_export_workbook")


def test_a_round_trip_through_a_workbook_gives_back_the_same_portfolio(db, tmp_path, carol):
    make_version_2_portfolio(carol, tmp_path)
    carol.set_unusable_password()
    carol.save()
    before = snapshot()
    metrics_before = [metrics.compute(as_of=day) for day in AS_OF]
    export_portfolio_workbook(tmp_path / "portfolio.xlsx")

    empty_the_database()
    command_line_import(tmp_path / "portfolio.xlsx")

    assert snapshot() == before
    assert [metrics.compute(as_of=day) for day in AS_OF] == metrics_before


def test_dates_and_money_are_typed_cells_under_a_frozen_header(db, tmp_path):
    command_line_import(SAMPLE)
    export_portfolio_workbook(tmp_path / "portfolio.xlsx")

    book = openpyxl.load_workbook(tmp_path / "portfolio.xlsx")

    assert book.sheetnames == ["projects", "gate_decisions", "spend", "outcomes", "estimates"]
    spend = book["spend"]
    assert [cell.value for cell in spend[1]] == [
        "project",
        "spent_on",
        "amount",
        "category",
        "note",
    ]
    assert spend.freeze_panes == "A2"
    assert spend["A1"].font.b
    assert spend["B2"].value == datetime.datetime(2026, 1, 14)  # a date cell, as Excel has them
    assert spend["B2"].number_format == "yyyy-mm-dd"
    assert spend["C2"].value == pytest.approx(1993.82)
    assert spend["C2"].number_format == "#,##0.00"
    assert spend.max_row == 621
    projects = book["projects"]
    assert projects["L2"].value == pytest.approx(float(projects["L2"].value))  # a number
    widths = {letter: projects.column_dimensions[letter].width for letter in "ABG"}
    longest_title = max(
        len(str(cell.value)) for (cell,) in projects.iter_rows(min_col=2, max_col=2)
    )
    assert widths["B"] >= min(longest_title, 60)
    assert widths["G"] == len("submitted_on") + 2


def test_text_that_looks_like_a_formula_stays_text(db, tmp_path, carol):
    make_version_2_portfolio(carol, tmp_path)
    export_portfolio_workbook(tmp_path / "portfolio.xlsx")

    projects = openpyxl.load_workbook(tmp_path / "portfolio.xlsx")["projects"]

    titles = {row[0].value: row[1] for row in projects.iter_rows(min_row=2)}
    assert titles["RP-0003"].value == "'" + HYPERLINK
    assert titles["RP-0003"].data_type == "s"


def test_the_command_writes_a_workbook(db, tmp_path):
    command_line_import(SAMPLE)
    out = io.StringIO()

    call_command("export_portfolio", str(tmp_path / "out.xlsx"), stdout=out)

    assert "Sheets in" in out.getvalue()
    assert openpyxl.load_workbook(tmp_path / "out.xlsx")["outcomes"].max_row == 100


@pytest.mark.parametrize("persona", ["bob", "erin"])
def test_the_page_downloads_a_workbook(db, client, persona, request):
    command_line_import(SAMPLE)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["spend"]["C2"].value == pytest.approx(float(Decimal("1993.82")))


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_the_page_refuses_researchers_and_architects(db, client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403


def test_the_page_requires_login(db, client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
