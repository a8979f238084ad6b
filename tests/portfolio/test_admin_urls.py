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
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
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


# --- A change list's actions: the ids they are sent ---------------------------------------


def _act(client, selected: list[str], **step) -> tuple:
    """Criteria's "Delete selected" sent ``selected``: the first step (the button, ``index``)
    or the confirmation's (``post=yes``). What the admin answers, and its messages."""
    view = reverse("admin:gates_criterion_changelist")
    data = {"action": "delete_selected", "_selected_action": selected, **step}
    response = client.post(view, data, follow=True)  # the messages shown, and taken
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return response, messages


def _not_ids(*typed: str) -> str:
    quoted = ", ".join(f"“{value}”" for value in typed)
    said = "is not an id, which is" if len(typed) == 1 else "are not ids, which are"
    return f"{quoted} {said} written in the digits 0-9. No items have been changed."


@pytest.mark.parametrize("slip", range(4))
@pytest.mark.parametrize("step", [{"index": "0"}, {"post": "yes"}])
def test_an_action_does_nothing_for_an_id_written_otherwise(client, root, slip, step):
    criterion, other = Criterion.objects.order_by("pk")[:2]
    typed = slips(criterion.pk)[slip]
    before = set(Criterion.objects.values_list("pk", flat=True))
    for selected in ([typed], [str(other.pk), typed]):  # with an id in digits: none of them
        response, messages = _act(client, selected, **step)
        assert response.redirect_chain == [(reverse("admin:gates_criterion_changelist"), 302)]
        assert messages == [_not_ids(typed)]
        assert set(Criterion.objects.values_list("pk", flat=True)) == before


def test_an_action_names_every_id_written_otherwise(client, root):
    criterion = Criterion.objects.order_by("pk").first()
    typed = slips(criterion.pk)[:2]
    _, messages = _act(client, typed, post="yes")
    assert messages == [_not_ids(*typed)]
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_an_action_on_ids_in_digits_is_done(client, root):
    # The control: the confirmation page, then the delete.
    criterion, other = Criterion.objects.order_by("pk")[:2]
    selected = [str(criterion.pk), f" {other.pk} "]
    response, _ = _act(client, selected, index="0")
    assert response.redirect_chain == []
    assert set(response.context["queryset"]) == {criterion, other}
    response, messages = _act(client, selected, post="yes")
    assert len(response.redirect_chain) == 1
    assert messages == ["Successfully deleted 2 criteria."]
    assert not Criterion.objects.filter(pk__in=[criterion.pk, other.pk]).exists()


# --- Page numbers -------------------------------------------------------------------------


@pytest.fixture
def eleven_entries(project):
    SpendEntry.objects.bulk_create(
        SpendEntry(
            project=project,
            spent_on=datetime.date(2026, 11, day),
            amount="1.00",
            category="compute",
        )
        for day in range(1, 12)
    )


def _page(client, query: dict) -> tuple:
    response = client.get(reverse("admin:portfolio_spendentry_changelist"), query)
    assert response.status_code == 200
    cl = response.context["cl"]
    return cl.page_num, list(cl.result_list)


@pytest.mark.parametrize("typed", ["1_0", "１０", "١٠", " 1_0 "])
def test_a_change_list_s_page_number_written_otherwise_is_no_page(
    client, root, eleven_entries, monkeypatch, typed
):
    monkeypatch.setattr(admin.site.get_model_admin(SpendEntry), "list_per_page", 1)
    first = _page(client, {"p": "abc"})  # Django's answer to a page that is no number
    assert first == _page(client, {})
    assert _page(client, {"p": typed}) == first
    assert _page(client, {"p": "10"}) != first
    assert _page(client, {"p": "10"})[0] == 10


@pytest.mark.parametrize("typed", ["0_2", "２", "٢"])
def test_a_history_s_page_number_written_otherwise_is_no_page(client, root, project, typed):
    LogEntry.objects.bulk_create(
        LogEntry(
            user=root,
            content_type=ContentType.objects.get_for_model(Project),
            object_id=str(project.pk),
            object_repr=str(project),
            action_flag=CHANGE,
            change_message=f"change {n}",
        )
        for n in range(150)
    )
    url = reverse("admin:portfolio_project_history", args=[project.pk])

    def page(number: str) -> int:
        return client.get(url, {"p": number}).context["action_list"].number

    assert page("abc") == 1
    assert page("2") == 2
    assert page(typed) == 1
