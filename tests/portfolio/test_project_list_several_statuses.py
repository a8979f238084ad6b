"""The project list's status filter takes several statuses: "active and on hold" together.

Ticked statuses are repeated parameters (?status=active&status=on_hold), so the URL keeps
the filter; one status (?status=active), the old URL, is read as before."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Status
from tests.builders import make_project

URL = reverse("project_list")
CSV_URL = reverse("project_list_csv")


@pytest.fixture
def portfolio(db, bob):
    make_project(key="ACT-1", status=Status.ACTIVE, product_manager=bob)
    make_project(key="ACT-2", status=Status.ACTIVE, product_manager=bob)
    make_project(key="HOLD-1", status=Status.ON_HOLD, product_manager=bob)
    make_project(key="KILL-1", status=Status.KILLED, current_gate=None, product_manager=bob)
    make_project(key="GREEN-1", status=Status.GREENLIT, current_gate=None, product_manager=bob)


def _keys(response) -> list[str]:
    return [project.key for project in response.context["page"].object_list]


def _ticked(html: str) -> set[str]:
    start = html.index('<fieldset class="filter filter-status')
    fieldset = html[start : html.index("</fieldset>", start)]
    return {
        value
        for value in Status.values
        if f'value="{value}"' in fieldset
        and "checked" in fieldset.split(f'value="{value}"')[1].split(">")[0]
    }


def test_two_statuses_list_the_projects_in_either(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(f"{URL}?status=active&status=on_hold")
    assert response.status_code == 200
    assert _keys(response) == ["ACT-1", "ACT-2", "HOLD-1"]
    html = response.content.decode()
    assert "3 projects" in html
    assert _ticked(html) == {"active", "on_hold"}


def test_one_status_in_the_old_url_still_works(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(f"{URL}?status=on_hold")
    assert _keys(response) == ["HOLD-1"]
    assert _ticked(response.content.decode()) == {"on_hold"}


def test_no_status_ticked_is_any_status(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(URL)
    assert _keys(response) == ["ACT-1", "ACT-2", "GREEN-1", "HOLD-1", "KILL-1"]
    assert _ticked(response.content.decode()) == set()
    # The group is a fieldset named by its legend, a checkbox labelled by each status.
    html = response.content.decode()
    assert "<legend>Status" in html
    assert '<label for="id_status_2"><input type="checkbox" name="status" value="on_hold"' in html


def test_the_sort_pages_and_csv_links_keep_every_status(client, alice, portfolio):
    client.force_login(alice)
    html = client.get(f"{URL}?status=killed&status=active&sort=key").content.decode()
    # Every link the table offers carries both statuses.
    assert "?status=killed&amp;status=active&amp;sort=-key" in html
    assert f"{CSV_URL}?status=killed&amp;status=active&amp;sort=key" in html


def test_the_htmx_table_answers_for_several_statuses(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(f"{URL}?status=killed&status=greenlit", headers={"HX-Request": "true"})
    assert _keys(response) == ["GREEN-1", "KILL-1"]
    assert "<form" not in response.content.decode()  # the table alone


def test_the_csv_holds_and_names_every_status(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(f"{CSV_URL}?status=on_hold&status=active")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["key"] for row in rows] == ["ACT-1", "ACT-2", "HOLD-1"]
    # In the order the list offers them, whatever the URL's order.
    assert response["Content-Disposition"] == (
        f'attachment; filename="projects-{timezone.localdate():%Y-%m-%d}-active-or-on-hold.csv"'
    )


def test_an_unknown_status_among_good_ones_is_refused_by_name(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(f"{URL}?status=active&status=zombie")
    assert response.status_code == 200
    assert "page" not in response.context  # no list that would look like the answer
    assert response.context["filter_errors"] == ["Status: not one of the listed statuses."]
    html = response.content.decode()
    assert 'aria-describedby="id_status_error"' in html
    assert client.get(f"{CSV_URL}?status=active&status=zombie").status_code == 400


@pytest.mark.parametrize("size", [3, 40])
def test_several_statuses_take_a_constant_number_of_queries(
    client, alice, bob, pete, size, django_assert_max_num_queries
):
    for n in range(size):
        make_project(
            key=f"K-{n:03d}",
            status=[Status.ACTIVE, Status.ON_HOLD, Status.KILLED][n % 3],
            product_manager=bob if n % 2 else pete,
        )
    client.force_login(alice)
    # As the list with one filter (test_project_list): session, user, roles, the filters'
    # people, the count and the page, the unread notifications.
    with django_assert_max_num_queries(10):
        response = client.get(f"{URL}?status=active&status=on_hold&status=greenlit&sort=-pm")
    assert response.context["page"].paginator.count == len([n for n in range(size) if n % 3 != 2])


def test_an_address_made_by_the_old_any_status_choice_still_works(client, alice, portfolio):
    """The single choice's "Any status" sent an empty status (?q=&status=&gate=)."""
    client.force_login(alice)
    response = client.get(f"{URL}?q=&status=&gate=&bucket=")
    assert _keys(response) == ["ACT-1", "ACT-2", "GREEN-1", "HOLD-1", "KILL-1"]
    assert _keys(client.get(f"{URL}?status=&status=killed")) == ["KILL-1"]
