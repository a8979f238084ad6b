"""A scorecard answer of the wrong kind is refused, naming the item, before anything is saved.

A vote's {"criterion": 6, "score": 7} on a must-meet criterion was saved (200) as an answer
holding nothing (met and score null); so was {"criterion": 8, "met": true} on a should-meet
one, and a decision (never editable) kept them the same way. The rule is the services'
(gates.services.scorecards.answer_problem, checked by check_scores for every caller); the
API says it as wrong input about ``scores[i]``.
"""

from __future__ import annotations

import pytest

from gates.models import Gate, GateDecision, Vote
from gates.services import Score, cast_vote
from portfolio.errors import DomainError
from tests.builders import make_project


def _criterion(kind: str):
    return Gate.objects.get(number=1).criteria.filter(kind=kind, is_active=True).first()


@pytest.fixture
def project(alice, bob):
    return make_project(key="GL-0115", researcher=alice, product_manager=bob)


def _answers():
    must, should = _criterion("must"), _criterion("should")
    return [
        (
            {"criterion": must.pk, "score": 7},
            f"criterion {must.pk} is must-meet: send met (true or false), not a score.",
        ),
        (
            {"criterion": should.pk, "met": True},
            f"criterion {should.pk} is should-meet: send a score (0 to 10), not met.",
        ),
        (
            {"criterion": must.pk, "met": True, "score": 7},
            f"criterion {must.pk} is must-meet: send met (true or false) only, "
            "not a score as well.",
        ),
        (
            {"criterion": should.pk, "met": False, "score": 4},
            f"criterion {should.pk} is should-meet: send a score (0 to 10) only, not met as well.",
        ),
        ({"criterion": must.pk}, f"criterion {must.pk} is must-meet: send met (true or false)."),
        (
            {"criterion": should.pk, "met": None, "score": None},
            f"criterion {should.pk} is should-meet: send a score (0 to 10).",
        ),
    ]


CASES = range(6)


def _refused(answer, field: str, message: str) -> None:
    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["field"] == field
    assert problem["detail"] == f"{field}: {message}"
    assert problem["errors"] == [{"field": field, "message": message}]


@pytest.mark.parametrize("case", CASES)
def test_a_vote_with_an_answer_of_the_wrong_kind_is_refused(api_as, bob, project, case):
    wrong, message = _answers()[case]
    right = {"criterion": _criterion("should").pk, "score": 8}
    if wrong["criterion"] == right["criterion"]:
        right = {"criterion": _criterion("must").pk, "met": True}
    body = {"gate": 1, "recommendation": "go", "scores": [right, wrong]}
    answer = api_as(bob).put("/api/v1/projects/GL-0115/review/vote", body)
    _refused(answer, "scores[1]", message)
    assert not Vote.objects.exclude(recommendation="").exists()


@pytest.mark.parametrize("case", CASES)
def test_a_decision_with_an_answer_of_the_wrong_kind_is_refused(api_as, bob, project, case):
    wrong, message = _answers()[case]
    body = {"gate": 1, "decision": "hold", "rationale": "Wait.", "scores": [wrong]}
    answer = api_as(bob).post("/api/v1/projects/GL-0115/decisions", body)
    _refused(answer, "scores[0]", message)
    assert not GateDecision.objects.exists()


def test_answers_of_the_right_kind_are_kept(api_as, bob, project):
    must, should = _criterion("must"), _criterion("should")
    body = {
        "gate": 1,
        "recommendation": "go",
        "scores": [{"criterion": must.pk, "met": True}, {"criterion": should.pk, "score": 7}],
    }
    answer = api_as(bob).put("/api/v1/projects/GL-0115/review/vote", body)
    assert answer.status_code == 200, answer.content
    kept = {(s["criterion"], s["met"], s["score"]) for s in answer.json()["scores"]}
    assert kept == {(must.pk, True, None), (should.pk, None, 7)}


def test_the_service_refuses_it_for_every_caller(bob, project):
    must = _criterion("must")
    with pytest.raises(DomainError) as refused:
        cast_vote(
            project=project,
            gate=1,
            actor=bob,
            recommendation="go",
            scores=[Score(criterion=must, score=7)],
        )
    assert refused.value.message == (
        f"criterion {must.pk} is must-meet: send met (true or false), not a score."
    )
    assert (refused.value.field, refused.value.item) == ("scores", 1)
    assert not Vote.objects.exclude(recommendation="").exists()
