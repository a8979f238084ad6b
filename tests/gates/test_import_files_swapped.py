"""A file chosen for another file's input (spend.csv as projects.csv and the other way round)
is told so in one line per file, not a line per column; nothing is imported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gates.interchange import ImportFailed, command_line_import
from gates.models import ImportJob
from portfolio.models import Project
from tests.builders import workbook_of
from tests.gates.test_import_portfolio import FILES, SAMPLE, refused

pytestmark = pytest.mark.django_db

PROJECTS_HOLDS_SPEND = (
    "projects.csv: this file's columns are spend.csv's (project, spent_on, amount, category, "
    "note): was it chosen for the wrong input?"
)
SPEND_HOLDS_PROJECTS = (
    "spend.csv: this file's columns are projects.csv's (key, title, research_type, bucket, "
    "researcher, product_manager, submitted_on, value_kind, projected_low, projected_expected, "
    "projected_high, probability_of_success, next_stage_ask): was it chosen for the wrong input?"
)


@pytest.fixture
def folder(tmp_path) -> Path:
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


def test_the_import_page_says_which_files_were_swapped(
    client, adam, django_capture_on_commit_callbacks
):
    client.force_login(adam)
    chosen = {
        "projects": "spend.csv",  # each chosen for the other's input
        "gate_decisions": "gate_decisions.csv",
        "spend": "projects.csv",
        "outcomes": "outcomes.csv",
    }
    posted = {
        field: SimpleUploadedFile(name, (SAMPLE / name).read_bytes(), content_type="text/csv")
        for field, name in chosen.items()
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio_import"), posted)
    page = client.get(response.url).content.decode()

    assert ImportJob.objects.get().status == "failed"
    assert "Failed: nothing was imported" in page
    assert "2 problems in the files" in page
    assert PROJECTS_HOLDS_SPEND.replace("'", "&#x27;") in page
    assert SPEND_HOLDS_PROJECTS.replace("'", "&#x27;") in page
    assert "missing column" not in page
    assert "unknown column" not in page
    assert not Project.objects.exists()


def test_the_command_line_says_so_for_a_folder_whose_files_are_swapped(folder):
    projects = (folder / "projects.csv").read_bytes()
    shutil.copy(folder / "spend.csv", folder / "projects.csv")
    (folder / "spend.csv").write_bytes(projects)

    assert refused(folder) == [PROJECTS_HOLDS_SPEND, SPEND_HOLDS_PROJECTS]


def test_a_file_named_projects_csv_holding_spend_says_so(folder):
    shutil.copy(folder / "spend.csv", folder / "projects.csv")

    assert refused(folder) == [PROJECTS_HOLDS_SPEND]


def test_another_file_s_required_columns_are_enough_to_say_so(folder):
    # spend.csv's columns without its optional note, in another order.
    (folder / "projects.csv").write_text(
        "amount,project,category,spent_on\n10,RP-0001,data,2025-01-02\n"
    )

    assert refused(folder) == [PROJECTS_HOLDS_SPEND]


def test_a_file_s_own_header_with_a_column_missing_is_still_told_by_column(folder):
    (folder / "spend.csv").write_text("project,spent_on,amount,note\nRP-0001,2025-01-02,10,\n")

    assert refused(folder) == ["spend.csv:1: category: missing column"]


def test_a_workbook_s_swapped_sheets_say_so(tmp_path):
    book = workbook_of(SAMPLE)
    book["projects"].title = "swapping"
    book["spend"].title = "projects"
    book["swapping"].title = "spend"
    path = tmp_path / "portfolio.xlsx"
    book.save(path)

    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)

    assert failed.value.errors == [
        "sheet projects: this sheet's columns are the spend sheet's (project, spent_on, amount, "
        "category, note): was it given the wrong sheet's name?",
        "sheet spend: this sheet's columns are the projects sheet's (key, title, research_type, "
        "bucket, researcher, product_manager, submitted_on, value_kind, projected_low, "
        "projected_expected, projected_high, probability_of_success, next_stage_ask): was it "
        "given the wrong sheet's name?",
    ]
    assert not Project.objects.exists()
