"""People and roles: one audited service, used by the admin and the People page.

An admin who is not a superuser cannot take more power than they have: not the
superuser or staff flags, not permissions, not another person's password, not a
role for themselves, not the Admin role.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry, Role, User
from portfolio.services import people
from tests.builders import PASSWORD, make_user


@pytest.fixture
def root(db):
    return make_user("root@example.com", is_superuser=True, is_staff=True, full_name="Root")


def _user_change_data(person, **extra) -> dict:
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "groups": [str(g.pk) for g in person.groups.all()],
    }
    data.update(extra)
    return data


# --- The service ------------------------------------------------------------------------


def test_an_admin_grants_and_removes_a_role_and_the_audit_trail_says_who_whom_which(adam, rita):
    assert people.grant_role(person=rita, role=Role.ARCHITECT, actor=adam)
    rita.refresh_from_db()
    assert set(rita.groups.values_list("name", flat=True)) == {Role.RESEARCHER, Role.ARCHITECT}
    entry = AuditEntry.objects.get(action="role.granted")
    assert entry.actor == adam and entry.object_id == str(rita.pk)
    assert "Architect" in entry.summary and "rita@example.com" in entry.summary
    assert people.remove_role(person=rita, role=Role.ARCHITECT, actor=adam)
    assert AuditEntry.objects.filter(action="role.removed", actor=adam).count() == 1


def test_nobody_grants_a_role_to_themselves(adam, root):
    with pytest.raises(PermissionDenied, match="themselves"):
        people.grant_role(person=adam, role=Role.EXECUTIVE, actor=adam)
    with pytest.raises(PermissionDenied, match="themselves"):
        people.grant_role(person=root, role=Role.EXECUTIVE, actor=root)
    assert not adam.groups.filter(name=Role.EXECUTIVE).exists()
    assert not AuditEntry.objects.exclude(action__startswith="sign_in.").exists()


def test_only_a_superuser_grants_the_admin_role(adam, rita, root):
    with pytest.raises(PermissionDenied, match="superuser"):
        people.grant_role(person=rita, role=Role.ADMIN, actor=adam)
    people.grant_role(person=rita, role=Role.ADMIN, actor=root)
    rita.refresh_from_db()
    assert rita.is_staff and rita.has_role(Role.ADMIN)
    people.remove_role(person=rita, role=Role.ADMIN, actor=root)
    rita.refresh_from_db()
    assert not rita.is_staff


def test_other_roles_cannot_manage_roles(erin, bob, rita):
    for actor in (erin, bob):
        with pytest.raises(PermissionDenied):
            people.grant_role(person=rita, role=Role.EXECUTIVE, actor=actor)


# --- The Django admin, as an Admin who is not a superuser --------------------------------


def test_an_admin_cannot_make_themselves_superuser_in_the_admin(client, adam):
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[adam.pk])
    response = client.post(
        url, _user_change_data(adam, is_superuser="on", is_staff="on", user_permissions=["1"])
    )
    assert response.status_code in (200, 302)
    adam.refresh_from_db()
    assert not adam.is_superuser
    assert not adam.user_permissions.exists()


def test_an_admin_cannot_add_themselves_to_the_executive_group_in_the_admin(client, adam):
    from django.contrib.auth.models import Group

    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[adam.pk])
    executive = Group.objects.get(name=Role.EXECUTIVE)
    data = _user_change_data(adam)
    data["groups"] = [*data["groups"], str(executive.pk)]
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the reason
    assert "Nobody grants a role to themselves" in response.content.decode()
    assert not adam.groups.filter(name=Role.EXECUTIVE).exists()


def test_an_admin_cannot_set_an_executives_password(client, adam, erin):
    client.force_login(adam)
    url = reverse("admin:auth_user_password_change", args=[erin.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            "password1": "taken-over-9-horse",
            "password2": "taken-over-9-horse",
            "usable_password": "true",
        },
    )
    assert response.status_code == 403
    erin.refresh_from_db()
    assert erin.check_password(PASSWORD)


def test_an_admin_cannot_change_a_superusers_account(client, adam, root):
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[root.pk])
    client.post(url, _user_change_data(root, email="adam-owns@example.com", is_active=""))
    root.refresh_from_db()
    assert root.email == "root@example.com" and root.is_active


def test_an_admin_cannot_deactivate_or_change_another_admin_in_the_admin(client, adam):
    other = make_user("ada@example.com", Role.ADMIN, is_staff=True, full_name="Ada Admin")
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[other.pk])
    page = client.get(url)
    assert page.status_code == 200  # shown, read-only
    assert 'name="is_active"' not in page.content.decode()
    response = client.post(url, _user_change_data(other, is_active="", full_name="Gone"))
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.is_active and other.full_name == "Ada Admin"


def test_a_superuser_deactivates_an_admin_in_the_admin(client, root, adam):
    client.force_login(root)
    url = reverse("admin:portfolio_user_change", args=[adam.pk])
    response = client.post(url, _user_change_data(adam, is_staff="on", is_active=""))
    assert response.status_code == 302, response.content.decode()[:3000]
    adam.refresh_from_db()
    assert not adam.is_active
    entry = AuditEntry.objects.get(action="user.changed_in_admin")
    assert entry.actor == root and entry.changes["is_active"] == ["True", "False"]


def test_an_admin_still_deactivates_a_researcher_in_the_admin(client, adam, rita):
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[rita.pk])
    response = client.post(url, _user_change_data(rita, is_active=""))
    assert response.status_code == 302, response.content.decode()[:3000]
    rita.refresh_from_db()
    assert not rita.is_active


@pytest.mark.parametrize("who", ["adam", "root"])
def test_nobody_deactivates_their_own_account_in_the_admin(client, who, request):
    request.getfixturevalue("adam" if who == "root" else "root")  # someone else administers
    me = request.getfixturevalue(who)
    client.force_login(me)
    url = reverse("admin:portfolio_user_change", args=[me.pk])
    extra = {"is_staff": "on", "is_superuser": "on"} if me.is_superuser else {}
    response = client.post(url, _user_change_data(me, is_active="", **extra))
    assert response.status_code == 200  # the form again, with the reason beside Active
    assert "You cannot deactivate your own account" in response.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert client.get(reverse("admin:index")).status_code == 200  # still signed in


def test_an_admin_still_changes_their_own_name_in_the_admin(client, adam):
    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[adam.pk])
    response = client.post(url, _user_change_data(adam, full_name="Adam A. Admin"))
    assert response.status_code == 302, response.content.decode()[:3000]
    adam.refresh_from_db()
    assert adam.full_name == "Adam A. Admin" and adam.is_active


def test_nobody_deletes_their_own_account_in_the_admin(client, root, adam):
    client.force_login(root)
    response = client.post(reverse("admin:portfolio_user_delete", args=[root.pk]), {"post": "yes"})
    assert response.status_code == 403
    response = client.post(
        reverse("admin:portfolio_user_changelist"),
        {"action": "delete_selected", "_selected_action": [str(root.pk)], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk=root.pk, is_active=True).exists()


def test_the_last_superuser_does_not_stop_being_one_when_nobody_else_administers(client, root):
    client.force_login(root)
    url = reverse("admin:portfolio_user_change", args=[root.pk])
    response = client.post(url, _user_change_data(root, is_staff="on", is_superuser=""))
    assert response.status_code == 200
    assert "the last active admin or superuser" in response.content.decode()
    root.refresh_from_db()
    assert root.is_superuser


def test_the_service_keeps_an_active_administrator(root):
    # Whatever the page, the rule holds: the installation's only administrator stays one.
    with pytest.raises(DomainError, match="last active admin or superuser"):
        people.check_account_change(actor=root, person=root, active=True, superuser=False)
    other = make_user("sue@example.com", is_superuser=True, is_staff=True)
    people.check_account_change(actor=other, person=root, active=False, superuser=True)


def test_granting_a_role_in_the_admin_goes_through_the_service(client, adam, rita):
    from django.contrib.auth.models import Group

    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[rita.pk])
    data = _user_change_data(rita)
    data["groups"] = [*data["groups"], str(Group.objects.get(name=Role.ARCHITECT).pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert rita.groups.filter(name=Role.ARCHITECT).exists()
    entry = AuditEntry.objects.get(action="role.granted")
    assert entry.actor == adam and "rita@example.com" in entry.summary


def test_a_superuser_sets_a_password_in_the_admin_and_it_is_audited(client, root, erin):
    client.force_login(root)
    url = reverse("admin:auth_user_password_change", args=[erin.pk])
    response = client.post(
        url,
        {
            "password1": "a-new-9-horse-staple",
            "password2": "a-new-9-horse-staple",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    erin.refresh_from_db()
    assert erin.check_password("a-new-9-horse-staple")
    entry = AuditEntry.objects.get(action="password.changed")
    assert entry.actor == root and "erin@example.com" in entry.summary


def test_a_person_changing_their_own_password_is_audited(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-horse-battery-43",
            "new_password2": "another-horse-battery-43",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="password.changed")
    assert entry.actor == alice and "changed their password" in entry.summary


def test_the_role_groups_are_read_only_in_the_admin(client, root):
    from django.contrib.auth.models import Group

    client.force_login(root)
    group = Group.objects.get(name=Role.ADMIN)
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "Admin", "permissions": []}
    )
    assert response.status_code == 403
    assert group.permissions.exists()


# --- The People and roles page -----------------------------------------------------------


def test_the_people_page_lists_everyone_with_their_roles(client, adam, alice, erin):
    client.force_login(adam)
    response = client.get(reverse("people_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "alice@example.com" in body and "erin@example.com" in body
    assert "Your own roles are changed by another admin." in body
    # An Admin who is not a superuser is not offered the Admin role.
    assert '<option value="Admin">' not in body


def test_the_people_page_grants_and_removes_a_role(client, adam, rita):
    client.force_login(adam)
    url = reverse("person_roles", args=[rita.pk])
    response = client.post(url, {"role": Role.EXECUTIVE, "action": "grant"}, follow=True)
    assert "rita@example.com now has the Executive role." in response.content.decode()
    assert rita.groups.filter(name=Role.EXECUTIVE).exists()
    client.post(url, {"role": Role.EXECUTIVE, "action": "remove"})
    assert not rita.groups.filter(name=Role.EXECUTIVE).exists()
    assert AuditEntry.objects.filter(actor=adam, action__startswith="role.").count() == 2


def test_the_people_page_refuses_a_grant_to_oneself(client, adam):
    client.force_login(adam)
    response = client.post(
        reverse("person_roles", args=[adam.pk]), {"role": Role.EXECUTIVE, "action": "grant"}
    )
    assert response.status_code == 403
    assert not adam.groups.filter(name=Role.EXECUTIVE).exists()


def test_the_people_page_reads_a_fixed_number_of_queries(
    client, adam, django_assert_max_num_queries
):
    for n in range(30):
        make_user(f"person{n}@example.com", Role.RESEARCHER)
    client.force_login(adam)
    client.get(reverse("people_list"))
    with django_assert_max_num_queries(12):
        client.get(reverse("people_list"))


def test_the_people_page_shows_a_nameless_person_s_address_once(client, adam):
    make_user("goran.rossi@example.org", Role.RESEARCHER)
    make_user("ines.named@example.org", Role.RESEARCHER, full_name="Ines Named")
    client.force_login(adam)
    page = client.get(reverse("people_list")).content.decode()
    assert page.count("rossi@<wbr>") == 1
    assert page.count("named@<wbr>") == 1
    assert "Ines Named" in page


# --- Searching the People page ----------------------------------------------------------


def _listed(response) -> list[str]:
    return [row["person"].email for row in response.context["rows"]]


@pytest.fixture
def three_people(db):
    make_user("goran.rossi@example.org", Role.RESEARCHER)
    make_user("ines.named@example.org", Role.RESEARCHER, full_name="Ines Named")
    make_user("zoe@example.org", Role.EXECUTIVE, full_name="Zoë Brandt")


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("ines", ["ines.named@example.org"]),  # a name, case aside
        ("NAMED", ["ines.named@example.org"]),
        ("ROSSI@", ["goran.rossi@example.org"]),  # an address, case aside
        ("  brandt ", ["zoe@example.org"]),  # spaces around are not searched for
        ("example.org", ["goran.rossi@example.org", "ines.named@example.org", "zoe@example.org"]),
    ],
)
def test_the_people_page_finds_people_by_name_or_e_mail(client, adam, three_people, q, found):
    client.force_login(adam)
    response = client.get(reverse("people_list"), {"q": q})
    assert response.status_code == 200
    assert _listed(response) == found
    body = response.content.decode()
    assert f'value="{q.strip()}"' in body  # the search box shows what was searched
    said = "1 person matches" if len(found) == 1 else f"{len(found)} people match"
    assert f"{said} “{q.strip()}”." in body


def test_the_people_page_says_when_no_one_matches_and_how_to_clear(client, adam, three_people):
    client.force_login(adam)
    response = client.get(reverse("people_list"), {"q": "nobody here"})
    assert response.status_code == 200
    assert _listed(response) == []
    body = response.content.decode()
    assert "No one matches “nobody here”." in body
    assert f'<a href="{reverse("people_list")}">Show everyone</a>' in body
    assert '<table class="people' not in body


def test_the_people_page_keeps_the_search_across_its_pages(client, adam):
    for n in range(55):
        make_user(f"searched{n:02d}@example.com", Role.RESEARCHER)
    make_user("other@example.com", Role.RESEARCHER)
    client.force_login(adam)
    first = client.get(reverse("people_list"), {"q": "searched"})
    assert len(_listed(first)) == 50
    assert "55 people match “searched”." in first.content.decode()
    assert 'href="/people/?q=searched&amp;page=2"' in first.content.decode()
    second = client.get(reverse("people_list"), {"q": "searched", "page": "2"})
    assert _listed(second) == [f"searched{n:02d}@example.com" for n in range(50, 55)]
    assert 'href="/people/?q=searched&amp;page=1"' in second.content.decode()


def test_a_search_that_cannot_be_read_lists_no_one(client, adam, three_people):
    client.force_login(adam)
    response = client.get(reverse("people_list"), {"q": "x" * 201})
    assert _listed(response) == []
    body = response.content.decode()
    assert "Shorten it to at most 200 characters (you typed 201)." in body
    assert "No one is listed: correct the search above" in body


@pytest.mark.parametrize("persona", ["alice", "bob", "erin"])
def test_only_those_who_manage_roles_search_people(client, persona, request, three_people):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("people_list"), {"q": "ines"}).status_code == 403


def test_searching_people_needs_a_sign_in(client, three_people):
    response = client.get(reverse("people_list"), {"q": "ines"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_search_reads_a_fixed_number_of_queries(client, adam, django_assert_max_num_queries):
    for n in range(60):
        make_user(f"person{n}@example.com", Role.RESEARCHER, full_name=f"Person {n}")
    client.force_login(adam)
    client.get(reverse("people_list"), {"q": "person"})
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people_list"), {"q": "PERSON", "page": "2"})
    assert len(_listed(response)) == 10


def test_a_role_granted_from_a_search_returns_to_it(client, adam, rita):
    client.force_login(adam)
    page = client.get(reverse("people_list"), {"q": "rita"}).content.decode()
    assert '<input type="hidden" name="q" value="rita">' in page
    response = client.post(
        reverse("person_roles", args=[rita.pk]),
        {"role": Role.EXECUTIVE, "action": "grant", "q": "rita"},
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('people_list')}?q=rita"
    assert rita.groups.filter(name=Role.EXECUTIVE).exists()
