"""Whoever joins the panel of an open review is asked for their vote at once, once: named on
a gate by an admin, given a role a gate names (by an admin or a provider's groups claim),
made active again, or made the project's product manager. The task worker asks them (as it
sends every e-mail), not the next morning's reminders, which then send nothing again."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import transaction
from django.tasks.signals import task_enqueued
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gates.models import Gate, Gatekeeper, VoteReminder
from gates.services import record_decision, send_vote_reminders
from gates.tasks import ask_new_gatekeepers, merged
from portfolio.models import Notification, NotificationKind, Role
from portfolio.services import people
from portfolio.services.proposals import correct_project
from tests.builders import (
    TEST_KILL_CRITERION,
    add_business_case,
    add_estimate,
    add_study,
    full_marks,
    gate_admin_form_data,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run ``work`` as the app does (its tasks and e-mail once it commits) and return the
    vote e-mails it sent as (to, first line of the body)."""

    def run(work) -> list[tuple[str, str]]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            work()
        return [(m.to[0], m.body.splitlines()[0]) for m in mail.outbox if "your vote" in m.subject]

    return run


def opened(project, gate_number: int, bob, carol):
    """Bob records a go at the gate before: the review opens and asks Carol (not Bob, who
    recorded it)."""
    today = timezone.localdate()
    record_decision(
        project=project,
        gate=gate_number - 1,
        decision="go",
        actor=bob,
        decided_on=today,
        scores=full_marks(gate_number - 1),
        kill_criteria=[TEST_KILL_CRITERION] if gate_number - 1 < 4 else None,
    )
    project.refresh_from_db()
    assert project.current_gate == gate_number
    return f"{today:%Y-%m-%d}"


def request_line(key: str, gate: str, day: str) -> str:
    return (
        f"Your vote is requested: {key} has reached {gate} (the review opened on {day}), "
        "and you are one of its gatekeepers."
    )


@pytest.fixture
def at_gate_3(alice, bob, carol, sent):
    project = make_project(
        key="GL-0201", researcher=alice, product_manager=bob, current_gate=2, decisions_count=1
    )
    add_study(project, alice)
    add_estimate(project, carol)
    asked = sent(lambda: opened(project, 3, bob, carol))
    assert [to for to, _ in asked] == [carol.email]
    return project


@pytest.fixture
def at_gate_4(alice, bob, carol, erin, sent):
    project = make_project(
        key="GL-0202", researcher=alice, product_manager=bob, current_gate=3, decisions_count=2
    )
    add_study(project, alice)
    add_estimate(project, carol)
    add_business_case(project, bob)
    asked = sent(lambda: opened(project, 4, bob, carol))
    assert sorted(to for to, _ in asked) == [carol.email, erin.email]
    return project


def next_morning(sent) -> list[str]:
    day = timezone.localdate() + datetime.timedelta(days=1)
    return [to for to, _ in sent(lambda: send_vote_reminders(today=day))]


def test_a_person_an_admin_names_on_a_gate_is_asked_at_once(
    client, adam, at_gate_3, bob, rita, sent
):
    gate_3 = Gate.objects.get(number=3)
    client.force_login(adam)
    data = gate_admin_form_data(client, gate_3)
    rows = int(data["gatekeepers-TOTAL_FORMS"])
    data["gatekeepers-TOTAL_FORMS"] = str(rows + 1)
    data[f"gatekeepers-{rows}-kind"] = "person"
    data[f"gatekeepers-{rows}-person"] = str(rita.pk)

    def save():
        response = client.post(reverse("admin:gates_gate_change", args=[gate_3.pk]), data)
        assert response.status_code == 302

    day = f"{timezone.localdate():%Y-%m-%d}"
    assert sent(save) == [(rita.email, request_line("GL-0201", "Gate 3: Research", day))]
    notice = Notification.objects.get(recipient=rita, kind=NotificationKind.VOTE_REQUESTED)
    assert notice.link == "/projects/GL-0201/gate-review/"
    # Once: the next morning's run asks only the chair, who recorded the decision; saving
    # the page again asks nobody.
    assert next_morning(sent) == [bob.email]
    assert (
        sent(lambda: client.post(reverse("admin:gates_gate_change", args=[gate_3.pk]), data)) == []
    )


