"""Text kept from before the pages and the API refused control and text-direction characters
in one-line fields (a title with an escape, a DEL) is exported so that it imports again: the
import takes them in a title and a note, so the CSV files write them as they are and give
back the same text; the workbook writes those a workbook cannot hold (U+0001-U+0008, U+000B,
U+000C, U+000E-U+001F) as U+FFFD, as it writes a NUL (tests/gates/test_export_nul.py).

PostgreSQL keeps all of these (only a NUL it refuses), so the tests run on both databases.
"""

from __future__ import annotations

import shutil

from gates.interchange import command_line_import, export_portfolio, export_portfolio_workbook
from portfolio.interchange_format import FILES
from portfolio.models import Project, SpendEntry
from tests.gates.test_export_portfolio import SAMPLE, empty_the_database

KEY = "RP-0001"
TITLE = "Churn \x01model \x1b[31mred\x1b[0m, \x7f, \u202eright-to-left\u202c\tend"
NOTE = "GPUs\x1b[0m\x7f\x01\nsecond line"
IN_A_WORKBOOK = {"\x01": "\ufffd", "\x1b": "\ufffd"}  # what a workbook cannot hold


def _kept_from_before(folder) -> None:
    """The sample with such a note in spend.csv (as the import took it) and such a title
    written straight into the database (as the pages once took it)."""
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


def test_the_csv_export_imports_again_with_the_same_text(db, tmp_path):
    (tmp_path / "source").mkdir()
    _kept_from_before(tmp_path / "source")
    export_portfolio(tmp_path / "export")
    empty_the_database()
    command_line_import(tmp_path / "export")
    assert Project.objects.get(key=KEY).title == TITLE
    assert SpendEntry.objects.filter(project__key=KEY, note=NOTE).exists()


def test_the_workbook_export_imports_again(db, tmp_path):
    _kept_from_before(tmp_path)
    export_portfolio_workbook(tmp_path / "portfolio.xlsx")
    empty_the_database()
    command_line_import(tmp_path / "portfolio.xlsx")
    # DEL, the text-direction marks, a tab and a line break stay.
    assert Project.objects.get(key=KEY).title == _in_a_workbook(TITLE)
    assert SpendEntry.objects.filter(project__key=KEY, note=_in_a_workbook(NOTE)).exists()
