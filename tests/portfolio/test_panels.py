"""Who sits on a gate's panel is written once (portfolio.panels.panel_members): the review
(gates.services.gatekeepers) and My work's reviews waiting for a vote (worklists.votes_waiting)
both follow it."""

from __future__ import annotations

import datetime

import pytest

from gates.models import Gatekeeper
from gates.services import gatekeepers, review_gate
from portfolio import panels
from portfolio.models import Role
from portfolio.reads import worklists
from tests.builders import add_estimate, gate, make_project, make_user

pytestmark = pytest.mark.django_db


def members(project, number: int) -> list[int]:
    keepers = list(panels.keeper_rows().filter(gate__number=number))
    holders = panels.active_role_holders({k.role for k in keepers if k.role})
    estimate = getattr(project, "architecture_estimate", None)
    return panels.panel_members(
        product_manager_id=project.product_manager_id,
        keepers=keepers,
        estimate_author_id=estimate.author_id if estimate else None,
        role_holders={role: [p.pk for p in found] for role, found in holders.items()},
    )


def test_the_chair_first_then_each_row_in_order_each_person_once(alice, bob, carol, erin, rita):
    project = make_project(researcher=alice, product_manager=bob, current_gate=4)
    add_estimate(project, carol)
    project.refresh_from_db()
    Gatekeeper.objects.create(gate=gate(4), kind="person", person=rita)
    Gatekeeper.objects.create(gate=gate(4), kind="person", person=carol)  # already on it
    second = make_user("zed@example.com", Role.EXECUTIVE)
    # The rows in their order: the architect, the named people, then the roles.
    assert members(project, 4) == [bob.pk, carol.pk, rita.pk, erin.pk, second.pk]
    assert members(project, 1) == [bob.pk]


def test_no_architect_before_the_estimate_and_no_inactive_person(alice, bob, rita):
    project = make_project(researcher=alice, product_manager=bob, current_gate=3)
    make_user("gone@example.com", Role.EXECUTIVE, is_active=False)
    gone = make_user("left@example.com", is_active=False)
    Gatekeeper.objects.create(gate=gate(3), kind="person", person=gone)
    Gatekeeper.objects.create(gate=gate(3), kind="role", role=Role.EXECUTIVE)
    assert members(project, 3) == [bob.pk]


def test_an_estimates_author_no_longer_active_is_not_on_the_panel(alice, bob, carol, erin):
    """Like a named person or a role's holder: a deactivated account is asked nothing, and
    My work's count of the panel leaves it out too."""
    project = make_project(
        researcher=alice,
        product_manager=bob,
        current_gate=4,
        decisions_count=3,
        last_decision_on=datetime.date(2026, 3, 2),
    )
    add_estimate(project, carol)
    carol.is_active = False
    carol.save(update_fields=["is_active"])

    assert [p.pk for p in gatekeepers(project, review_gate(project))] == [bob.pk, erin.pk]
    assert [w.panel_size for w in worklists.votes_waiting(erin)] == [2]
    assert not panels.may_sit_on_a_panel(carol)


def test_the_review_and_my_work_both_follow_the_one_rule(monkeypatch, alice, bob, carol, erin):
    """A change to the rule changes both: here, a rule that leaves out everyone with a role."""
    project = make_project(
        researcher=alice,
        product_manager=bob,
        current_gate=4,
        decisions_count=3,
        last_decision_on=datetime.date(2026, 3, 2),
    )
    add_estimate(project, carol)
    project.refresh_from_db()
    assert [p.pk for p in gatekeepers(project, review_gate(project))] == [bob.pk, carol.pk, erin.pk]
    assert [w.project for w in worklists.votes_waiting(erin)] == [project]

    rule = panels.panel_members

    def without_roles(*, role_holders, **kw):
        return rule(role_holders={}, **kw)

    monkeypatch.setattr(panels, "panel_members", without_roles)
    assert [p.pk for p in gatekeepers(project, review_gate(project))] == [bob.pk, carol.pk]
    assert worklists.votes_waiting(erin) == []
    assert [w.panel_size for w in worklists.votes_waiting(carol)] == [2]


def test_the_gates_naming_a_person_or_one_of_their_roles(bob, carol, erin, rita):
    Gatekeeper.objects.create(gate=gate(1), kind="person", person=rita)
    Gatekeeper.objects.create(gate=gate(2), kind="role", role=Role.RESEARCHER)
    assert panels.gates_naming(rita) == [1, 2]
    assert panels.gates_naming(erin) == [4]  # the default gate 4 names every executive
    assert panels.gates_naming(carol) == []  # the architect sits by the estimate, not a row
    assert panels.gates_naming(bob) == []  # the product manager chairs their own projects


def test_who_may_sit_on_a_panel_follows_the_one_rule(monkeypatch, alice, bob, carol, erin, rita):
    """The notification settings offer vote requests by the same rule: whoever a panel may
    seat (the product manager, by chairing; the architect, by the estimate; a role or a
    named person, by a row while active) and nobody else."""
    from portfolio.models import NotificationKind
    from portfolio.services.notifications import kinds_for

    gone = make_user("gone@example.com", is_active=False)
    Gatekeeper.objects.create(gate=gate(1), kind="person", person=gone)
    assert [panels.may_sit_on_a_panel(p) for p in (bob, carol, erin, alice, rita, gone)] == [
        True,  # chairs their projects' reviews
        True,  # gates 2 to 4 name the project's architect
        True,  # gate 4 names every executive
        False,  # no gate names the researchers or Alice
        False,
        False,  # named, but not while their account is inactive
    ]
    Gatekeeper.objects.create(gate=gate(1), kind="person", person=rita)
    assert panels.may_sit_on_a_panel(rita)
    Gatekeeper.objects.filter(kind="architect").delete()
    assert not panels.may_sit_on_a_panel(carol)

    rule = panels.panel_members

    def without_roles(*, role_holders, **kw):
        return rule(role_holders={}, **kw)

    assert NotificationKind.VOTE_REQUESTED in kinds_for(erin)
    monkeypatch.setattr(panels, "panel_members", without_roles)
    assert NotificationKind.VOTE_REQUESTED not in kinds_for(erin)
