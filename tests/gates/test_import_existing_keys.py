"""Importing (not replacing) a portfolio whose keys exist: one line says so, not one a row.

It says how many keys exist, names the first ones with their lines, and what to do."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gates.interchange import ImportFailed, command_line_import, import_portfolio
from portfolio.models import Project, Status
from tests.builders import make_project
from tests.gates.test_import_portfolio import FILES, SAMPLE, set_line
from tests.gates.uploading import URL, uploads

pytestmark = pytest.mark.django_db

SUMMARY = (
    "projects.csv:2: key: 62 keys already exist (RP-0001 on line 2, RP-0002 on line 3, "
    "RP-0003 on line 4 and 59 more): only a replace overwrites them (a superuser's, on the "
    "import page; --replace on the command line)"
)


@pytest.fixture
def folder(tmp_path) -> Path:
    """The sample portfolio's four files (62 projects, RP-0001 on line 2 and on)."""
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Upload on the import page and let the import run (the worker's part, here at once);
    the import's page."""

    def post(data: dict):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response.url)

    return post


def problems_of(folder: Path, **kw) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        import_portfolio(folder, **kw)
    return failure.value.errors


def test_an_admin_gets_one_line_for_the_keys_that_exist(client, adam, post):
    client.force_login(adam)
    post(uploads())
    projects = Project.objects.count()

    page = post(uploads()).content.decode()

    problems = re.findall(r"<li><code>(.*?)</code></li>", page)
    assert problems == [SUMMARY.replace("'", "&#x27;")]
    assert "1 problem in the files" in page
    assert Project.objects.count() == projects


def test_the_command_line_gets_the_same_line(folder):
    command_line_import(folder)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(folder)

    assert failure.value.errors == [SUMMARY]


def test_the_other_problems_are_still_listed_with_it(folder, adam):
    command_line_import(folder)
    set_line(folder, "projects.csv", 5, "RP-0004,,applied,efficiency")  # a broken row

    problems = problems_of(folder, actor=adam)

    assert problems[0].startswith("projects.csv:2: key: 61 keys already exist (RP-0001 on line 2")
    assert any(p.startswith("projects.csv:5: ") for p in problems[1:])


def test_a_few_keys_that_exist_are_each_named_on_their_line(folder, adam, alice, bob):
    for key in ("RP-0002", "RP-0005"):
        make_project(key=key, researcher=alice, product_manager=bob, status=Status.ACTIVE)

    problems = problems_of(folder, actor=adam)

    assert problems == [
        f"projects.csv:{line}: key: {key} already exists: only a replace overwrites it "
        "(a superuser's, on the import page; --replace on the command line)"
        for line, key in ((3, "RP-0002"), (6, "RP-0005"))
    ]


def test_a_draft_is_still_named_on_its_own_line(folder, adam, alice, bob):
    command_line_import(folder)
    Project.objects.filter(key="RP-0010").update(status=Status.DRAFT)

    problems = problems_of(folder, actor=adam)

    assert problems[0].startswith("projects.csv:2: key: 61 keys already exist (RP-0001 on line 2")
    assert any("RP-0010 is a draft proposal in the app" in p for p in problems)
    assert len(problems) == 2
