"""The API takes a project's key in any letter case, and answers with the key as stored.

``GET /api/v1/projects/gl-0071`` was a 404 although keys are unique ignoring case; the
pages' redirect is in tests/portfolio/test_project_key_case.py.
"""

from __future__ import annotations

import pytest

from portfolio.models import Project, SpendEntry, Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def gl(alice, bob) -> Project:
    return make_project(key="GL-0071", title="Triage support tickets", researcher=alice)


def test_the_api_finds_a_key_in_another_case_and_answers_with_the_stored_key(api_as, bob, gl):
    response = api_as(bob, "read").get("/api/v1/projects/gl-0071")
    assert response.status_code == 200
    assert response.json()["key"] == "GL-0071"
    assert response.json()["title"] == "Triage support tickets"


def test_the_api_writes_to_a_key_in_another_case(api_as, alice, gl):
    response = api_as(alice).post(
        "/api/v1/projects/gl-0071/spend",
        {"spent_on": "2026-01-15", "category": "compute", "amount": "10.00"},
    )
    assert response.status_code == 201, response.content
    assert SpendEntry.objects.get().project == gl


def test_the_api_keeps_someone_elses_draft_a_404_in_either_case(api_as, rita, alice):
    make_project(key="DR-0001", status=Status.DRAFT, researcher=alice)
    for key in ("DR-0001", "dr-0001"):
        assert api_as(rita, "read").get(f"/api/v1/projects/{key}").status_code == 404, key
    assert api_as(alice, "read").get("/api/v1/projects/dr-0001").json()["key"] == "DR-0001"
