"""A product manager whose account is no longer active chairs nothing: they are not on the
panel (not asked, not counted, not reminded), and the project is not silently stuck: its
review page says so and who puts it right, and an admin finds such projects on My work and
the People page (docs/decision-panel.md)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from gates.models import VoteReminder
from gates.services import gatekeepers, review_gate, send_vote_reminders
from portfolio import panels
from portfolio.models import Notification, NotificationKind, Project, Role, Status
from portfolio.reads import worklists
from portfolio.views.people import owned_projects_link
from tests.builders import add_estimate, make_project, make_user

pytestmark = pytest.mark.django_db


def deactivate(person) -> None:
    person.is_active = False
    person.save(update_fields=["is_active"])


@pytest.fixture
def at_gate_4(alice, bob, carol, erin) -> Project:
    """GL-0400 at gate 4 (the product manager, the architect and every executive judge it),
    its product manager Bob deactivated."""
    project = make_project(
        key="GL-0400",
        title="Triage",
        researcher=alice,
        product_manager=bob,
        current_gate=4,
        decisions_count=3,
        last_decision_on=datetime.date(2026, 3, 2),
    )
    add_estimate(project, carol)
    VoteReminder.objects.all().delete()
    deactivate(bob)
    project.refresh_from_db()
    return project


def test_a_deactivated_product_manager_is_not_on_the_panel(at_gate_4, bob, carol, erin):
    panel = gatekeepers(at_gate_4, review_gate(at_gate_4))
    assert [p.pk for p in panel] == [carol.pk, erin.pk]
    # My work counts the panel without them; nobody lists the review for them.
    assert [w.panel_size for w in worklists.votes_waiting(erin)] == [2]
    assert worklists.votes_waiting(bob) == []
    # The notification settings no longer offer them vote requests.
    assert not panels.may_sit_on_a_panel(bob)


def test_a_deactivated_product_manager_is_asked_and_reminded_nothing(
    at_gate_4, bob, carol, erin, settings, django_capture_on_commit_callbacks
):
    settings.VOTE_REMINDER_DAYS = 3
    with django_capture_on_commit_callbacks(execute=True):
        assert send_vote_reminders(today=datetime.date(2026, 3, 3)) == 2
        assert send_vote_reminders(today=datetime.date(2026, 3, 20)) == 2  # the overdue ones
    assert sorted(m.to[0] for m in mail.outbox) == sorted([carol.email, erin.email] * 2)
    assert not VoteReminder.objects.filter(person=bob).exists()
    assert not Notification.objects.filter(
        recipient=bob, kind=NotificationKind.VOTE_REQUESTED
    ).exists()


def test_a_product_manager_made_active_again_chairs_and_is_asked_at_once(
    client, adam, at_gate_4, bob, django_capture_on_commit_callbacks
):
    from tests.portfolio.test_people import _user_change_data

    client.force_login(adam)
    url = reverse("admin:portfolio_user_change", args=[bob.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, _user_change_data(bob, is_active="on")).status_code == 302
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        (bob.email, "[Greenlight] GL-0400: your vote at Gate 4: Roadmap")
    ]
    at_gate_4.refresh_from_db()
    assert gatekeepers(at_gate_4, review_gate(at_gate_4))[0] == bob


def test_a_panel_left_with_one_gatekeeper_asks_no_vote(alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=2, decisions_count=1)
    add_estimate(project, carol)
    VoteReminder.objects.all().delete()
    deactivate(bob)
    project.refresh_from_db()
    assert [p.pk for p in gatekeepers(project, review_gate(project))] == [carol.pk]
    assert send_vote_reminders() == 0


def test_the_review_page_says_nobody_chairs_and_who_puts_it_right(client, at_gate_4, erin):
    client.force_login(erin)
    page = client.get(reverse("gate_review", args=["GL-0400"])).content.decode()
    assert "Bob Product, the product manager of GL-0400, no longer has an active account." in page
    assert "an admin gives the project another product manager in the admin site" in page
    assert "Meanwhile an executive may record the decision." in page
    assert "0 of 2 gatekeepers have voted" in page
    change = reverse("admin:portfolio_project_change", args=[at_gate_4.pk])
    assert change not in page  # Erin is not an admin

    ed = make_user("ed@example.com", Role.EXECUTIVE, Role.ADMIN, is_staff=True)
    client.force_login(ed)
    page = client.get(reverse("gate_review", args=["GL-0400"])).content.decode()
    assert f'(<a href="{change}">change the project in the admin site</a>)' in page


def test_an_active_product_manager_chairs_without_a_word(client, alice, bob, erin):
    make_project(key="GL-0401", researcher=alice, product_manager=bob, current_gate=4)
    client.force_login(erin)
    page = client.get(reverse("gate_review", args=["GL-0401"])).content.decode()
    assert "no longer has an active account" not in page


def test_an_admin_finds_the_projects_on_my_work_and_people(client, at_gate_4, bob, adam):
    # Closed projects and active product managers' projects are not listed.
    make_project(key="GL-0402", product_manager=bob, status=Status.KILLED, current_gate=2)
    make_project(key="GL-0403", product_manager=make_user("pm@example.com", Role.PRODUCT_MANAGER))
    client.force_login(adam)

    home = client.get(reverse("home"))
    assert [p.key for p in home.context["chairless"]] == ["GL-0400"]
    page = home.content.decode()
    assert "Open projects whose product manager is no longer active" in page
    assert "GL-0400: Triage</a>, at gate 4, product manager Bob Product (inactive)" in page
    change = reverse("admin:portfolio_project_change", args=[at_gate_4.pk])
    assert f'<a href="{change}">give GL-0400 another product manager</a>' in page

    people = client.get(reverse("people_list")).content.decode()
    link = owned_projects_link(bob, Role.PRODUCT_MANAGER).replace("&", "&amp;")
    assert f'Still the product manager of <a href="{link}">1 open project</a>' in people
    listed = client.get(owned_projects_link(bob, Role.PRODUCT_MANAGER))
    assert "GL-0400" in listed.content.decode()
    assert "GL-0402" not in listed.content.decode()


def test_my_work_lists_ten_and_says_how_many_more(client, alice, bob, adam):
    for n in range(12):
        make_project(key=f"GL-05{n:02d}", researcher=alice, product_manager=bob)
    deactivate(bob)
    client.force_login(adam)
    home = client.get(reverse("home"))
    assert len(home.context["chairless"]) == 10
    changelist = reverse("admin:portfolio_project_changelist") + "?pm_account=inactive"
    assert f'And 2 more: <a href="{changelist}">every one in the admin site</a>' in (
        home.content.decode()
    )
    # The admin's project list filters them: the open projects of inactive product managers.
    make_project(key="GL-0599", researcher=alice, product_manager=bob, status=Status.KILLED)
    listed = client.get(changelist).context["cl"].result_list
    assert sorted(p.key for p in listed) == [f"GL-05{n:02d}" for n in range(12)]


def test_my_work_says_nothing_when_every_product_manager_is_active(client, alice, bob, adam):
    make_project(researcher=alice, product_manager=bob)
    client.force_login(adam)
    assert "no longer active" not in client.get(reverse("home")).content.decode()
