"""Through the API as on the page: a decision sent by a chair to whom the votes are still
blind does not reveal the majority (docs/decision-panel.md, "The decision")."""

from __future__ import annotations

import pytest

from gates.models import Gate, GateDecision
from gates.services import cast_vote
from tests.builders import add_estimate, add_study, make_project


def _must_meet(gate: int) -> list[dict]:
    criteria = Gate.objects.get(number=gate).criteria.filter(kind="must", is_active=True)
    return [{"criterion": c.pk, "met": True} for c in criteria]


@pytest.mark.parametrize("carol_says", ["go", "kill", "hold"])
def test_a_decision_without_a_rationale_is_refused_alike_whatever_the_votes(
    api_as, alice, bob, carol, carol_says
):
    project = make_project(
        key="BLIND", researcher=alice, product_manager=bob, current_gate=3, decisions_count=2
    )
    add_study(project, alice)
    add_estimate(project, carol)
    cast_vote(project=project, gate=3, actor=carol, recommendation=carol_says)
    api = api_as(bob)
    body = {
        "gate": 3,
        "decision": "go",
        "scores": _must_meet(3),
        "kill_criteria": [{"statement": "Signed data-access agreement"}],
    }
    refused = api.post("/api/v1/projects/BLIND/decisions", body)
    assert refused.status_code == 422, refused.content
    problem = refused.json()
    assert problem["field"] == "rationale"
    assert problem["detail"] == (
        "1 gatekeeper has voted, and their votes stay hidden from you until you vote: cast "
        "your vote first to see them, or give the rationale for your decision (it may go "
        "against their majority)."
    )
    assert "recommend" not in refused.content.decode()
    assert not GateDecision.objects.exists()
    # His own vote cast, the review is no longer blind to him: the usual rule, naming it.
    voted = api.put("/api/v1/projects/BLIND/review/vote", {"gate": 3, "recommendation": carol_says})
    assert voted.status_code == 200, voted.content
    again = api.post("/api/v1/projects/BLIND/decisions", body)
    if carol_says == "go":
        assert again.status_code == 201, again.content
    else:
        assert again.status_code == 422
        assert again.json()["detail"] == (
            f"The majority of the gatekeepers recommend {carol_says}: give the rationale for "
            "deciding against it."
        )
