"""PUT …/next-stage-ask with 0 keeps no ask (planning.services.set_next_stage_ask), as the
page does: read back as null, as the project page, gate review and plan say "no ask"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_ask_of_0_sent_to_the_api_is_read_back_as_none(api_as, alice, project):
    api = api_as(alice)
    answer = api.put(f"/api/v1/projects/{project.key}/next-stage-ask", {"next_stage_ask": "0"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["next_stage_ask"] is None
    got = api.get(f"/api/v1/projects/{project.key}/next-stage-ask")
    assert got.json() == {"next_stage_ask": None}
