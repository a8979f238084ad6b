from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from portfolio.models import Status
from tests.builders import make_project


def url(project) -> str:
    return reverse("proposal_submit", args=[project.key])


def test_it_requires_login(client, alice):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    response = client.post(url(draft))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_only_accepts_post(client, alice):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    assert client.get(url(draft)).status_code == 405


def test_it_hides_another_researchers_draft(client, alice, rita):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(rita)
    assert client.post(url(draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_it_submits_to_gate_1_and_emails_the_pm(
    client, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    draft = make_project(key="SUB-1", researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(draft), follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.ACTIVE
    assert draft.current_gate == 1
    assert draft.submitted_on == timezone.localdate()
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert "waits at gate 1" in response.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["bob@example.com"]
    assert "SUB-1" in mailoutbox[0].subject


def test_it_shows_what_is_missing_beside_the_field(client, alice, bob, mailoutbox):
    draft = make_project(researcher=alice, status=Status.DRAFT, business_case="", hypothesis="")
    client.force_login(alice)
    response = client.post(url(draft))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["business_case"] == ["Write the business case before submitting."]
    assert form.errors["hypothesis"] == ["Write the hypothesis before submitting."]
    body = response.content.decode()
    assert "The proposal was not submitted" in body
    assert f'action="{reverse("proposal_edit", args=[draft.key])}"' in body
    draft.refresh_from_db()
    assert draft.is_draft
    assert mailoutbox == []


def test_it_tells_when_already_submitted(client, alice, project):
    client.force_login(alice)
    response = client.post(url(project), follow=True)
    assert "was already submitted" in response.content.decode()


def test_it_refuses_someone_else_on_a_submitted_project(client, rita, project):
    client.force_login(rita)
    response = client.post(url(project), follow=True)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.status == Status.ACTIVE
