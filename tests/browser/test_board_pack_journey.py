"""An executive takes the dashboard to the board as a PDF: at once for a small portfolio,
through the worker (a page that waits for it) for a large one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from boardpack import render
from tests.browser.expect import expect
from tests.builders import PASSWORD
from tests.portfolio.dashboard_sample import import_sample

# Its work is the task worker's, and on PostgreSQL the import's own path (COPY):
# the PostgreSQL stage of `make test` runs it as well (tests/browser/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_too]


def text_of(path: Path) -> str:
    return subprocess.run(  # noqa: S603 - a fixed tool on the test's own file
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def needs_pdf_tools() -> None:
    import os

    if render.available() and shutil.which("pdftotext"):
        return
    message = "board pack journeys need WeasyPrint's system libraries and poppler-utils"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.timeout(300)
def test_an_executive_downloads_the_board_pack_of_the_filtered_dashboard(
    page, live_server, login, screenshot, erin, tmp_path
):
    needs_pdf_tools()
    import_sample()
    login(page, live_server, erin.email, PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of=2026-06-30&bucket=revenue")

    link = page.get_by_role("link", name="Board pack (PDF)")
    expect(link).to_have_attribute("href", re.compile(r"as_of=2026-06-30.*bucket=revenue"))
    with page.expect_download() as download:
        link.click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert path.name == "greenlight-board-pack-2026-06-30-revenue.pdf"  # named for its filter
    assert path.read_bytes().startswith(b"%PDF")
    text = text_of(path)
    assert "Bucket: Revenue" in text and "7. The adopted plan's waterline" in text
    screenshot(page, "board_pack_link")


@pytest.mark.timeout(300)
def test_a_large_portfolios_pack_waits_for_the_worker(
    page, live_server, login, screenshot, erin, tmp_path, settings, database_tasks
):
    needs_pdf_tools()
    import_sample()
    settings.BOARD_PACK_DIRECT_MAX_PROJECTS = 10
    login(page, live_server, erin.email, PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of=2026-11-20")

    page.get_by_role("link", name="Board pack (PDF)").click()

    expect(page).to_have_url(re.compile(r"/dashboard/board-packs/\d+/$"))
    expect(page.get_by_role("heading", name="Waiting for the task worker")).to_be_visible()
    screenshot(page, "board_pack_waiting")
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)
    expect(page.get_by_role("heading", name="Ready")).to_be_visible()  # the page polled
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download the board pack")).click()
    path = tmp_path / "pack.pdf"
    download.value.save_as(path)
    assert "Page 8 of 8" in text_of(path)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
