"""An admin imports a portfolio from the page: the page answers at once and follows the worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from gates.models import ImportJob
from portfolio.models import Project
from tests.browser.expect import expect
from tests.builders import PASSWORD

# Its work is the task worker's, and on PostgreSQL the import's own path (COPY):
# the PostgreSQL stage of `make test` runs it as well (tests/browser/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_too]

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"


def test_an_admin_uploads_a_portfolio_and_watches_it_import(
    page, live_server, login, screenshot, adam, database_tasks
):
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/portfolio/import/")
    for label in ("projects.csv", "gate_decisions.csv", "spend.csv", "outcomes.csv"):
        page.get_by_label(label).set_input_files(str(SAMPLE / label))
    page.get_by_role("button", name="Check and import", exact=True).click()

    # The upload is stored and queued: the job's page answers before anything is imported.
    expect(page).to_have_url(re.compile(r"/portfolio/imports/\d+/$"))
    expect(page.get_by_role("heading", name="Waiting to start")).to_be_visible()
    expect(page.get_by_text("No task worker is running")).to_be_visible()
    assert not Project.objects.exists()
    screenshot(page, "import_waiting")

    # The worker runs it; the page, polling, shows the outcome without a reload.
    call_command("run_worker", batch=True, startup_delay=False, verbosity=0)
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Imported 62 projects, 146 gate decisions"))
    ).to_be_visible()
    assert Project.objects.count() == 62
    screenshot(page, "import_done")

    # The import has its place in the list of imports, on a phone too.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="All imports").click()
    job = ImportJob.objects.get()
    expect(page.get_by_role("link", name=f"#{job.pk}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
