"""Role groups and their permissions (portfolio/roles.py), and the access rules per role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from portfolio import access, services
from portfolio.access import READ_BY_EVERY_ROLE
from portfolio.models import Role, Status
from portfolio.roles import ROLE_PERMISSIONS, ensure_roles
from tests.builders import decide, make_project, make_user

pytestmark = pytest.mark.django_db


def _perms(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_a_group_with_exactly_its_permissions(role):
    group = Group.objects.get(name=role.value)
    # Its own permissions, and what every role reads (the one read policy).
    assert _perms(group) == set(ROLE_PERMISSIONS[role]) | set(READ_BY_EVERY_ROLE)


def test_every_listed_permission_exists():
    listed = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    existing = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.select_related("content_type")
    }
    assert listed <= existing


def test_ensure_roles_is_idempotent_and_repairs_drift():
    group = Group.objects.get(name=Role.ARCHITECT)
    group.permissions.add(Permission.objects.get(codename="delete_gatedecision"))
    ensure_roles()
    ensure_roles()
    assert _perms(group) == set(ROLE_PERMISSIONS[Role.ARCHITECT]) | set(READ_BY_EVERY_ROLE)
    assert Group.objects.filter(name__in=[r.value for r in Role]).count() == len(Role)


def test_no_role_may_change_or_delete_decisions():
    for perms in ROLE_PERMISSIONS.values():
        assert "gates.change_gatedecision" not in perms
        assert "gates.delete_gatedecision" not in perms
        assert "gates.change_criterionscore" not in perms
        assert "gates.delete_criterionscore" not in perms


def test_a_user_has_the_permissions_of_their_role(alice, carol, bob, erin):
    assert alice.has_perm("gates.add_feasibilitystudy")
    assert not alice.has_perm("gates.add_gatedecision")
    assert carol.has_perm("gates.change_architectureestimate")
    assert bob.has_perm("gates.add_gatedecision") and bob.has_perm("gates.add_businesscase")
    assert erin.has_perm("gates.add_gatedecision")
    assert erin.has_perm("portfolio.view_portfolio_dashboard")
    assert not erin.has_perm("gates.add_businesscase")


def test_role_helpers(alice, bob, carol, erin, adam):
    assert alice.is_researcher and not alice.is_product_manager
    assert bob.is_product_manager and not bob.is_executive
    assert carol.is_architect
    assert erin.is_executive
    assert adam.is_portfolio_admin and not adam.is_executive
    assert alice.roles == ["Researcher"]


# --- Researcher --------------------------------------------------------------------------


def test_a_researcher_edits_only_their_own_drafts(alice, rita, bob):
    own_draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    other_draft = make_project(researcher=rita, product_manager=bob, status=Status.DRAFT)
    submitted = make_project(researcher=alice, product_manager=bob)
    assert access.can_edit_proposal(alice, own_draft)
    assert not access.can_edit_proposal(alice, other_draft)
    assert not access.can_edit_proposal(alice, submitted)
    assert not access.can_edit_proposal(bob, own_draft)


def test_drafts_are_seen_only_by_their_author(alice, rita, bob, erin, carol):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    assert access.can_view_project(alice, draft)
    for other in (rita, bob, erin, carol):
        assert not access.can_view_project(other, draft)
    # Not even a superuser: the list hides other people's drafts, so must every page.
    root = make_user("root@example.com", is_superuser=True, is_staff=True)
    assert not access.can_view_project(root, draft)


def test_a_researcher_writes_only_their_own_projects_study(alice, rita, bob, project):
    assert access.can_write_feasibility_study(alice, project)
    assert not access.can_write_feasibility_study(rita, project)
    assert not access.can_write_feasibility_study(bob, project)
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    assert not access.can_write_feasibility_study(alice, draft)


def test_only_researchers_and_admins_create_proposals(alice, bob, carol, erin, adam):
    assert access.can_create_proposal(alice)
    assert access.can_create_proposal(adam)
    for user in (bob, carol, erin):
        assert not access.can_create_proposal(user)


# --- Architect -----------------------------------------------------------------------------


def test_an_architect_writes_the_estimate_of_a_project_that_asks_for_one(
    carol, alice, bob, project
):
    # Was "on any submitted project": since an estimate is asked for from gate 2 (the
    # architects' queue), a gate-1 project's is nobody's to write yet.
    assert not access.can_write_architecture_estimate(carol, project)
    decide(project, 1, "go")
    project.refresh_from_db()
    assert access.can_write_architecture_estimate(carol, project)
    other = make_project(researcher=alice, product_manager=bob, key="OTHER-1", current_gate=2)
    assert access.can_write_architecture_estimate(carol, other)
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    assert not access.can_write_architecture_estimate(carol, draft)
    for user in (alice, bob):
        assert not access.can_write_architecture_estimate(user, project)


def test_an_architect_does_not_write_an_estimate_assigned_to_another(carol, bob, project):
    dora = make_user("dora@example.com", Role.ARCHITECT, full_name="Dora Architect")
    decide(project, 1, "go")
    project.refresh_from_db()
    services.assign_architect(project=project, architect=dora, actor=bob)
    project.refresh_from_db()
    assert access.can_write_architecture_estimate(dora, project)
    assert not access.can_write_architecture_estimate(carol, project)
    assert "assigned to Dora Architect" in access.architecture_estimate_refusal(carol, project)


def test_an_architect_does_not_decide(carol, project):
    assert not access.can_decide(carol, project)


# --- Product manager -----------------------------------------------------------------------


def test_a_pm_decides_and_writes_the_case_only_for_their_projects(bob, pete, project):
    assert access.can_decide(bob, project)
    assert access.can_write_business_case(bob, project)
    assert not access.can_decide(pete, project)
    assert not access.can_write_business_case(pete, project)


# --- Executive -----------------------------------------------------------------------------


def test_an_executive_reads_everything_submitted_and_decides_any_gate(erin, alice, bob, pete):
    projects = [
        make_project(researcher=alice, product_manager=bob),
        make_project(researcher=alice, product_manager=pete),
        make_project(researcher=alice, product_manager=bob, status=Status.ON_HOLD),
    ]
    for project in projects:
        assert access.can_view_project(erin, project)
        assert access.can_decide(erin, project)
        assert access.get_project_for_user(erin, project.key) == project
    assert access.can_view_dashboard(erin)
    assert access.can_export_portfolio(erin)
    assert not access.can_import_portfolio(erin)
    assert not access.can_write_business_case(erin, projects[0])


def test_the_dashboard_is_for_executives_pms_and_admins(alice, bob, carol, erin, adam):
    assert [access.can_view_dashboard(u) for u in (alice, bob, carol, erin, adam)] == [
        False,
        True,
        False,
        True,
        True,
    ]


# --- Everyone --------------------------------------------------------------------------------


def test_anonymous_may_do_nothing(project):
    from django.contrib.auth.models import AnonymousUser

    nobody = AnonymousUser()
    assert not access.can_view_project(nobody, project)
    assert not access.can_decide(nobody, project)
    assert not access.can_create_proposal(nobody)
    assert not access.can_view_dashboard(nobody)


def test_unseen_projects_are_404(alice, bob):
    from django.http import Http404

    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    with pytest.raises(Http404):
        access.get_project_for_user(bob, draft.key)
    with pytest.raises(Http404):
        access.get_project_for_user(bob, "NO-SUCH-KEY")
