"""POST …/artifacts with a project's key as the artifact's is refused (422 on key), as the
page refuses it (tests/portfolio/test_artifact_and_project_keys_apart.py)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_refuses_it_naming_the_key(api_as, alice, project):
    answer = api_as(alice).post(
        f"/api/v1/projects/{project.key}/artifacts",
        {"key": project.key, "kind": "model", "name": "Churn model"},
    )
    assert answer.status_code == 422, answer.content
    assert answer.json()["field"] == "key"
    assert f"The key {project.key} is a project's key" in answer.json()["detail"]
