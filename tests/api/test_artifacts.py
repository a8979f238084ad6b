"""GET/POST /api/v1/projects/{key}/artifacts: every kind the app registers, the API shows and takes."""

from __future__ import annotations

from portfolio import services
from portfolio.models import ArtifactKind
from tests.builders import make_project


def test_it_lists_an_artifact_of_every_kind(db, alice, bob, api_as):
    project = make_project(researcher=alice, product_manager=bob)
    for kind in ArtifactKind.values:
        services.register_artifact(project=project, actor=alice, kind=kind, name=f"A {kind}")
    response = api_as(bob).get(f"/api/v1/projects/{project.key}/artifacts")
    assert response.status_code == 200
    assert sorted(a["kind"] for a in response.json()["produced"]) == sorted(ArtifactKind.values)


def test_it_registers_an_artifact_of_kind_other(db, alice, bob, api_as):
    project = make_project(researcher=alice, product_manager=bob)
    response = api_as(alice).post(
        f"/api/v1/projects/{project.key}/artifacts", {"kind": "other", "name": "A checklist"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "other"
