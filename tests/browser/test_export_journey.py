"""An executive exports the portfolio: the navigation's Export opens a page that says what the
export holds, and its button downloads the zip that imports again."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from gates.interchange import command_line_import
from tests.browser.expect import expect
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"


def test_an_executive_reads_what_the_export_holds_and_downloads_it(
    page, live_server, login, screenshot, erin, tmp_path
):
    command_line_import(SAMPLE)
    login(page, live_server, erin.email, PASSWORD)
    page.goto(f"{live_server.url}/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Export").click()

    expect(page).to_have_url(re.compile(r"/portfolio/export/$"))
    expect(page.get_by_role("heading", name="Export the portfolio", level=1)).to_be_visible()
    spend = page.get_by_role("row", name=re.compile(r"^spend\.csv"))
    expect(spend.get_by_role("cell").last).to_have_text("620")
    screenshot(page, "export_page")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the CSV files (.zip)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert re.fullmatch(r"greenlight-portfolio-\d{4}-\d{2}-\d{2}\.zip", saved.name)
    with zipfile.ZipFile(saved) as archive:
        assert {"projects.csv", "gate_decisions.csv", "spend.csv"} <= set(archive.namelist())

    # On a phone the table stacks, and nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("link", name="Download as a workbook (.xlsx)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
