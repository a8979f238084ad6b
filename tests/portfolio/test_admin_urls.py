"""The admin's URLs read an object's id as the app reads a number: ``5_0`` and ``５０`` are no id.

Django's admin read the id in ``/admin/<app>/<model>/<id>/change/`` (and the history, delete
and password pages, the "view on site" link) with int(), and a change list's filter in the
query string (``?project__id__exact=5_0``) too: both opened or filtered by record 50.
``portfolio.admin_fields`` answers them as for an id that does not exist and as for a lookup
that is not valid (``portfolio.money.digits_as_typed``).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse

from gates.models import Criterion, Gate
from portfolio.models import Project, SpendEntry
from tests.builders import make_project
from tests.portfolio.test_admin_ids import ARABIC_INDIC, FULL_WIDTH, slips


@pytest.fixture
def root(client, db, django_user_model):
    user = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(user)
    return user


@pytest.fixture
def project(alice, bob):
    return make_project(
        key="GL-0050",
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2026, 1, 5),
    )


@pytest.fixture
def spend(project):
    return SpendEntry.objects.create(
        project=project, spent_on=datetime.date(2026, 11, 3), amount="12.34", category="compute"
    )


def _url(view: str, typed: str) -> str:
    # quote: as the admin writes an id into its links ("_" is "_5F" there)
    return reverse(view, args=[quote(typed)])


def _answer(client, url: str, typed: str) -> tuple:
    """What the admin answers ``url``: status, redirects, messages (``typed`` as "ID")."""
    response = client.get(url, follow=True)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return response.status_code, response.redirect_chain, [m.replace(typed, "…") for m in messages]


def _refused_as_unknown(client, view: str, typed: str, name: str) -> None:
    answer = _answer(client, _url(view, typed), typed)
    assert answer == _answer(client, _url(view, "999999"), "999999")
    assert answer == (
        200,
        [(reverse("admin:index"), 302)],  # to the index, with Django's message
        [f"{name} with ID “…” doesn’t exist. Perhaps it was deleted?"],
    )


@pytest.mark.parametrize("page", ["change", "history"])
@pytest.mark.parametrize("slip", range(4))
def test_a_project_s_pages_do_not_open_for_its_id_written_otherwise(
    client, root, project, page, slip
):
    typed = slips(project.pk)[slip]
    view = f"admin:portfolio_project_{page}"
    _refused_as_unknown(client, view, typed, "project")
    assert client.get(_url(view, str(project.pk))).status_code == 200  # in digits, it opens


@pytest.mark.parametrize("slip", range(4))
def test_a_criterion_s_delete_page_does_not_open_for_its_id_written_otherwise(client, root, slip):
    # (a project is never deleted in the admin: its delete page is a 403 for any id)
    criterion = Criterion.objects.first()
    typed = slips(criterion.pk)[slip]
    _refused_as_unknown(client, "admin:gates_criterion_delete", typed, "criterion")
    assert client.get(_url("admin:gates_criterion_delete", str(criterion.pk))).status_code == 200


def test_a_change_is_not_saved_through_such_an_id(client, root, project):
    typed = str(project.pk).translate(FULL_WIDTH)
    response = client.post(_url("admin:portfolio_project_change", typed), {"title": "Renamed"})
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    project.refresh_from_db()
    assert project.title != "Renamed"


@pytest.mark.parametrize("slip", range(4))
def test_other_apps_and_django_s_own_admins_refuse_them_too(client, root, erin, slip):
    gate = Gate.objects.get(number=4)
    typed = slips(gate.pk)[slip]
    _refused_as_unknown(client, "admin:gates_gate_change", typed, "gate")
    typed = slips(erin.pk)[slip]
    _refused_as_unknown(client, "admin:portfolio_user_change", typed, "user")
    # The user's password page answers an unknown id with a 404.
    assert client.get(_url("admin:auth_user_password_change", "999999")).status_code == 404
    assert client.get(_url("admin:auth_user_password_change", typed)).status_code == 404
    assert client.get(_url("admin:auth_user_password_change", str(erin.pk))).status_code == 200


@pytest.mark.parametrize("slip", range(4))
def test_view_on_site_does_not_follow_such_an_id(client, root, project, slip):
    content_type = ContentType.objects.get_for_model(Project)

    def view_on_site(content_type_id: str, object_id: str):
        return client.get(reverse("admin:view_on_site", args=[content_type_id, object_id]))

    assert view_on_site(str(content_type.pk), str(project.pk)).url.endswith(
        project.get_absolute_url()
    )
    assert view_on_site(str(content_type.pk), "999999").status_code == 404
    assert view_on_site(str(content_type.pk), slips(project.pk)[slip]).status_code == 404
    assert view_on_site(slips(content_type.pk)[slip], str(project.pk)).status_code == 404


def _filtered(client, view: str, query: dict):
    return client.get(reverse(view), query)


def _refused_as_invalid_lookup(client, view: str, query: dict) -> None:
    response = _filtered(client, view, query)
    assert response.status_code == 302, "filtered"
    assert response.url == reverse(view) + "?e=1"


@pytest.mark.parametrize("slip", range(4))
def test_a_change_list_does_not_filter_by_such_an_id(client, root, spend, slip):
    project = spend.project
    typed = slips(project.pk)[slip]
    view = "admin:portfolio_spendentry_changelist"
    # What a value that is no id at all gets.
    _refused_as_invalid_lookup(client, view, {"project__id__exact": "fifty"})
    _refused_as_invalid_lookup(client, view, {"project__id__exact": typed})
    _refused_as_invalid_lookup(client, view, {"project__exact": typed})
    _refused_as_invalid_lookup(client, view, {"project__id__in": f"{project.pk},{typed}"})
    # In digits, the list is filtered.
    response = _filtered(client, view, {"project__id__exact": str(project.pk)})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [spend]


@pytest.mark.parametrize("slip", range(4))
def test_a_list_filter_s_id_written_otherwise_is_refused(client, root, slip):
    gate = Gate.objects.get(number=3)
    typed = slips(gate.pk)[slip]
    view = "admin:gates_criterion_changelist"
    _refused_as_invalid_lookup(client, view, {"gate__id__exact": typed})
    response = _filtered(client, view, {"gate__id__exact": str(gate.pk)})
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == set(Criterion.objects.filter(gate=gate))
    # A filter on a text field keeps its "_" (no number is read there).
    response = _filtered(client, view, {"kind__exact": "must_not"})
    assert response.status_code == 200


def test_a_date_hierarchy_s_year_written_otherwise_is_refused(client, root, spend):
    view = "admin:portfolio_spendentry_changelist"
    for typed in ["2_026", "2026".translate(FULL_WIDTH), "2026".translate(ARABIC_INDIC)]:
        _refused_as_invalid_lookup(client, view, {"spent_on__year": typed})
    response = _filtered(client, view, {"spent_on__year": "2026"})
    assert list(response.context["cl"].result_list) == [spend]