def test_someone_given_a_role_a_gate_names_is_asked_at_once(adam, at_gate_4, bob, sent):
    zoe = make_user("zoe@example.com", full_name="Zoe New")
    day = f"{timezone.localdate():%Y-%m-%d}"
    given = sent(lambda: people.grant_role(person=zoe, role=Role.EXECUTIVE, actor=adam))
    assert given == [(zoe.email, request_line("GL-0202", "Gate 4: Roadmap", day))]
    assert VoteReminder.objects.filter(person=zoe).count() == 1
    assert next_morning(sent) == [bob.email]
    # A role no gate names asks nothing.
    assert sent(lambda: people.grant_role(person=zoe, role=Role.RESEARCHER, actor=adam)) == []


def test_a_role_from_the_identity_providers_groups_asks_too(at_gate_4, sent):
    zoe = make_user("zoe@example.com")
    given = sent(
        lambda: people.set_roles_from_provider(
            person=zoe, groups=["execs"], group_roles={"execs": Role.EXECUTIVE}, provider="Okta"
        )
    )
    assert [to for to, _ in given] == [zoe.email]


def test_a_named_person_made_active_again_is_asked_at_once(client, adam, at_gate_3, sent):
    from tests.portfolio.test_people import _user_change_data

    gone = make_user("gone@example.com", full_name="Gone Away", is_active=False)
    Gatekeeper.objects.create(gate=Gate.objects.get(number=3), kind="person", person=gone)
    client.force_login(adam)

    def activate():
        url = reverse("admin:portfolio_user_change", args=[gone.pk])
        assert client.post(url, _user_change_data(gone, is_active="on")).status_code == 302

    assert [to for to, _ in sent(activate)] == [gone.email]


def test_a_new_product_manager_is_asked_at_once(adam, at_gate_3, pete, sent):
    day = f"{timezone.localdate():%Y-%m-%d}"
    given = sent(lambda: correct_project(project=at_gate_3, actor=adam, product_manager=pete))
    assert given == [(pete.email, request_line("GL-0201", "Gate 3: Research", day))]


def test_the_ask_is_a_task_the_worker_runs(client, adam, at_gate_3, rita, database_tasks):
    gate_3 = Gate.objects.get(number=3)
    client.force_login(adam)
    data = gate_admin_form_data(client, gate_3)
    rows = int(data["gatekeepers-TOTAL_FORMS"])
    data["gatekeepers-TOTAL_FORMS"] = str(rows + 1)
    data[f"gatekeepers-{rows}-kind"] = "person"
    data[f"gatekeepers-{rows}-person"] = str(rita.pk)
    mail.outbox.clear()
    client.post(reverse("admin:gates_gate_change", args=[gate_3.pk]), data)
    assert not VoteReminder.objects.filter(person=rita).exists()  # nothing in the request
    task = DBTaskResult.objects.get(task_path="gates.tasks.ask_new_gatekeepers")
    assert task.args_kwargs["kwargs"] == {"asks": [{"gates": [3]}]}
    # The worker runs it: Rita is asked (her e-mail queued in turn), and a second run asks
    # nobody again.
    assert ask_new_gatekeepers.call(**task.args_kwargs["kwargs"]) == "1 vote request sent"
    assert (
        Notification.objects.filter(recipient=rita, kind=NotificationKind.VOTE_REQUESTED).count()
        == 1
    )
    assert ask_new_gatekeepers.call(gates=[3]) == "0 vote requests sent"


# --- One task per change ----------------------------------------------------------------
# An admin who gives a person several roles in one save sends panels_may_have_grown once
# per role: the asks of one transaction make one task (gates/tasks.py).

ASK_PATH = "gates.tasks.ask_new_gatekeepers"


