"""A recorded scorecard keeps each criterion as it was: renaming one later rewrites no history."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from gates.models import Criterion, CriterionScore
from gates.services import record_decision
from tests.builders import TEST_KILL_CRITERION, full_marks


def test_a_recorded_score_keeps_the_criterions_name_kind_and_weight(client, project, bob):
    scores = full_marks(1)
    decision = record_decision(
        project=project,
        gate=1,
        decision="go",
        actor=bob,
        decided_on=datetime.date(2026, 1, 6),
        scores=scores,
        kill_criteria=[TEST_KILL_CRITERION],
    )
    should = next(s.criterion for s in scores if not s.criterion.is_must_meet)
    old_name, old_weight = should.name, should.weight
    Criterion.objects.filter(pk=should.pk).update(
        name="Renamed later", kind=Criterion.Kind.MUST_MEET, weight=Decimal("9")
    )

    kept = CriterionScore.objects.get(decision=decision, criterion=should)
    assert kept.criterion_name == old_name
    assert kept.criterion_kind == Criterion.Kind.SHOULD_MEET and not kept.is_must_meet
    assert kept.weight == old_weight

    client.force_login(bob)
    body = client.get(reverse("gate_review", args=[project.key])).content.decode()
    # The decision history lists the score under the name it had when it was given.
    assert f"{old_name}:" in body
    assert "Renamed later:" not in body
