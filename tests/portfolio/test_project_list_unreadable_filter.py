"""A filter of the project list that cannot be read (a search over 200 characters, an e-mail
that is no researcher's, a status that does not exist) is refused by name, as the dashboard
refuses an unknown product manager: the page lists no project and says which filter, and the
CSV answers 400 with the same words. It never shows, nor exports, every project instead.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders import make_project

URL = reverse("project_list")
CSV_URL = reverse("project_list_csv")


@pytest.fixture
def projects(alice, bob):
    return [make_project(key=f"GL-{n:04d}", researcher=alice, product_manager=bob) for n in (1, 2)]


def _problems(response) -> list[str]:
    return response.context["filter_errors"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, "Search: at most 200 characters (you typed 201)."),
        ({"researcher": "nobody@x"}, "Researcher: no researcher with that e-mail address."),
        ({"pm": "nobody@x"}, "Product manager: no product manager with that e-mail address."),
        ({"status": "bogus"}, "Status: not one of the listed statuses."),
        ({"gate": "9"}, "Gate: not one of the listed gates."),
        ({"bucket": "bogus"}, "Bucket: not one of the listed buckets."),
        ({"research_type": "bogus"}, "Type: not one of the listed types."),
    ],
)
def test_an_unreadable_filter_is_named_and_nothing_is_listed(
    client, erin, projects, params, message
):
    client.force_login(erin)

    response = client.get(URL, params)

    assert response.status_code == 200
    assert _problems(response) == [message]
    body = response.content.decode()
    assert message in body
    assert "These filters cannot be applied" in body
    # Not every project as if there were no filter: no rows, no count, no download.
    assert "GL-0001" not in body
    assert "2 projects" not in body
    assert "Download CSV" not in body


def test_a_search_of_200_characters_is_read(client, erin, projects):
    client.force_login(erin)

    response = client.get(URL, {"q": "x" * 200})

    assert "filter_errors" not in response.context
    assert "No projects match" in response.content.decode()


def test_every_unreadable_filter_is_named_at_once(client, erin, projects):
    client.force_login(erin)

    response = client.get(URL, {"researcher": "nobody@x", "q": "y" * 250, "status": "active"})

    assert _problems(response) == [
        "Search: at most 200 characters (you typed 250).",
        "Researcher: no researcher with that e-mail address.",
    ]


def test_the_table_alone_says_so_too_for_htmx(client, erin, projects):
    client.force_login(erin)

    response = client.get(URL, {"researcher": "nobody@x"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="project-table"')
    assert "Researcher: no researcher with that e-mail address." in body
    assert "GL-0001" not in body


def test_the_search_box_says_how_long_a_search_may_be(client, erin):
    client.force_login(erin)

    body = client.get(URL).content.decode()

    assert 'maxlength="200"' in body


def test_the_search_box_is_marked_with_its_problem(client, erin):
    client.force_login(erin)

    body = client.get(URL, {"q": "x" * 201}).content.decode()

    search = body[body.index('id="id_q"') - 200 : body.index('id="id_q"') + 600]
    assert 'aria-invalid="true"' in search


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, "Search: at most 200 characters (you typed 201)."),
        ({"researcher": "nobody@x"}, "Researcher: no researcher with that e-mail address."),
        ({"gate": "9", "bucket": "revenue"}, "Gate: not one of the listed gates."),
    ],
)
def test_the_csv_refuses_an_unreadable_filter_rather_than_export_every_row(
    client, erin, projects, params, message
):
    client.force_login(erin)

    response = client.get(CSV_URL, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Content-Disposition" not in response
    body = response.content.decode()
    assert message in body
    assert "GL-0001" not in body


def test_the_csv_still_exports_with_readable_filters(client, erin, projects):
    client.force_login(erin)

    response = client.get(CSV_URL, {"researcher": "alice@example.com", "q": "x" * 200})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
