"""A superuser replaces projects from the import page, confirms what goes, and finds it archived."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps

from gates.interchange import command_line_import
from portfolio.models import ReplacedHistory, Role
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_user

# Its work is the task worker's, and on PostgreSQL the import's own path (COPY):
# the PostgreSQL stage of `make test` runs it as well (tests/browser/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_too]

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
FIELDS = {
    "projects": "projects.csv",
    "gate_decisions": "gate_decisions.csv",
    "spend": "spend.csv",
    "outcomes": "outcomes.csv",
}


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_a_superuser_replaces_after_seeing_what_goes_and_finds_the_archive(
    page, live_server, login, screenshot
):
    command_line_import(SAMPLE)
    sam = make_user(
        "sam@example.com", Role.ADMIN, full_name="Sam Superuser", is_staff=True, is_superuser=True
    )
    login(page, live_server, sam.email, PASSWORD)
    page.goto(f"{live_server.url}/portfolio/import/")
    for field, name in FIELDS.items():
        page.locator(f"input[name={field}]").set_input_files(str(SAMPLE / name))
    csv_form = page.get_by_role("form", name="The CSV files")
    csv_form.get_by_label("Replace projects whose keys already exist").check()

    csv_form.get_by_role("button", name="Check and import", exact=True).click()

    expect(page.get_by_role("heading", name="Replace 62 projects?")).to_be_visible()
    expect(page.get_by_role("link", name="RP-0001")).to_be_visible()
    assert not ReplacedHistory.objects.exists()  # nothing yet: only the list
    screenshot(page, "import_replace_confirm")

    page.get_by_role("button", name="Replace 62 projects and import").click()

    expect(page.get_by_text("Imported 62 projects (62 replaced)")).to_be_visible()
    assert ReplacedHistory.objects.count() == 62
    page.goto(f"{live_server.url}/projects/RP-0001/")
    page.get_by_role("link", name="History replaced on").click()
    expect(page.get_by_role("heading", name="RP-0001: the history replaced on")).to_be_visible()
    expect(page.get_by_text("by Sam Superuser")).to_be_visible()
    screenshot(page, "replaced_history")
