"""Who writes a cost estimate: the product manager assigns, an architect takes from the queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate
from portfolio import access, services
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import (
    AuditEntry,
    EmailTiming,
    Notification,
    NotificationKind,
    NotificationPreference,
    Role,
    Status,
)
from tests.builders import add_estimate, decide, make_project, make_user


@pytest.fixture
def at_gate_2(project):
    decide(project, 1, "go")
    project.refresh_from_db()
    Notification.objects.all().delete()
    return project


@pytest.fixture
def dora(db):
    return make_user("dora@example.com", Role.ARCHITECT, full_name="Dora Architect")


def test_the_product_manager_assigns_an_architect_who_is_told(at_gate_2, bob, dora):
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect == dora
    entry = AuditEntry.objects.get(action="estimate.assigned")
    assert entry.actor == bob
    assert entry.changes == {"architect": ["", "dora@example.com"]}
    notification = Notification.objects.get(recipient=dora)
    assert notification.kind == NotificationKind.ESTIMATE_NEEDED
    assert "is yours" in notification.subject


def test_back_to_the_shared_queue(at_gate_2, bob, dora):
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    services.assign_architect(project=at_gate_2, architect=None, actor=bob)
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect is None
    assert AuditEntry.objects.filter(action="estimate.assigned").count() == 2


@pytest.mark.parametrize("who", ["alice", "pete", "carol", "erin"])
def test_only_its_product_manager_or_an_admin_assigns(at_gate_2, dora, who, request):
    with pytest.raises(PermissionDenied):
        services.assign_architect(
            project=at_gate_2, architect=dora, actor=request.getfixturevalue(who)
        )


def test_an_admin_assigns_too(at_gate_2, adam, dora):
    services.assign_architect(project=at_gate_2, architect=dora, actor=adam)
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect == dora


def test_only_an_architect_is_assigned(at_gate_2, bob, alice):
    with pytest.raises(DomainError) as refused:
        services.assign_architect(project=at_gate_2, architect=alice, actor=bob)
    assert refused.value.field == "architect"


def test_an_architect_takes_an_unassigned_estimate(at_gate_2, carol, dora):
    services.take_estimate(project=at_gate_2, actor=carol)
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect == carol
    assert AuditEntry.objects.get(action="estimate.taken").actor == carol
    assert not Notification.objects.filter(recipient=carol).exists()  # not about oneself
    with pytest.raises(DomainError, match="Carol Architect has this estimate already"):
        services.take_estimate(project=at_gate_2, actor=dora)


def test_nobody_else_takes_one(at_gate_2, bob):
    with pytest.raises(PermissionDenied):
        services.take_estimate(project=at_gate_2, actor=bob)


def test_a_closed_project_is_not_assigned(project, bob, carol):
    decide(project, 1, "kill")
    with pytest.raises(DomainError, match="still in the process"):
        services.take_estimate(project=project, actor=carol)


# --- The architects' queue and the pages ----------------------------------------------------


def test_the_queue_shows_mine_unassigned_and_others(client, alice, bob, carol, dora):
    keys = {}
    for key in ("MINE", "FREE", "DORAS"):
        project = make_project(key=key, researcher=alice, product_manager=bob)
        decide(project, 1, "go")
        keys[key] = project
    services.assign_architect(project=keys["MINE"], architect=carol, actor=bob)
    services.assign_architect(project=keys["DORAS"], architect=dora, actor=bob)
    client.force_login(carol)
    response = client.get(reverse("home"))
    queue = response.context["estimate_queue"]
    assert [[p.key for p in queue[part]] for part in ("mine", "unassigned", "others")] == [
        ["MINE"],
        ["FREE"],
        ["DORAS"],
    ]
    body = response.content.decode()
    assert reverse("estimate_take", args=["FREE"]) in body
    assert reverse("estimate_take", args=["MINE"]) not in body
    assert "Dora Architect" in body


def test_taking_from_the_home_page(client, at_gate_2, carol):
    client.force_login(carol)
    response = client.post(reverse("estimate_take", args=[at_gate_2.key]))
    assert response.status_code == 302
    # Taken to be written: the architect lands on the estimate's page.
    assert response.url == reverse("architecture_estimate_edit", args=[at_gate_2.key])
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect == carol


def test_a_refused_take_says_why_with_400(client, at_gate_2, carol, dora, bob):
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    client.force_login(carol)
    response = client.post(reverse("estimate_take", args=[at_gate_2.key]))
    assert response.status_code == 400
    assert "Dora Architect has this estimate already" in response.content.decode()


def test_the_assignment_page_assigns(client, at_gate_2, bob, dora):
    client.force_login(bob)
    url = reverse("estimate_assign", args=[at_gate_2.key])
    page = client.get(url).content.decode()
    assert "Dora Architect" in page
    response = client.post(url, {"architect": str(dora.pk)})
    assert response.status_code == 302
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect == dora


def _assign_on_the_page(client, project, architect) -> str:
    response = client.post(
        reverse("estimate_assign", args=[project.key]),
        {"architect": str(architect.pk) if architect else ""},
        follow=True,
    )
    assert response.status_code == 200
    return " ".join(str(message) for message in response.context["messages"])


def test_the_assignment_says_how_the_architect_was_told(client, at_gate_2, bob, dora):
    client.force_login(bob)
    said = _assign_on_the_page(client, at_gate_2, dora)
    assert said.startswith(f"The cost estimate of {at_gate_2.key} is assigned to Dora Architect;")
    assert "has been e-mailed" in said or "will be e-mailed" in said
    assert "they have been notified" not in said


def test_the_assignment_says_the_digest_when_the_architect_chose_it(client, at_gate_2, bob, dora):
    NotificationPreference.objects.create(person=dora, kind="", email=EmailTiming.DIGEST)
    client.force_login(bob)
    said = _assign_on_the_page(client, at_gate_2, dora)
    assert "Dora Architect has been notified in the app and in their daily digest" in said
    assert "e-mailed" not in said


def test_assigning_the_same_architect_again_says_nothing_changed(client, at_gate_2, bob, dora):
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    told = Notification.objects.filter(recipient=dora).count()
    client.force_login(bob)
    said = _assign_on_the_page(client, at_gate_2, dora)
    assert said == (
        f"The cost estimate of {at_gate_2.key} was already assigned to Dora Architect; nothing changed."
    )
    assert Notification.objects.filter(recipient=dora).count() == told


def test_the_assignment_page_refuses_a_non_architect_with_400(client, at_gate_2, bob, alice):
    client.force_login(bob)
    response = client.post(
        reverse("estimate_assign", args=[at_gate_2.key]), {"architect": alice.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_the_project_page_shows_who_has_the_estimate(client, at_gate_2, bob, carol, dora):
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    client.force_login(bob)
    body = client.get(at_gate_2.get_absolute_url()).content.decode()
    assert "Assigned to Dora Architect" in body
    assert reverse("estimate_assign", args=[at_gate_2.key]) in body
    client.force_login(carol)
    body = client.get(at_gate_2.get_absolute_url()).content.decode()
    assert "Assigned to Dora Architect" in body
    assert reverse("estimate_take", args=[at_gate_2.key]) not in body


def test_the_project_page_offers_the_take_while_unassigned(client, at_gate_2, carol):
    client.force_login(carol)
    body = client.get(at_gate_2.get_absolute_url()).content.decode()
    assert "In the architects' shared queue" in body
    assert reverse("estimate_take", args=[at_gate_2.key]) in body


def test_a_written_estimate_leaves_the_queue(client, at_gate_2, carol):
    services.take_estimate(project=at_gate_2, actor=carol)
    add_estimate(at_gate_2, carol)
    client.force_login(carol)
    queue = client.get(reverse("home")).context["estimate_queue"]
    assert queue == {"mine": [], "unassigned": [], "others": []}
    assert at_gate_2.status == Status.ACTIVE


def test_the_assignment_page_names_the_section_my_work_shows(client, at_gate_2, bob):
    client.force_login(bob)
    page = client.get(reverse("estimate_assign", args=[at_gate_2.key])).content.decode()
    assert 'under "Assigned to you"' in page and '"Mine"' not in page
    assert "it waits in the architects' shared queue" in page


def test_a_gate_1_estimate_is_in_no_queue_and_says_so(client, project, bob, carol):
    client.force_login(carol)
    body = client.get(project.get_absolute_url()).content.decode()
    assert "In the architects' shared queue" not in body
    assert "Not needed yet: it enters the architects' shared queue at gate 2" in body
    client.force_login(bob)
    page = client.get(reverse("estimate_assign", args=[project.key])).content.decode()
    assert "it waits in the architects' shared queue" not in page
    assert "It is needed from gate 2" in page
    assert 'under "Assigned to you" once the project reaches gate 2' in page


# --- Who writes the estimate: its assigned architect, once it is asked for -------------------

ESTIMATE = {"build_cost": "1000", "monthly_run_cost": "10", "retraining_cadence": "none"}


def _estimate_url(project) -> str:
    return reverse("architecture_estimate_edit", args=[project.key])


def test_only_the_assigned_architect_writes_the_estimate(client, at_gate_2, bob, carol, dora):
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    client.force_login(carol)
    page = client.get(_estimate_url(at_gate_2)).content.decode()
    assert 'name="build_cost"' not in page
    assert "Assigned to Dora Architect." in page
    assert "The cost estimate is assigned to Dora Architect: only they write it." in page
    refused = client.post(_estimate_url(at_gate_2), ESTIMATE)  # a page left open: says why
    assert refused.status_code == 403
    assert "assigned to Dora Architect: only they write it" in refused.content.decode()
    assert not ArchitectureEstimate.objects.exists()
    client.force_login(dora)
    page = client.get(_estimate_url(at_gate_2)).content.decode()
    assert 'name="build_cost"' in page and "Assigned to Dora Architect." in page
    assert client.post(_estimate_url(at_gate_2), ESTIMATE).status_code == 302
    assert ArchitectureEstimate.objects.get().author == dora


def test_the_api_refuses_another_architects_estimate_and_says_whose(
    client, at_gate_2, bob, carol, dora
):
    from tests.api.conftest import Api, token_for

    def api_as(user):
        return Api(client, token_for(user))

    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    url = f"/api/v1/projects/{at_gate_2.key}/deliverables/architecture-estimate"
    refused = api_as(carol).send("PUT", url, ESTIMATE)
    assert refused.status_code == 403
    assert "assigned to Dora Architect" in refused.json()["detail"]
    assert api_as(dora).send("PUT", url, ESTIMATE).status_code == 200


def test_an_unassigned_estimate_is_its_writers_until_the_product_manager_reassigns(
    client, at_gate_2, bob, carol, dora
):
    client.force_login(carol)
    page = client.get(_estimate_url(at_gate_2)).content.decode()
    assert "Not assigned: in the architects' shared queue." in page
    assert reverse("estimate_take", args=[at_gate_2.key]) in page  # Take it, on the page too
    assert client.post(_estimate_url(at_gate_2), ESTIMATE).status_code == 302
    # Written from the queue: its writer is the project's architect now, and it says so.
    at_gate_2.refresh_from_db()
    assert at_gate_2.architect == carol
    assert "Assigned to Carol" in client.get(_estimate_url(at_gate_2)).content.decode()
    client.force_login(dora)
    assert client.post(_estimate_url(at_gate_2), ESTIMATE | {"build_cost": "1"}).status_code == 403
    with pytest.raises(DomainError, match="has this estimate already"):
        services.take_estimate(project=at_gate_2, actor=dora)
    assert ArchitectureEstimate.objects.get().build_cost == 1000
    services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    assert client.post(_estimate_url(at_gate_2), ESTIMATE | {"build_cost": "1"}).status_code == 302
    assert ArchitectureEstimate.objects.get().build_cost == 1


def test_nobody_takes_an_estimate_before_it_is_asked_for(client, project, carol):
    # Gate 1: not in the shared queue, so no Take it, and taking it is refused with why.
    assert not access.can_take_estimate(carol, project)
    client.force_login(carol)
    assert (
        reverse("estimate_take", args=[project.key])
        not in client.get(_estimate_url(project)).content.decode()
    )
    with pytest.raises(DomainError, match="asked for from gate 2"):
        services.take_estimate(project=project, actor=carol)
    project.refresh_from_db()
    assert project.architect is None


def test_no_estimate_is_written_before_it_is_asked_for(client, project, bob, carol):
    # docs/notifications.md: a project needs its estimate from gate 2 (the architects' queue).
    client.force_login(carol)
    page = client.get(_estimate_url(project)).content.decode()
    assert 'name="build_cost"' not in page
    assert "Not asked for yet: it enters the architects' shared queue at gate 2." in page
    assert client.post(_estimate_url(project), ESTIMATE).status_code == 403
    services.assign_architect(project=project, architect=carol, actor=bob)  # planned ahead
    assert client.post(_estimate_url(project), ESTIMATE).status_code == 403
    assert not ArchitectureEstimate.objects.exists()
    decide(project, 1, "go")
    assert client.post(_estimate_url(project), ESTIMATE).status_code == 302


def test_an_estimate_assigned_before_gate_2_says_when_it_can_be_written(
    client, project, bob, carol, dora, django_capture_on_commit_callbacks
):
    # The architect assigned at gate 1 is told the estimate is theirs and when they can write
    # it; its page says so to them, not "Only the project's architect writes it".
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_architect(project=project, architect=carol, actor=bob)
    notification = Notification.objects.get(recipient=carol)
    assert notification.subject == (
        f"{project.key}: the cost estimate is yours, to write from gate 2"
    )
    body = next(m for m in mail.outbox if carol.email in m.to).body
    assert f"You can write it once {project.key} reaches gate 2 (it is at gate 1)." in body
    assert "Write the estimate:" not in body
    assert "The estimate's page:" in body
    client.force_login(carol)
    page = client.get(_estimate_url(project)).content.decode()
    assert "Assigned to Carol Architect." in page
    assert f"You can write it once {project.key} reaches gate 2." in page
    assert "Only the project&#x27;s architect writes it" not in page
    assert "asked for from gate 2" not in page
    assert 'name="build_cost"' not in page
    # To another architect the page stays as it was.
    client.force_login(dora)
    page = client.get(_estimate_url(project)).content.decode()
    assert "Only the project&#x27;s architect writes it" in page
    assert "assigned to Carol Architect: only they write it" in page


def test_an_estimate_assigned_from_gate_2_says_write_it(
    at_gate_2, bob, dora, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_architect(project=at_gate_2, architect=dora, actor=bob)
    assert Notification.objects.get(recipient=dora).subject == (
        f"{at_gate_2.key}: the cost estimate is yours"
    )
    body = next(m for m in mail.outbox if dora.email in m.to).body
    assert "Write the estimate:" in body
    assert "reaches gate 2" not in body
