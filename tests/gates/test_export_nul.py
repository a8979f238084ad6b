"""Text kept with a NUL (from before the API refused one) is exported as U+FFFD, as the
workbook writes it, so the export is a file the import takes: spend.csv had the NUL raw,
and the import refused the file ("the file has a NUL byte …")."""

from __future__ import annotations

import pytest
from django.db import connection

from gates.interchange import command_line_import, export_portfolio, export_portfolio_workbook
from portfolio.models import SpendEntry
from portfolio.web.csv import formula_safe
from tests.gates.test_export_portfolio import SAMPLE, empty_the_database


def _with_nuls() -> None:
    if connection.vendor == "postgresql":
        # Its text columns refuse a NUL outright: no database there can hold one to export.
        pytest.skip("PostgreSQL keeps no NUL in text; the case is SQLite's")
    command_line_import(SAMPLE)
    entry = SpendEntry.objects.order_by("pk").first()
    SpendEntry.objects.filter(pk=entry.pk).update(note="\u0000nul")


def test_the_csv_export_replaces_a_nul_and_imports_again(db, tmp_path):
    _with_nuls()
    export_portfolio(tmp_path)
    for path in tmp_path.iterdir():
        assert b"\x00" not in path.read_bytes(), path.name
    empty_the_database()
    command_line_import(tmp_path)
    assert SpendEntry.objects.filter(note="\ufffdnul").exists()


def test_the_workbook_export_imports_again(db, tmp_path):
    _with_nuls()
    export_portfolio_workbook(tmp_path / "portfolio.xlsx")
    empty_the_database()
    command_line_import(tmp_path / "portfolio.xlsx")
    assert SpendEntry.objects.filter(note="\ufffdnul").exists()


def test_every_csv_cell_is_written_without_a_nul():
    assert formula_safe("a\u0000b") == "a\ufffdb"
    assert formula_safe("=\u0000") == "'=\ufffd"
