"""The import page's workbook form: one .xlsx, imported by the worker as the CSV files are."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gates.models import ImportJob
from portfolio.models import Project, ReplacedHistory
from tests.builders import workbook_of
from tests.gates.replacing import edit_every_project

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
URL = reverse("portfolio_import")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_upload(book=None, name: str = "portfolio.xlsx") -> dict:
    data = io.BytesIO()
    (book or workbook_of(SAMPLE)).save(data)
    return {"kind": "workbook", "workbook": SimpleUploadedFile(name, data.getvalue(), XLSX)}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def post(data: dict, follow: bool = True):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response.url) if follow and response.status_code == 302 else response

    return post


def test_the_page_offers_a_workbook_form(client, adam):
    client.force_login(adam)

    html = client.get(URL).content.decode()

    assert 'name="workbook"' in html and 'accept=".xlsx' in html
    assert "<code>gate_decisions</code>" in html
    assert reverse("portfolio_export_workbook") in html


def test_a_workbook_is_imported_by_the_worker(client, adam, post):
    client.force_login(adam)

    response = post(workbook_upload())

    job = ImportJob.objects.get()
    assert job.status == "done"
    assert not job.uploads.exists()
    assert (
        "Imported 62 projects, 146 gate decisions, 620 spend entries" in response.content.decode()
    )
    assert Project.objects.count() == 62


def test_a_workbooks_problems_are_listed_by_sheet_and_row(client, adam, post):
    book = workbook_of(SAMPLE)
    book["spend"]["C2"] = "=SUM(C3:C9)"
    client.force_login(adam)

    response = post(workbook_upload(book))

    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.problems == [
        "sheet spend, row 2: amount: a formula (=SUM(C3:C9)): formulas are not evaluated; enter the value itself"
    ]
    assert "sheet spend, row 2: amount: a formula" in response.content.decode()
    assert not Project.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused_at_once(client, adam, post):
    client.force_login(adam)

    response = post(
        {"kind": "workbook", "workbook": SimpleUploadedFile("spend.csv", b"a,b\n", "text/csv")}
    )

    assert response.status_code == 400
    assert "spend.csv is not an .xlsx workbook" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_no_file_chosen_is_refused(client, adam, post):
    client.force_login(adam)

    response = post({"kind": "workbook"})

    assert response.status_code == 400
    assert "Workbook: choose the .xlsx file to upload." in response.content.decode()


def test_a_workbook_replaces_after_confirmation(client, sam, post):
    client.force_login(sam)
    post(workbook_upload())
    edit_every_project()  # the same files would leave every project as it is

    confirm = post({**workbook_upload(), "replace": "on"})
    assert "Replace 62 projects?" in confirm.content.decode()
    token = re.search(r'name="staged" value="(\w+)"', confirm.content.decode()).group(1)
    post({"staged": token, "confirm": "replace"})

    assert ReplacedHistory.objects.count() == 62
    assert ImportJob.objects.filter(status="done").count() == 2


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_only_admins_upload_a_workbook(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.post(URL, workbook_upload()).status_code == 403
    assert not Project.objects.exists()


def test_a_workbooks_progress_names_its_sheets():
    from gates.import_jobs import _Reporter

    reporter = _Reporter(ImportJob(pk=1), workbook=True)
    reporter.progress("checking", "gate_decisions.csv", 10_000, False)

    assert reporter.phase == "Checking the gate_decisions sheet"
    assert reporter.rows == 10_000
