"""The decision panel through the API: blind votes, kill criteria registered and judged."""

from __future__ import annotations

import datetime

from gates.models import Gate, KillCriterion
from tests.builders import add_study, make_project


def _must_meet(gate: int) -> list[dict]:
    criteria = Gate.objects.get(number=gate).criteria.filter(kind="must", is_active=True)
    return [{"criterion": c.pk, "met": True} for c in criteria]


def test_a_vote_is_cast_and_shown_to_its_voter(api_as, alice, bob, erin):
    make_project(key="PAN", researcher=alice, product_manager=bob)
    bob_api = api_as(bob)
    review = bob_api.get("/api/v1/projects/PAN/review").json()
    assert review["gate"] == 1 and review["votes_visible"] is False and review["votes"] == []
    vote = bob_api.put(
        "/api/v1/projects/PAN/review/vote",
        {"gate": 1, "recommendation": "go", "review_round": review["review_round"]},
    )
    assert vote.status_code == 200, vote.content
    assert vote.json()["recommendation"] == "go"
    after = bob_api.get("/api/v1/projects/PAN/review").json()
    assert after["votes_visible"] is True
    assert [v["voter"]["email"] for v in after["votes"]] == ["bob@example.com"]
    # Erin may open the review but has not voted: the votes stay blind for her.
    assert api_as(erin).get("/api/v1/projects/PAN/review").json()["votes"] == []


def test_a_go_registers_kill_criteria_and_the_next_review_judges_them(api_as, alice, bob):
    on = datetime.date(2025, 1, 6)
    make_project(key="KC", researcher=alice, product_manager=bob, submitted_on=on)
    api = api_as(bob)
    go = api.post(
        "/api/v1/projects/KC/decisions",
        {
            "gate": 1,
            "decision": "go",
            "decided_on": "2025-02-03",
            "scores": _must_meet(1),
            "kill_criteria": [
                {"statement": "Accuracy below 80%", "comparison": "<", "target": "0.8"}
            ],
        },
    )
    assert go.status_code == 201, go.content
    criteria = api.get("/api/v1/projects/KC/kill-criteria").json()
    assert [(c["statement"], c["gate"], c["verdict"]) for c in criteria] == [
        ("Accuracy below 80%", 2, None)
    ]
    pending = api.get("/api/v1/projects/KC/review").json()["pending_kill_criteria"]
    assert [c["id"] for c in pending] == [criteria[0]["id"]]
    add_study(KillCriterion.objects.get().project, alice)
    refused = api.post(
        "/api/v1/projects/KC/decisions",
        {"gate": 2, "decision": "go", "decided_on": "2025-03-03", "scores": _must_meet(2)},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "kill_verdicts"
    judged = api.post(
        "/api/v1/projects/KC/decisions",
        {
            "gate": 2,
            "decision": "go",
            "decided_on": "2025-03-03",
            "scores": _must_meet(2),
            "kill_verdicts": [{"criterion": criteria[0]["id"], "met": True, "note": "91%"}],
            "kill_criteria": [{"statement": "Signed data-access agreement"}],
        },
    )
    assert judged.status_code == 201, judged.content
    verdict = api.get("/api/v1/projects/KC/kill-criteria").json()[0]["verdict"]
    assert verdict["met"] is True and verdict["note"] == "91%"


def test_a_go_or_a_recycle_without_kill_criteria_is_refused(api_as, alice, bob):
    make_project(key="NOKC", researcher=alice, product_manager=bob)
    api = api_as(bob)
    for decision in ("go", "recycle"):
        refused = api.post(
            "/api/v1/projects/NOKC/decisions",
            {"gate": 1, "decision": decision, "scores": _must_meet(1)},
        )
        assert refused.status_code == 422, refused.content
        problem = refused.json()
        assert problem["field"] == "kill_criteria"
        assert "registers one to five kill criteria" in problem["detail"]
    assert api.get("/api/v1/projects/NOKC/decisions").json()["count"] == 0


def test_a_hold_with_funding_is_refused(api_as, alice, bob):
    make_project(key="HOLDF", researcher=alice, product_manager=bob)
    refused = api_as(bob).post(
        "/api/v1/projects/HOLDF/decisions",
        {"gate": 1, "decision": "hold", "rationale": "Wait.", "funding_granted": "50000.00"},
    )
    assert refused.status_code == 422, refused.content
    assert refused.json()["field"] == "funding_granted"
    assert "A hold grants no funding" in refused.json()["detail"]