@pytest.fixture
def enqueued():
    """The keyword arguments of each ask_new_gatekeepers queued (either backend)."""
    found = []

    def record(sender, task_result, **kwargs):
        if task_result.task.module_path == ASK_PATH:
            found.append(task_result.kwargs)

    task_enqueued.connect(record, dispatch_uid="test_enqueued_asks")
    yield found
    task_enqueued.disconnect(dispatch_uid="test_enqueued_asks")


@pytest.fixture
def zoe(db):
    return make_user("zoe@example.com", full_name="Zoe New")


@pytest.fixture
def gate_3_names_two_roles(db):
    """Gate 3 names the Architect and Product manager roles too; gate 4 names Executive."""
    gate_3 = Gate.objects.get(number=3)
    for role in (Role.ARCHITECT, Role.PRODUCT_MANAGER):
        Gatekeeper.objects.create(gate=gate_3, kind="role", role=role)


THREE_ROLES = (Role.ARCHITECT, Role.EXECUTIVE, Role.PRODUCT_MANAGER)


def give_in_the_admin(client, adam, person, *roles):
    from tests.portfolio.test_people import _user_change_data

    client.force_login(adam)
    groups = [str(Group.objects.get(name=role).pk) for role in roles]
    url = reverse("admin:portfolio_user_change", args=[person.pk])
    assert client.post(url, _user_change_data(person, groups=groups)).status_code == 302


def test_three_roles_given_in_one_admin_save_queue_one_task_asking_each_review_once(
    client, adam, at_gate_3, at_gate_4, gate_3_names_two_roles, zoe, database_tasks
):
    give_in_the_admin(client, adam, zoe, *THREE_ROLES)
    assert set(zoe.groups.values_list("name", flat=True)) == set(THREE_ROLES)
    [task] = DBTaskResult.objects.filter(task_path=ASK_PATH)  # one, not one per role
    assert task.args_kwargs["kwargs"] == {"asks": [{"people": [zoe.pk], "gates": [3, 4]}]}
    # The worker runs it: Zoe is asked in each review once (GL-0201 at gate 3, GL-0202 at 4).
    assert ask_new_gatekeepers.call(**task.args_kwargs["kwargs"]) == "2 vote requests sent"
    assert sorted(
        VoteReminder.objects.filter(person=zoe).values_list("project__key", flat=True)
    ) == ["GL-0201", "GL-0202"]


def test_a_task_run_at_once_asks_each_review_once_too(
    client, adam, at_gate_3, at_gate_4, gate_3_names_two_roles, zoe, enqueued, sent
):
    day = f"{timezone.localdate():%Y-%m-%d}"
    asked = sent(lambda: give_in_the_admin(client, adam, zoe, *THREE_ROLES))
    assert enqueued == [{"asks": [{"people": [zoe.pk], "gates": [3, 4]}]}]
    assert sorted(asked) == [
        (zoe.email, request_line("GL-0201", "Gate 3: Research", day)),
        (zoe.email, request_line("GL-0202", "Gate 4: Roadmap", day)),
    ]


def test_roles_given_in_a_change_rolled_back_queue_no_task(
    adam, at_gate_3, at_gate_4, gate_3_names_two_roles, zoe, database_tasks, rita
):
    with pytest.raises(RuntimeError), transaction.atomic():
        for role in THREE_ROLES:
            people.grant_role(person=zoe, role=role, actor=adam)
        raise RuntimeError("the save failed")
    assert not DBTaskResult.objects.filter(task_path=ASK_PATH).exists()
    # The next change is not added to the one rolled back: its own task, its own asks.
    with transaction.atomic():
        people.grant_role(person=rita, role=Role.EXECUTIVE, actor=adam)
    [task] = DBTaskResult.objects.filter(task_path=ASK_PATH)
    assert task.args_kwargs["kwargs"] == {"asks": [{"people": [rita.pk], "gates": [4]}]}


