"""A superuser replaces projects from the import page, confirms what goes, and finds it archived;
the projects the files hold as the app has them are left as they are."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from gates.interchange import command_line_import
from portfolio.models import ReplacedHistory, Role
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_user
from tests.gates.replacing import edit_every_project
from tests.gates.uploading import FIELDS, SAMPLE

# Its work is the task worker's, and on PostgreSQL the import's own path (COPY):
# the PostgreSQL stage of `make test` runs it as well (tests/browser/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_too]


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_a_superuser_replaces_after_seeing_what_goes_and_finds_the_archive(
    page, live_server, login, screenshot
):
    command_line_import(SAMPLE)
    # Edited in the app since the files were written: the files replace these three only.
    edit_every_project(key__in=["RP-0001", "RP-0002", "RP-0003"])
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

    expect(page.get_by_role("heading", name="Replace 3 projects?")).to_be_visible()
    expect(page.get_by_role("link", name="RP-0001")).to_be_visible()
    expect(page.get_by_role("link", name="RP-0004")).to_have_count(0)
    expect(page.get_by_text("59 more projects of the files are exactly as the app")).to_be_visible()
    assert not ReplacedHistory.objects.exists()  # nothing yet: only the list
    screenshot(page, "import_replace_confirm")

    page.get_by_role("button", name="Replace 3 projects and import").click()

    expect(page.get_by_text("Imported 3 projects (3 replaced)")).to_be_visible()
    expect(page.get_by_text("59 projects unchanged")).to_be_visible()
    assert ReplacedHistory.objects.count() == 3
    page.goto(f"{live_server.url}/projects/RP-0001/")
    page.get_by_role("link", name="History replaced on").click()
    expect(page.get_by_role("heading", name="RP-0001: the history replaced on")).to_be_visible()
    expect(page.get_by_text("by Sam Superuser")).to_be_visible()
    screenshot(page, "replaced_history")
