"""A draft's "Builds on" is its researcher's alone: the API's reused_by, the library and the
producing project's page name and count only the reuses the artifact's page lists."""

from __future__ import annotations

import datetime

import pytest

from portfolio import services
from portfolio.models import ArtifactReuse, Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def reused(alice, bob, rita):
    """AR by Alice's project, built on by a submitted project and by Rita's private draft."""
    producer = make_project(researcher=alice, product_manager=bob)
    artifact = services.register_artifact(project=producer, actor=alice, kind="model", name="M")
    user = make_project(researcher=alice, product_manager=bob)
    draft = make_project(researcher=rita, product_manager=bob, status=Status.DRAFT)
    for project in (user, draft):
        ArtifactReuse.objects.create(
            project=project,
            artifact=artifact,
            linked_by=project.researcher,
            used_on=datetime.date.today(),
        )
    return producer, artifact, user, draft


def reused_by(client, project) -> list[str]:
    response = client.get(f"/api/v1/projects/{project.key}/artifacts")
    assert response.status_code == 200
    (artifact,) = response.json()["produced"]
    return artifact["reused_by"]


@pytest.mark.parametrize("who", ["bob", "erin", "adam", "alice"])
def test_reused_by_leaves_out_a_draft_for_everyone_else(
    api_as, reused, alice, bob, erin, adam, who
):
    producer, _artifact, user, _draft = reused
    person = {"bob": bob, "erin": erin, "adam": adam, "alice": alice}[who]

    assert reused_by(api_as(person), producer) == [user.key]


def test_the_drafts_researcher_sees_her_own_draft_there(api_as, reused, rita):
    producer, _artifact, user, draft = reused

    assert reused_by(api_as(rita), producer) == sorted([user.key, draft.key])


def test_what_a_draft_builds_on_is_listed_for_its_researcher_only(api_as, reused, rita, bob):
    _producer, artifact, _user, draft = reused

    response = api_as(rita).get(f"/api/v1/projects/{draft.key}/artifacts")
    assert [a["key"] for a in response.json()["reused"]] == [artifact.key]
    assert api_as(bob).get(f"/api/v1/projects/{draft.key}/artifacts").status_code == 404


def test_the_library_and_the_project_page_count_only_the_reuses_one_may_see(
    client, reused, bob, rita
):
    producer, artifact, user, draft = reused
    client.force_login(bob)

    library = client.get("/artifacts/").content.decode()
    page = client.get(producer.get_absolute_url()).content.decode()
    detail = client.get(artifact.get_absolute_url()).content.decode()

    assert "reused by 1 project" in page and "reused by 2 projects" not in page
    assert ">1 project<" in library and ">2 projects<" not in library
    assert user.key in detail and draft.key not in detail
    client.force_login(rita)
    assert ">2 projects<" in client.get("/artifacts/").content.decode()
