"""An artifact's key is never a project's, nor a project's an artifact's (ignoring case, as
keys are unique): the library and "Builds on" list them side by side, and an artifact
"GL-0001" beside project GL-0001 mixed them up. The import does not refuse it
(docs/interchange.md: the format allows it, and an export of such keys imports again)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.errors import DomainError
from portfolio.models import Artifact, Project, Status
from portfolio.services import register_artifact
from portfolio.services.proposals import correct_project, update_proposal
from tests.builders import make_project
from tests.portfolio.test_proposal_create import URL as NEW_PROPOSAL
from tests.portfolio.test_proposal_create import valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(alice, project) -> Artifact:
    return register_artifact(
        project=project, actor=alice, kind="model", name="Churn model", key="CHURN-26"
    )


def test_an_artifact_key_that_is_a_project_s_is_refused_on_the_page(client, alice, project):
    client.force_login(alice)
    response = client.post(
        reverse("artifact_create", args=[project.key]),
        {"key": project.key.lower(), "kind": "model", "name": "Churn model"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"The key {project.key.lower()} is a project&#x27;s key: choose another" in body
    assert not Artifact.objects.exists()


def test_a_new_proposal_key_that_is_an_artifact_s_is_refused(client, alice, bob, model):
    client.force_login(alice)
    response = client.post(NEW_PROPOSAL, valid(bob, key="churn-26"))
    assert response.status_code == 400
    assert "The key churn-26 is an artifact&#x27;s key: choose another" in response.content.decode()
    assert not Project.objects.filter(key__iexact="churn-26").exists()


def test_a_draft_renamed_to_an_artifact_s_key_is_refused(alice, model):
    draft = make_project(key="IDEA-1", researcher=alice, status=Status.DRAFT)
    with pytest.raises(DomainError, match="The key CHURN-26 is an artifact's key"):
        update_proposal(project=draft, actor=alice, key="CHURN-26")


def test_an_admin_s_key_correction_to_an_artifact_s_key_is_refused(adam, model):
    other = make_project(key="OTHER-1")
    with pytest.raises(DomainError, match="The key Churn-26 is an artifact's key"):
        correct_project(project=other, actor=adam, key="Churn-26")