def test_a_change_rolled_back_queues_nothing_to_run_at_once(
    adam, at_gate_4, zoe, rita, enqueued, sent
):
    def rolled_back_then_another():
        with pytest.raises(RuntimeError), transaction.atomic():
            people.grant_role(person=zoe, role=Role.EXECUTIVE, actor=adam)
            raise RuntimeError("the save failed")
        with transaction.atomic():
            people.grant_role(person=rita, role=Role.EXECUTIVE, actor=adam)

    assert [to for to, _ in sent(rolled_back_then_another)] == [rita.email]
    assert enqueued == [{"asks": [{"people": [rita.pk], "gates": [4]}]}]


def test_two_admin_saves_queue_two_tasks(
    client, adam, at_gate_4, zoe, rita, database_tasks, run_on_commit
):
    with run_on_commit():
        give_in_the_admin(client, adam, zoe, Role.EXECUTIVE)
    with run_on_commit():
        give_in_the_admin(client, adam, rita, Role.RESEARCHER, Role.EXECUTIVE)
    tasks = DBTaskResult.objects.filter(task_path=ASK_PATH).order_by("enqueued_at")
    assert [task.args_kwargs["kwargs"] for task in tasks] == [
        {"asks": [{"people": [zoe.pk], "gates": [4]}]},
        {"asks": [{"people": [rita.pk], "gates": [4]}]},
    ]


def test_an_ask_whose_savepoint_was_rolled_back_leaves_the_task(
    adam, at_gate_4, zoe, rita, erin, alice, database_tasks
):
    """Only what the transaction commits is asked: the ask made in a savepoint rolled back
    is not kept in the stored task, nor does the rollback of the first ask's savepoint take
    the later asks with it."""
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            people.grant_role(person=zoe, role=Role.EXECUTIVE, actor=adam)
            raise RuntimeError("undone")
        people.grant_role(person=rita, role=Role.EXECUTIVE, actor=adam)
        with pytest.raises(RuntimeError), transaction.atomic():
            people.grant_role(person=erin, role=Role.ARCHITECT, actor=adam)
            raise RuntimeError("undone")
        people.grant_role(person=alice, role=Role.EXECUTIVE, actor=adam)
    [task] = DBTaskResult.objects.filter(task_path=ASK_PATH)
    assert task.args_kwargs["kwargs"] == {
        "asks": [{"people": sorted([rita.pk, alice.pk]), "gates": [4]}]
    }


@pytest.mark.django_db(transaction=True)
def test_each_committed_change_its_own_task_and_a_rolled_back_one_none(
    adam, at_gate_4, zoe, rita, database_tasks
):
    """The same, with real commits and rollbacks (on PostgreSQL too)."""
    with transaction.atomic():
        for role in (Role.ARCHITECT, Role.EXECUTIVE):
            people.grant_role(person=zoe, role=role, actor=adam)
    with pytest.raises(RuntimeError), transaction.atomic():
        people.grant_role(person=rita, role=Role.ARCHITECT, actor=adam)
        people.grant_role(person=rita, role=Role.EXECUTIVE, actor=adam)
        raise RuntimeError("the save failed")
    with transaction.atomic():
        people.grant_role(person=rita, role=Role.EXECUTIVE, actor=adam)
    tasks = DBTaskResult.objects.filter(task_path=ASK_PATH).order_by("enqueued_at")
    assert [task.args_kwargs["kwargs"] for task in tasks] == [
        {"asks": [{"people": [zoe.pk], "gates": [4]}]},
        {"asks": [{"people": [rita.pk], "gates": [4]}]},
    ]


def test_asks_are_one_only_when_they_say_the_same_together():
    """ask_joined asks the people in the reviews at the gates *and* of the projects: two asks
    are one when they differ in one of the three, or one holds the other."""
    assert merged(
        [
            ((7,), (3,), None),
            ((7,), (3, 4), None),  # holds the first
            ((7,), None, (10,)),  # a product manager's projects: another ask
            ((8,), (3, 4), None),  # another person, the same gates: one ask
            (None, (4,), None),  # a gate's rows changed: everyone at gate 4
        ]
    ) == [((7,), None, (10,)), ((7, 8), (3, 4), None), (None, (4,), None)]
    assert merged([(None, (3,), None), ((7,), (3,), None)]) == [(None, (3,), None)]
