"""The Django admin's user page asks, as the People page does, before it removes the Product
manager or the Researcher role from someone who still owns open projects: an intermediate
page in the admin's look names how many, the first keys and the project list filtered to
them, and keeps everything the admin typed for its Confirm and its Go back.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portfolio.models import AuditEntry, Role, Status
from tests.builders import make_project, make_user

ASKED = "_roles_asked"
CONFIRM = "_confirm_role_removal"
BACK = "_back_to_form"


def _form(person, *, without=(), **extra) -> dict:
    """The admin's change form for ``person`` as posted, without the roles ``without``."""
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "groups": [str(g.pk) for g in person.groups.all() if g.name not in without],
        "_save": "Save",
    }
    data.update(extra)
    return data


def _confirmed(data: dict, *roles: str) -> dict:
    """``data`` posted with the question's Yes, which confirms the roles it asked about."""
    return {**data, ASKED: list(roles), CONFIRM: "Yes"}


def _post(client, person, data):
    return client.post(reverse("admin:portfolio_user_change", args=[person.pk]), data)


def _roles(person) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


@pytest.fixture
def bobs_projects(alice, bob):
    """Seven open projects bob manages and alice researches, and two that are not open."""
    open_ones = [
        make_project(
            key=f"GL-{n:04d}",
            researcher=alice,
            product_manager=bob,
            status=Status.ON_HOLD if n == 3 else Status.ACTIVE,
        )
        for n in range(1, 8)
    ]
    make_project(key="GL-0100", researcher=alice, product_manager=bob, status=Status.GREENLIT)
    make_project(key="GL-0101", researcher=alice, product_manager=bob, status=Status.KILLED)
    return open_ones


def _hidden(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)


