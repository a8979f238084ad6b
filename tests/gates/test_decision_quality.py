"""The dashboard's decision-quality numbers on a small portfolio worked out by hand.

Two projects, submitted 2026-01-05, judged by Bob (product manager, chair),
Carol (architect, she wrote both estimates) and Erin (executive, gate 4):

ALPHA  gate 1 go 01-10 (kill criterion: a signed data agreement); study 01-12,
       estimate 01-15; gate 2 votes Carol kill 0.2, Bob go 0.7, go 01-20 with the
       criterion NOT met (an override); gate 3 go 02-01, Carol did not vote;
       business case 02-03; gate 4 votes Bob go 0.8, Carol go 0.6, Erin kill 0.3,
       go 02-10: greenlit.
BETA   gate 1 go 01-10; estimate 01-14, study 01-15; gate 2 votes Carol kill 0.1,
       Bob go 0.9 (a tie), go 01-25; gate 3 kill 02-05: killed.

Brier (outcome 1 for ALPHA, 0 for BETA):
  Bob   (0.3² + 0.2² + 0.9²) / 3 = (0.09 + 0.04 + 0.81) / 3 = 0.3133
  Carol (0.8² + 0.4² + 0.1²) / 3 = (0.64 + 0.16 + 0.01) / 3 = 0.27
  Erin   0.7² = 0.49;  everyone 2.24 / 7 = 0.32
Dissent: Carol's kill on ALPHA (greenlit: not vindicated), Erin's kill on ALPHA
(not vindicated), Carol's kill on BETA (killed: vindicated): 1 of 3.
Days to decide, from the last required deliverable (gate 1: the submission):
  gate 1: 5, 5; gate 2: 01-12→01-20 = 8, 01-15→01-25 = 10;
  gate 3: 01-15→02-01 = 17, 01-15→02-05 = 21; gate 4: 02-03→02-10 = 7.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate, BusinessCase, FeasibilityStudy
from gates.services import (
    KillMark,
    NewKillCriterion,
    cast_vote,
    pending_kill_criteria,
    record_decision,
)
from portfolio.metrics import compute
from tests.builders import (
    TEST_KILL_CRITERION,
    add_business_case,
    add_estimate,
    add_study,
    full_marks,
    make_project,
)

pytestmark = pytest.mark.django_db


def on(month: int, day: int) -> datetime.date:
    return datetime.date(2026, month, day)


def written(model, project, month: int, day: int) -> None:
    moment = datetime.datetime(2026, month, day, 12, tzinfo=datetime.UTC)
    model.objects.filter(project=project).update(created_at=moment)


def go(project, pm, day, **kw):
    """A go that judges the review's kill criteria met and sets the next review's, unless told."""
    project.refresh_from_db()
    kw.setdefault("kill_verdicts", [KillMark(c, True) for c in pending_kill_criteria(project)])
    if project.current_gate < 4:
        kw.setdefault("kill_criteria", [TEST_KILL_CRITERION])
    return record_decision(
        project=project,
        gate=project.current_gate,
        decision="go",
        actor=pm,
        decided_on=day,
        scores=full_marks(project.current_gate),
        **kw,
    )


def votes(project, *ballots):
    project.refresh_from_db()
    pending = pending_kill_criteria(project)
    for person, recommendation, probability in ballots:
        cast_vote(
            project=project,
            gate=project.current_gate,
            actor=person,
            recommendation=recommendation,
            probability_of_success=Decimal(probability),
            kill_marks=[KillMark(c, recommendation == "go") for c in pending],
        )


@pytest.fixture
def portfolio(alice, bob, carol, erin):
    return build(alice, bob, carol, erin)


def build(alice, bob, carol, erin):
    """The two projects of the module docstring."""
    alpha = make_project(key="ALPHA", researcher=alice, product_manager=bob)
    beta = make_project(key="BETA", researcher=alice, product_manager=bob)

    go(alpha, bob, on(1, 10), kill_criteria=[NewKillCriterion("Signed data agreement")])
    add_study(alpha, alice)
    written(FeasibilityStudy, alpha, 1, 12)
    add_estimate(alpha, carol)
    written(ArchitectureEstimate, alpha, 1, 15)
    votes(alpha, (carol, "kill", "0.2"), (bob, "go", "0.7"))
    alpha.refresh_from_db()
    (criterion,) = pending_kill_criteria(alpha)
    go(
        alpha,
        bob,
        on(1, 20),
        kill_verdicts=[KillMark(criterion, False, "Legal signs in March")],
        rationale="Legal has approved the terms; only the signature is missing.",
    )
    go(alpha, bob, on(2, 1))
    add_business_case(alpha, bob)
    written(BusinessCase, alpha, 2, 3)
    votes(alpha, (bob, "go", "0.8"), (carol, "go", "0.6"), (erin, "kill", "0.3"))
    go(alpha, bob, on(2, 10))

    go(beta, bob, on(1, 10))
    add_estimate(beta, carol)
    written(ArchitectureEstimate, beta, 1, 14)
    add_study(beta, alice)
    written(FeasibilityStudy, beta, 1, 15)
    votes(beta, (carol, "kill", "0.1"), (bob, "go", "0.9"))
    go(beta, bob, on(1, 25))
    beta.refresh_from_db()
    record_decision(
        project=beta, gate=3, decision="kill", actor=bob, decided_on=on(2, 5), rationale="No."
    )
    return alpha, beta


def quality(**filters) -> dict:
    return compute(sections=("decision_panel",), **filters)["decision_panel"]


def test_the_gatekeepers_brier_scores_and_dissent(portfolio):
    q = quality(as_of=on(3, 1))
    assert [
        (k["gatekeeper"], k["votes"], k["forecasts"], k["brier"], k["dissents"])
        for k in q["by_gatekeeper"]
    ] == [
        ("bob@example.com", 3, 3, 0.3133, 0),
        ("carol@example.com", 3, 3, 0.27, 2),
        ("erin@example.com", 1, 1, 0.49, 1),
    ]
    assert (q["votes"], q["forecasts"], q["brier"]) == (7, 7, 0.32)
    assert (q["dissents_judged"], q["dissents_vindicated"], q["vindicated_share"]) == (
        3,
        1,
        0.3333,
    )
    carol = q["by_gatekeeper"][1]
    assert (carol["dissents_vindicated"], carol["vindicated_share"]) == (1, 0.5)


def test_the_override_and_how_it_ended(portfolio):
    overrides = quality(as_of=on(3, 1))["overrides"]
    assert (overrides["count"], overrides["greenlit"], overrides["killed"]) == (1, 1, 0)
    assert overrides["decisions"] == [
        {"key": "ALPHA", "gate": 2, "decided_on": "2026-01-20", "outcome": "greenlit"}
    ]


def test_the_days_to_decide_per_gate(portfolio):
    assert quality(as_of=on(3, 1))["time_to_decision"] == [
        {"gate": 1, "decisions": 2, "mean_days": 5.0, "longest_days": 5},
        {"gate": 2, "decisions": 2, "mean_days": 9.0, "longest_days": 10},
        {"gate": 3, "decisions": 2, "mean_days": 19.0, "longest_days": 21},
        {"gate": 4, "decisions": 1, "mean_days": 7.0, "longest_days": 7},
    ]


def test_as_of_the_end_of_january_nothing_is_decided_yet(portfolio):
    q = quality(as_of=on(1, 31))
    assert (q["votes"], q["forecasts"], q["brier"], q["dissents_judged"]) == (4, 0, None, 0)
    assert q["overrides"]["decisions"][0]["outcome"] == "active"
    assert q["overrides"]["open"] == 1


def test_the_filters_apply(portfolio):
    q = quality(as_of=on(3, 1), bucket="revenue")
    assert (q["votes"], q["overrides"]["count"]) == (0, 0)
    assert [w["decisions"] for w in q["time_to_decision"]] == [0, 0, 0, 0]


def test_the_dashboard_shows_the_panel_and_its_csv(portfolio, client, erin):
    client.force_login(erin)
    page = client.get(reverse("dashboard"), {"as_of": "2026-03-01"}).content.decode()
    assert "Decision quality" in page
    assert 'data-quality="decision_panel.brier" data-value="0.32"' in page
    assert "ALPHA" in page and "override" in page.lower()
    csv = client.get(reverse("dashboard_csv", args=["gatekeepers"]), {"as_of": "2026-03-01"})
    lines = csv.content.decode().splitlines()
    assert lines[0] == (
        "gatekeeper,votes,forecasts,brier,dissents,dissents_judged,dissents_vindicated,"
        "vindicated_share"
    )
    assert lines[2] == "carol@example.com,3,3,0.27,2,2,1,0.5"


def test_a_project_without_deliverables_waits_from_its_submission_where_none_are_required(
    portfolio, bob
):
    """GAMMA (submitted 01-05, no deliverable at all, as most of an imported history):
    its gate 1 go on 01-25 waited 20 days from the submission; its gate 2 kill misses
    the deliverables gate 2 requires, so it is left out of gate 2's days."""
    gamma = make_project(key="GAMMA", product_manager=bob, submitted_on=on(1, 5))
    go(gamma, bob, on(1, 25))
    gamma.refresh_from_db()
    record_decision(
        project=gamma,
        gate=gamma.current_gate,
        decision="kill",
        actor=bob,
        decided_on=on(2, 2),
        rationale="No data agreement.",
        scores=full_marks(2),
    )
    assert quality(as_of=on(3, 1))["time_to_decision"] == [
        {"gate": 1, "decisions": 3, "mean_days": 10.0, "longest_days": 20},
        {"gate": 2, "decisions": 2, "mean_days": 9.0, "longest_days": 10},
        {"gate": 3, "decisions": 2, "mean_days": 19.0, "longest_days": 21},
        {"gate": 4, "decisions": 1, "mean_days": 7.0, "longest_days": 7},
    ]
