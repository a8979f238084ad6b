"""Removing the Product manager or the Researcher role from someone who still owns open
projects asks first, naming them; and a former product manager's projects stay findable
from the project list's Product manager filter, as from the dashboard's.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portfolio.models import AuditEntry, Project, Role, Status
from portfolio.services import people
from tests.builders import make_project, make_user


def _remove(client, person, role, **extra):
    data = {"role": role, "action": "remove", **extra}
    return client.post(reverse("person_roles", args=[person.pk]), data)


@pytest.fixture
def bobs_projects(alice, bob):
    """Seven open projects bob manages (active or on hold), and two that are not open."""
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


# --- The People page -------------------------------------------------------------------------


def test_removing_the_pm_role_from_an_owner_of_open_projects_asks_first(
    client, adam, bob, bobs_projects
):
    client.force_login(adam)

    response = _remove(client, bob, Role.PRODUCT_MANAGER)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove the Product manager role from Bob Product?" in html
    assert "still owns 7 open projects" in html
    # The first five keys, the rest counted, and the project list filtered to him.
    for key in ("GL-0001", "GL-0002", "GL-0003", "GL-0004", "GL-0005"):
        assert f">{key}</a>" in html
    assert "GL-0006" not in html and "GL-0100" not in html
    assert "and 2 more" in html
    assert 'href="/projects/?pm=bob%40example.com&amp;status=active&amp;status=on_hold"' in html
    assert 'name="confirm" value="yes"' in html
    assert "Yes, remove the Product manager role" in html
    # Nothing changed yet.
    assert bob.has_role(Role.PRODUCT_MANAGER)
    assert not AuditEntry.objects.filter(action="role.removed").exists()


def test_the_link_lists_exactly_the_open_projects_the_question_counts(
    client, adam, bob, bobs_projects
):
    client.force_login(adam)
    html = _remove(client, bob, Role.PRODUCT_MANAGER).content.decode()
    link = re.search(r'href="(/projects/\?pm=[^"]+)"', html).group(1).replace("&amp;", "&")

    listed = client.get(link).content.decode()

    keys = sorted(set(re.findall(r'href="/projects/(GL-0\d{3})/"', listed)))
    assert keys == [f"GL-000{n}" for n in range(1, 8)]  # not the greenlit or killed ones


def test_the_confirmation_removes_the_role_and_the_projects_keep_their_pm(
    client, adam, bob, bobs_projects
):
    client.force_login(adam)

    response = _remove(client, bob, Role.PRODUCT_MANAGER, confirm="yes")

    assert response.status_code == 302
    bob.refresh_from_db()
    bob._role_cache = None
    assert not bob.has_role(Role.PRODUCT_MANAGER)
    assert AuditEntry.objects.filter(action="role.removed", actor=adam).count() == 1
    page = client.get(response.url).content.decode()
    assert "bob@example.com no longer has the Product manager role." in page
    assert Project.objects.get(key="GL-0001").product_manager == bob


def test_a_pm_without_open_projects_loses_the_role_at_once(client, adam, bob, alice):
    make_project(key="GL-0100", researcher=alice, product_manager=bob, status=Status.GREENLIT)
    client.force_login(adam)

    response = _remove(client, bob, Role.PRODUCT_MANAGER)

    assert response.status_code == 302
    bob._role_cache = None
    assert not bob.has_role(Role.PRODUCT_MANAGER)


def test_one_open_project_is_said_in_the_singular(client, adam, bob, alice):
    make_project(key="GL-0001", researcher=alice, product_manager=bob)
    client.force_login(adam)

    html = _remove(client, bob, Role.PRODUCT_MANAGER).content.decode()

    assert "still owns 1 open project<" in html
    assert "See it in the project list" in html
    assert "more" not in html.split("open-projects-help")[1].split("</p>")[0]


def test_removing_the_researcher_role_from_an_owner_of_open_projects_asks_first(
    client, adam, alice, bob, bobs_projects
):
    client.force_login(adam)

    response = _remove(client, alice, Role.RESEARCHER)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove the Researcher role from Alice Researcher?" in html
    assert "is the researcher of 7 open projects" in html
    assert "write their feasibility studies" in html
    assert (
        'href="/projects/?researcher=alice%40example.com&amp;status=active&amp;status=on_hold"'
        in html
    )
    alice._role_cache = None
    assert alice.has_role(Role.RESEARCHER)

    assert _remove(client, alice, Role.RESEARCHER, confirm="yes").status_code == 302
    alice._role_cache = None
    assert not alice.has_role(Role.RESEARCHER)


def test_other_roles_are_removed_without_asking(client, adam, bob, bobs_projects):
    people.grant_role(person=bob, role=Role.EXECUTIVE, actor=adam)
    client.force_login(adam)

    assert _remove(client, bob, Role.EXECUTIVE).status_code == 302
    bob._role_cache = None
    assert not bob.has_role(Role.EXECUTIVE) and bob.has_role(Role.PRODUCT_MANAGER)


def test_the_confirmation_does_not_get_round_the_permission_checks(
    client, erin, bob, bobs_projects
):
    client.force_login(erin)

    response = _remove(client, bob, Role.PRODUCT_MANAGER, confirm="yes")

    assert response.status_code == 403
    assert bob.has_role(Role.PRODUCT_MANAGER)


# --- The service -----------------------------------------------------------------------------


def test_the_service_refuses_an_unconfirmed_removal_naming_the_projects(adam, bob, bobs_projects):
    with pytest.raises(people.OpenProjectsLeft) as refused:
        people.remove_role(person=bob, role=Role.PRODUCT_MANAGER, actor=adam)

    assert refused.value.count == 7
    assert refused.value.keys == ["GL-0001", "GL-0002", "GL-0003", "GL-0004", "GL-0005"]
    assert "bob@example.com still owns 7 open projects as product manager" in str(refused.value)
    assert bob.has_role(Role.PRODUCT_MANAGER)

    assert people.remove_role(person=bob, role=Role.PRODUCT_MANAGER, actor=adam, confirmed=True)


# --- The project list's filter ---------------------------------------------------------------


def test_the_project_list_still_finds_a_former_pms_projects(
    client, adam, erin, alice, bob, bobs_projects
):
    people.remove_role(person=bob, role=Role.PRODUCT_MANAGER, actor=adam, confirmed=True)
    client.force_login(erin)

    response = client.get(reverse("project_list"), {"pm": "bob@example.com"})

    html = response.content.decode()
    assert "Select a valid choice" not in html
    assert '<option value="bob@example.com" selected>Bob Product</option>' in html
    assert "GL-0001" in html
    # Only bob's projects are listed.
    pat = make_user("pat@example.com", Role.PRODUCT_MANAGER)
    other = make_project(key="GL-0200", researcher=alice, product_manager=pat)
    html = client.get(reverse("project_list"), {"pm": "bob@example.com"}).content.decode()
    assert other.key not in html


def test_the_project_list_and_the_dashboard_offer_the_same_product_managers(
    client, adam, erin, bob, pete, bobs_projects
):
    people.remove_role(person=bob, role=Role.PRODUCT_MANAGER, actor=adam, confirmed=True)
    client.force_login(erin)

    listed = client.get(reverse("project_list")).context["form"].fields["pm"]
    dashboard = client.get(reverse("dashboard")).context["form"].fields["product_manager"]

    list_emails = [person.email for person in listed.queryset]
    dashboard_emails = [value for value, _ in dashboard.choices if value]
    assert list_emails == ["bob@example.com", "pete@example.com"]
    assert sorted(dashboard_emails) == sorted(list_emails)