def test_unticking_the_pm_role_of_an_owner_of_open_projects_asks_first(
    client, adam, bob, bobs_projects
):
    client.force_login(adam)

    response = _post(
        client, bob, _form(bob, without=[Role.PRODUCT_MANAGER], full_name="Bob P. Renamed")
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/portfolio/user/remove_role_confirmation.html"
    html = response.content.decode()
    assert "Remove the Product manager role from Bob Product?" in html
    assert "is the product manager of 7 open projects (active or on hold)" in html
    for key in ("GL-0001", "GL-0002", "GL-0003", "GL-0004", "GL-0005"):
        assert f'">{key}</a>' in html
    assert "GL-0006" not in html and "GL-0100" not in html
    assert "and 2 more" in html
    assert 'href="/projects/?pm=bob%40example.com&amp;status=active&amp;status=on_hold"' in html
    assert "decide their gates or write their business cases" in html
    # Everything the admin typed goes with the Confirm and the Go back.
    hidden = _hidden(html.split('<form method="post">')[1])  # not the header's sign-out
    assert ("full_name", "Bob P. Renamed") in hidden
    assert ("email", "bob@example.com") in hidden
    assert ("_save", "Save") in hidden
    assert [name for name, _ in hidden].count("csrfmiddlewaretoken") == 1  # its own
    assert (ASKED, Role.PRODUCT_MANAGER) in hidden
    assert f'name="{CONFIRM}" value="Yes, remove the Product manager role"' in html
    assert f'name="{BACK}"' in html
    # Nothing was saved: not the role, not the name.
    bob.refresh_from_db()
    assert Role.PRODUCT_MANAGER in _roles(bob)
    assert bob.full_name == "Bob Product"
    assert not AuditEntry.objects.filter(action__in=["role.removed", "user.changed_in_admin"])


def test_confirming_saves_everything_typed_and_removes_the_role(client, adam, bob, bobs_projects):
    client.force_login(adam)
    data = _form(bob, without=[Role.PRODUCT_MANAGER], full_name="Bob P. Renamed")

    response = _post(client, bob, _confirmed(data, Role.PRODUCT_MANAGER))

    assert response.status_code == 302, response.content.decode()[:3000]
    bob.refresh_from_db()
    assert Role.PRODUCT_MANAGER not in _roles(bob)
    assert bob.full_name == "Bob P. Renamed"
    assert AuditEntry.objects.filter(action="role.removed", actor=adam).count() == 1
    assert bobs_projects[0].__class__.objects.get(key="GL-0001").product_manager == bob


def test_going_back_shows_the_form_as_typed_with_the_reason_beside_the_roles(
    client, adam, bob, bobs_projects
):
    client.force_login(adam)
    data = _form(bob, without=[Role.PRODUCT_MANAGER], full_name="Bob P. Renamed")

    # The Go back posts what was typed with the roles asked about, not the Yes.
    response = _post(client, bob, {**data, ASKED: [Role.PRODUCT_MANAGER], BACK: "1"})

    assert response.status_code == 200
    assert response.templates[0].name == "admin/change_form.html"
    html = response.content.decode()
    assert 'value="Bob P. Renamed"' in html
    errors = response.context["adminform"].form.errors["groups"]
    assert errors == [
        "bob@example.com still owns 7 open projects as product manager "
        "(GL-0001, GL-0002, GL-0003, GL-0004, GL-0005 and 2 more): confirm that the "
        "Product manager role is removed all the same. Save again to be asked, "
        "or choose the role again to keep it."
    ]
    bob.refresh_from_db()
    assert Role.PRODUCT_MANAGER in _roles(bob) and bob.full_name == "Bob Product"


def test_with_another_error_the_form_says_both_and_saves_nothing(client, adam, bob, bobs_projects):
    client.force_login(adam)
    data = _form(bob, without=[Role.PRODUCT_MANAGER], email="not an address")

    response = _post(client, bob, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.errors) == {"email", "groups"}
    assert "still owns 7 open projects" in form.errors["groups"][0]
    assert Role.PRODUCT_MANAGER in _roles(bob)


def test_a_pm_without_open_projects_is_saved_at_once(client, adam, bob, alice):
    make_project(key="GL-0100", researcher=alice, product_manager=bob, status=Status.GREENLIT)
    client.force_login(adam)

    response = _post(client, bob, _form(bob, without=[Role.PRODUCT_MANAGER]))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Role.PRODUCT_MANAGER not in _roles(bob)
    assert AuditEntry.objects.filter(action="role.removed", actor=adam).count() == 1


def test_a_researcher_is_asked_about_with_the_researcher_filter(client, adam, alice, bobs_projects):
    client.force_login(adam)

    response = _post(client, alice, _form(alice, without=[Role.RESEARCHER]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove the Researcher role from Alice Researcher?" in html
    assert "is the researcher of 7 open projects" in html
    assert (
        'href="/projects/?researcher=alice%40example.com&amp;status=active&amp;status=on_hold"'
        in html
    )
    assert Role.RESEARCHER in _roles(alice)

    confirmed = _post(
        client, alice, _confirmed(_form(alice, without=[Role.RESEARCHER]), "Researcher")
    )
    assert confirmed.status_code == 302
    assert Role.RESEARCHER not in _roles(alice)


def test_two_roles_are_asked_about_together_and_each_must_be_confirmed(client, adam, alice):
    sam = make_user("sam@example.com", Role.RESEARCHER, Role.PRODUCT_MANAGER, full_name="Sam Both")
    make_project(key="GL-0001", researcher=sam, product_manager=sam)
    client.force_login(adam)
    data = _form(sam, without=[Role.RESEARCHER, Role.PRODUCT_MANAGER])

    html = _post(client, sam, data).content.decode()
    assert "Remove the Product manager and Researcher roles from Sam Both?" in html
    assert "is the product manager of 1 open project (active or on hold)" in html
    assert "is the researcher of 1 open project (active or on hold)" in html
    assert "Yes, remove both roles" in html

    # A confirmation of one role is no confirmation of the other.
    response = _post(client, sam, _confirmed(data, Role.PRODUCT_MANAGER))
    assert response.status_code == 200
    assert "Remove the Researcher role from Sam Both?" in response.content.decode()
    assert _roles(sam) == {Role.RESEARCHER, Role.PRODUCT_MANAGER}

    confirmed = _confirmed(data, Role.PRODUCT_MANAGER, Role.RESEARCHER)
    assert _post(client, sam, confirmed).status_code == 302
    assert _roles(sam) == set()


def test_other_roles_are_removed_without_asking(client, adam, bob, bobs_projects):
    bob.groups.add(Group.objects.get(name=Role.EXECUTIVE))
    client.force_login(adam)

    response = _post(client, bob, _form(bob, without=[Role.EXECUTIVE]))

    assert response.status_code == 302, response.content.decode()[:3000]
    assert _roles(bob) == {Role.PRODUCT_MANAGER}


def test_the_confirmation_does_not_get_round_the_permission_checks(
    client, erin, bob, bobs_projects
):
    client.force_login(erin)
    data = _form(bob, without=[Role.PRODUCT_MANAGER])

    response = _post(client, bob, _confirmed(data, Role.PRODUCT_MANAGER))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert Role.PRODUCT_MANAGER in _roles(bob)
