"""The import page: admins upload the four files; problems are listed by line and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gates.models import GateDecision, ImportJob
from portfolio.models import AuditEntry, Project, SpendEntry

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
FIELDS = {
    "projects": "projects.csv",
    "gate_decisions": "gate_decisions.csv",
    "spend": "spend.csv",
    "outcomes": "outcomes.csv",
}
URL = reverse("portfolio_import")


def uploads(**replaced: bytes) -> dict:
    """The sample's four files as uploads; ``replaced`` swaps a file's content."""
    return {
        field: SimpleUploadedFile(
            name, replaced.get(field, (SAMPLE / name).read_bytes()), content_type="text/csv"
        )
        for field, name in FIELDS.items()
    }


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the browser would, then let the import run (the worker's part, here at once)."""

    def post(data: dict, follow: bool = True):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response.url) if follow and response.status_code == 302 else response

    return post


def test_it_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "erin"])
def test_it_is_for_admins_only(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, uploads()).status_code == 403
    assert not Project.objects.exists()


def test_it_shows_the_upload_form(client, adam):
    client.force_login(adam)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    for field in FIELDS:
        assert f'name="{field}"' in html
    assert 'name="replace"' in html
    assert reverse("portfolio_export") in html


def test_it_imports_the_four_files(client, adam, post):
    client.force_login(adam)

    answer = post(uploads(), follow=False)
    response = client.get(answer.url)

    job = ImportJob.objects.get()
    assert answer.url == reverse("import_job", args=[job.pk])
    assert job.status == "done"
    assert not job.uploads.exists()  # the uploaded files are not kept
    assert "Imported 62 projects, 146 gate decisions, 620 spend entries and 99 outcome months" in (
        response.content.decode()
    )
    assert Project.objects.count() == 62
    assert SpendEntry.objects.count() == 620
    entry = AuditEntry.objects.get(action="portfolio.imported")
    assert entry.actor == adam
    assert SpendEntry.objects.filter(recorded_by=adam).count() == 620


def test_it_lists_the_problems_by_line_and_writes_nothing(client, adam, post):
    client.force_login(adam)
    spend = (SAMPLE / "spend.csv").read_bytes().replace(b"1993.82", b'"$12,000"', 1)
    outcomes = (SAMPLE / "outcomes.csv").read_bytes() + b"RP-0001,2026-05-01,100\n"

    response = post(uploads(spend=spend, outcomes=outcomes))

    html = response.content.decode()
    assert "Failed: nothing was imported" in html
    assert "2 problems in the files" in html
    assert "spend.csv:2: amount: &#x27;$12,000&#x27; is not money" in html
    assert "outcomes.csv:101: project: RP-0001 is not greenlit" in html
    assert not Project.objects.exists()
    assert not GateDecision.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8(client, adam, post):
    client.force_login(adam)

    projects = (
        (SAMPLE / "projects.csv").read_bytes().replace(b"Vision study", "Café".encode("latin-1"))
    )

    response = post(uploads(projects=projects))

    assert ImportJob.objects.get().status == "failed"
    assert "projects.csv:2: (file): the file is not UTF-8" in response.content.decode()
    assert not Project.objects.exists()


def test_it_asks_for_every_file(client, adam):
    client.force_login(adam)
    files = uploads()
    del files["outcomes"]

    response = client.post(URL, files)

    assert response.status_code == 400
    assert "outcomes.csv: choose the file to upload." in response.content.decode()
    assert not Project.objects.exists()


def test_it_refuses_a_file_over_the_upload_limit(client, adam, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 20_000
    client.force_login(adam)

    response = client.post(URL, uploads())

    assert response.status_code == 400
    html = response.content.decode()
    assert "spend.csv: the file is 27.2 kB, above the 19.5 kB limit of an upload" in html
    assert "manage.py import_portfolio" in html
    assert "projects.csv: the file is" not in html  # 8.9 kB: under the limit
    assert not Project.objects.exists()


def test_it_refuses_existing_keys_unless_asked_to_replace(client, sam, post):
    client.force_login(sam)
    post(uploads())

    refused = post(uploads())
    replaced = post({**uploads(), "replace": "on"})

    assert "projects.csv:2: key: RP-0001 already exists" in refused.content.decode()
    assert "Imported 62 projects (62 replaced)" in replaced.content.decode()
    assert Project.objects.count() == 62
    assert GateDecision.objects.count() == 146


def test_it_keeps_the_replace_choice_when_refused(client, sam):
    client.force_login(sam)

    files = uploads()
    del files["projects"]

    response = client.post(URL, {**files, "replace": "on"})

    assert response.status_code == 400
    assert 'name="replace" checked' in response.content.decode()
