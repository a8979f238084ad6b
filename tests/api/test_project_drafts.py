"""A draft that is only an idea reads through the API with its empty fields as null."""

from __future__ import annotations

import pytest

from portfolio import services

pytestmark = pytest.mark.django_db


def test_an_incomplete_draft_reads_with_nulls_for_its_author(api_as, alice):
    draft = services.create_proposal(actor=alice, title="Forecast spare parts")
    response = api_as(alice, "read").get(f"/api/v1/projects/{draft.key}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "draft" and body["title"] == "Forecast spare parts"
    for name in ("research_type", "bucket", "product_manager", "value_kind", "projected_low"):
        assert body[name] is None, name
    assert body["probability_of_success"] is None and body["current_probability"] is None
    listed = api_as(alice, "read").get("/api/v1/projects?status=draft").json()["results"]
    assert [row["key"] for row in listed] == [draft.key]
