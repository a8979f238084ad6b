"""A workbook with a sheet the format does not have: named as documented, beside the rows'
problems, whichever way it is imported (docs/interchange.md: ``sheet Sheet1: unknown
sheet …``; every problem is listed at once)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gates.interchange import ImportFailed, command_line_import
from gates.models import ImportJob
from portfolio.models import Project, ReplacedHistory
from tests.builders import workbook_of

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
URL = reverse("portfolio_import")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNKNOWN = (
    "sheet Sheet1: unknown sheet (the sheets are: projects, gate_decisions, spend, outcomes, "
    "estimates, artifacts, artifact_uses, adoption, votes, kill_criteria): rename or delete it"
)
FORMULA = (
    "sheet spend, row 2: amount: a formula (=SUM(C3:C9)): formulas are not evaluated; "
    "enter the value itself"
)


def book_with_an_unknown_sheet():
    book = workbook_of(SAMPLE)
    book.create_sheet("Sheet1")
    book["spend"]["C2"] = "=SUM(C3:C9)"
    return book


def upload(book) -> dict:
    data = io.BytesIO()
    book.save(data)
    return {
        "kind": "workbook",
        "workbook": SimpleUploadedFile("portfolio.xlsx", data.getvalue(), XLSX),
    }


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def post(data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response.url) if response.status_code == 302 else response

    return post


@pytest.mark.parametrize("existing", [True, False], ids=["replacing", "nothing-to-replace"])
def test_the_page_with_replace_names_the_sheet_and_lists_the_rows_problems(
    client, sam, post, existing
):
    client.force_login(sam)
    if existing:
        post(upload(workbook_of(SAMPLE)))
        assert Project.objects.count() == 62

    response = post({**upload(book_with_an_unknown_sheet()), "replace": "on"})

    html = response.content.decode()
    # The worker's check lists them on the import's page, before anything is confirmed.
    assert "Failed: nothing was imported" in html
    assert UNKNOWN in html
    assert FORMULA in html
    assert "Sheet1:1:" not in html
    assert html.index(UNKNOWN) < html.index(FORMULA)
    assert not ImportJob.objects.filter(status="staged").exists()  # nothing to confirm
    assert not ReplacedHistory.objects.exists()


def test_the_page_without_replace_lists_both(client, adam, post):
    client.force_login(adam)

    post(upload(book_with_an_unknown_sheet()))

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.problems == [UNKNOWN, FORMULA]
    assert not Project.objects.exists()


def test_the_command_line_lists_both(tmp_path):
    path = tmp_path / "portfolio.xlsx"
    book_with_an_unknown_sheet().save(path)

    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)

    assert failed.value.errors == [UNKNOWN, FORMULA]
    assert not Project.objects.exists()


def test_an_unknown_sheet_alone_is_still_refused(tmp_path):
    book = workbook_of(SAMPLE)
    book.create_sheet("Notes")
    path = tmp_path / "portfolio.xlsx"
    book.save(path)

    with pytest.raises(ImportFailed) as failed:
        command_line_import(path)

    assert failed.value.errors == [UNKNOWN.replace("Sheet1", "Notes")]
    assert not Project.objects.exists()
