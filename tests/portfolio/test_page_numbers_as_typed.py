"""A list page's ``?page=`` is a page number only when written in the digits 0-9.

Django's ``Paginator.get_page`` read ``0_3`` (Python's digit separator), ``３`` (full width)
and ``٣`` (Arabic-Indic) as page 3, and ``1_0`` as page 10 (the last page); junk opens the
first page, so these do too, on every list page (portfolio.views.common.page_of).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from gates.models import ImportJob
from portfolio.models import Artifact, Role
from portfolio.views.common import page_number
from tests.builders import make_notification, make_project, make_user

NOT_DIGITS = ["0_3", "３", "٣", "1_0", "3_", "-3", "3.0", "²", "", " "]


def _projects(alice, bob):
    return [make_project(key=f"PG-{n}", researcher=alice, product_manager=bob) for n in range(4)]


def _artifacts(alice, bob):
    return [
        Artifact.objects.create(
            key=f"AR-{n:04d}",
            project=project,
            kind="model",
            name=f"Model {n}",
            created_on=datetime.date(2026, 1, 5),
        )
        for n, project in enumerate(_projects(alice, bob))
    ]


def _people(alice, bob):
    return [make_user(f"person{n}@example.com", Role.EXECUTIVE) for n in range(4)]


def _notifications(alice, bob):
    return [make_notification(alice, f"Notice {n}") for n in range(4)]


def _imports(alice, bob):
    adam = make_user("root@example.com", is_superuser=True, is_staff=True)
    return [ImportJob.objects.create(created_by=adam, status="done") for _ in range(4)]


# (the page, its per-page constant, what makes at least four rows, who reads it)
LISTS = {
    "projects": ("portfolio.reads.project_list.PER_PAGE", _projects, "alice"),
    "artifacts": ("portfolio.reads.assets.LIBRARY_PAGE_SIZE", _artifacts, "alice"),
    "people": ("portfolio.views.people.PER_PAGE", _people, "adam"),
    "notifications": ("portfolio.views.notifications.PER_PAGE", _notifications, "alice"),
    "imports": ("gates.views.import_jobs.JOBS_LISTED", _imports, "adam"),
}
URLS = {
    "projects": "project_list",
    "artifacts": "artifact_library",
    "people": "people_list",
    "notifications": "notification_list",
    "imports": "import_jobs",
}


@pytest.fixture
def listed(request, monkeypatch, client, alice, bob, adam):
    """A list page of one row a page, with at least four pages, opened by its reader."""
    name = request.param
    per_page, make, reader = LISTS[name]
    monkeypatch.setattr(per_page, 1)
    make(alice, bob)
    client.force_login({"alice": alice, "adam": adam}[reader])
    return reverse(URLS[name])


def _page(client, url, value):
    response = client.get(url, {"page": value})
    assert response.status_code == 200
    return response.context["page"]


@pytest.mark.parametrize("listed", list(LISTS), indirect=True)
@pytest.mark.parametrize("value", ["0_3", "３", "٣", "1_0"])
def test_a_page_number_not_in_ascii_digits_opens_the_first_page(client, listed, value):
    page = _page(client, listed, value)

    assert page.number == 1


@pytest.mark.parametrize("listed", list(LISTS), indirect=True)
def test_a_page_number_in_ascii_digits_opens_that_page_and_past_the_end_the_last(client, listed):
    assert _page(client, listed, "3").number == 3
    assert _page(client, listed, " 3 ").number == 3
    last = _page(client, listed, "999")
    assert last.number == last.paginator.num_pages
    assert _page(client, listed, "junk").number == 1


@pytest.mark.parametrize("value", NOT_DIGITS)
def test_the_helper_reads_no_page_number_from_other_writings(value):
    assert page_number(value) is None


@pytest.mark.parametrize("value", ["1", "3", "10", " 7 ", "0"])
def test_the_helper_reads_ascii_digits(value):
    assert page_number(value) == value.strip()


def test_the_helper_reads_no_page_number_from_nothing():
    assert page_number(None) is None
