"""An admin imports a portfolio kept as one Excel workbook, and sees a formula refused first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from portfolio.models import Project
from tests.browser.expect import expect
from tests.builders import PASSWORD, workbook_of

# Its work is the task worker's, and on PostgreSQL the import's own path (COPY):
# the PostgreSQL stage of `make test` runs it as well (tests/browser/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_too]

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"


def test_an_admin_imports_a_workbook_after_fixing_a_formula(
    page, live_server, login, screenshot, adam, database_tasks, tmp_path
):
    book = workbook_of(SAMPLE)
    book["spend"]["C2"] = "=C3*2"
    book.save(tmp_path / "with-formula.xlsx")
    book["spend"]["C2"] = 1993.82
    book.save(tmp_path / "portfolio.xlsx")
    login(page, live_server, adam.email, PASSWORD)

    page.goto(f"{live_server.url}/portfolio/import/")
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(tmp_path / "with-formula.xlsx"))
    page.get_by_role("button", name="Check and import the workbook").click()
    expect(page).to_have_url(re.compile(r"/portfolio/imports/\d+/$"))
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)
    expect(page.get_by_text("sheet spend, row 2: amount: a formula (=C3*2)")).to_be_visible()
    assert not Project.objects.exists()
    screenshot(page, "workbook_import_refused")

    page.goto(f"{live_server.url}/portfolio/import/")
    page.get_by_label("Workbook (.xlsx)").set_input_files(str(tmp_path / "portfolio.xlsx"))
    page.get_by_role("button", name="Check and import the workbook").click()
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Imported 62 projects, 146 gate decisions"))
    ).to_be_visible()
    assert Project.objects.count() == 62
