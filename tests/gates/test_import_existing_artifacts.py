"""Importing (not replacing) a portfolio whose artifacts exist: one line says so, as for the
projects' keys, with advice that fits (a replace of their projects rewrites them), and a
workbook's summary names rows, not lines."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Value
from django.db.models.functions import Concat

from gates.interchange import (
    ImportFailed,
    command_line_import,
    export_portfolio,
    export_portfolio_workbook,
    import_portfolio,
)
from portfolio.models import Artifact, Project
from tests.gates.replacing import edit_every_project
from tests.gates.test_workbook_import_view import XLSX
from tests.gates.uploading import URL

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio-v3"
ADVICE = "(a superuser's, on the import page; --replace on the command line)"
ARTIFACTS_SUMMARY = (
    "artifacts.csv:2: key: 177 keys already exist in the app (AR-0001 on line 2, AR-0002 on "
    "line 3, AR-0003 on line 4 and 174 more), artifacts of projects that exist: only a replace "
    f"of those projects rewrites them {ADVICE}"
)


@pytest.fixture
def folder(tmp_path) -> Path:
    """The version 3 sample: 173 projects, 177 artifacts (AR-0001 on line 2 and on)."""
    target = tmp_path / "portfolio"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("expected"))
    return target


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Upload on the import page and let the import run (the worker's part, here at once);
    the import's page."""

    def post(data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response.url)

    return post


def problems_on(page: str) -> list[str]:
    return [
        problem.replace("&#x27;", "'")
        for problem in re.findall(r"<li><code>(.*?)</code></li>", page, re.DOTALL)
    ]


def test_an_admin_reimporting_the_export_gets_one_line_for_the_artifacts(
    client, adam, post, folder, tmp_path
):
    command_line_import(folder)
    exported = tmp_path / "export"
    export_portfolio(exported)
    uploads = {
        path.stem: SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
        for path in exported.glob("*.csv")
    }
    assert "artifacts" in uploads
    client.force_login(adam)

    page = post(uploads).content.decode()

    problems = problems_on(page)
    assert problems[0].startswith("projects.csv:2: key: 173 keys already exist (")
    assert problems[1:] == [ARTIFACTS_SUMMARY]
    assert "2 problems in the files" in page
    assert "choose another key" not in page
    assert Artifact.objects.count() == 177


def test_the_workbook_names_rows_in_its_summaries(client, adam, post, folder):
    command_line_import(folder)
    book = io.BytesIO()
    export_portfolio_workbook(book)
    client.force_login(adam)

    page = post(
        {"kind": "workbook", "workbook": SimpleUploadedFile("p.xlsx", book.getvalue(), XLSX)}
    ).content.decode()

    projects, artifacts = problems_on(page)
    assert projects.startswith("sheet projects, row 2: key: 173 keys already exist (")
    assert re.search(r"\w+ on row 2, \S+ on row 3, \S+ on row 4 and 170 more\)", projects)
    assert artifacts == (
        "sheet artifacts, row 2: key: 177 keys already exist in the app (AR-0001 on row 2, "
        "AR-0002 on row 3, AR-0003 on row 4 and 174 more), artifacts of projects that exist: "
        f"only a replace of those projects rewrites them {ADVICE}"
    )
    assert not any(" line " in problem for problem in (projects, artifacts))


def test_the_command_line_gets_the_same_line(folder):
    command_line_import(folder)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(folder)

    assert failure.value.errors[1:] == [ARTIFACTS_SUMMARY]


def test_a_few_artifacts_that_exist_are_each_named_with_their_project(folder, tmp_path, adam):
    command_line_import(folder)
    Artifact.objects.exclude(key__in=["AR-0001", "AR-0003"]).delete()

    with pytest.raises(ImportFailed) as failure:
        import_portfolio(folder, actor=adam)

    producers = dict(Artifact.objects.values_list("key", "project__key"))
    assert failure.value.errors[1:] == [
        f"artifacts.csv:{line}: key: {key} already exists in the app, an artifact of "
        f"{producers[key]}: only a replace of {producers[key]} rewrites it {ADVICE}"
        for line, key in ((2, "AR-0001"), (4, "AR-0003"))
    ]


def test_a_replace_still_rewrites_them(folder):
    command_line_import(folder)
    edit_every_project()  # the same files would leave every project as it is

    assert command_line_import(folder, replace=True).artifacts == 177


def test_artifact_keys_taken_by_projects_the_files_leave_alone_are_one_line(folder, tmp_path):
    """Another portfolio's artifacts hold the keys: a replace would not help, other keys do."""
    command_line_import(folder)
    Project.objects.update(key=Concat(Value("OLD-"), "key"))  # the files' projects are new

    with pytest.raises(ImportFailed) as failure:
        command_line_import(folder)

    assert failure.value.errors == [
        "artifacts.csv:2: key: 177 keys already exist in the app (AR-0001 on line 2, AR-0002 on "
        "line 3, AR-0003 on line 4 and 174 more): choose other keys"
    ]
