from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Artifact, Status
from tests.builders import make_project


def url(project) -> str:
    return reverse("artifact_create", args=[project.key])


VALID = {
    "kind": "model",
    "name": "Churn model v1",
    "description": "Gradient boosting.",
    "location": "s3://models/churn/v1",
}


def test_it_requires_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "adam"])
def test_it_lets_the_researcher_and_admins_register(client, project, persona, request):
    actor = request.getfixturevalue(persona)
    client.force_login(actor)
    assert client.get(url(project)).status_code == 200
    response = client.post(url(project), VALID)
    assert response.status_code == 302
    artifact = Artifact.objects.get()
    assert artifact.project == project
    assert artifact.registered_by == actor
    assert artifact.location == "s3://models/churn/v1"


@pytest.mark.parametrize("persona", ["rita", "bob", "carol", "erin"])
def test_it_refuses_everyone_else(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), VALID).status_code == 403


def test_it_hides_another_researchers_draft(client, alice, rita):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(rita)
    assert client.get(url(draft)).status_code == 404


def test_it_shows_missing_fields_inline(client, project, alice):
    client.force_login(alice)
    response = client.post(url(project), {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"kind", "name"}


def test_it_refuses_a_duplicate_name_beside_the_name(client, project, alice):
    client.force_login(alice)
    client.post(url(project), VALID)
    response = client.post(url(project), {**VALID, "name": "churn MODEL v1"})
    assert response.status_code == 400
    assert "already has an artifact named" in response.context["form"].errors["name"][0]
    assert Artifact.objects.count() == 1
