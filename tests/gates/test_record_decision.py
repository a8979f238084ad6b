"""The decision service: every transition the process rules allow or forbid, and its effects."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from gates.models import DELIVERABLE_RELATED_NAMES, Criterion, CriterionScore, GateDecision
from gates.services import Score, record_decision, scorecard_maximum, scorecard_total
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry, Project, Status
from tests import builders
from tests.builders import (
    TEST_KILL_CRITERION,
    add_business_case,
    add_estimate,
    add_study,
    criteria,
    full_marks,
    gate,
    make_project,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 1, 10)


@pytest.fixture
def ready(project, alice, bob, carol):
    """A project with every deliverable, so that a go is refused only for what a test changes."""
    add_study(project, alice)
    add_estimate(project, carol)
    add_business_case(project, bob)
    return project


def decide(project, gate_number, decision, actor, **kw):
    """builders.decide (a go or a recycle judges and registers kill criteria), on DAY."""
    kw.setdefault("decided_on", DAY)
    kw.setdefault("scores", full_marks(gate_number) if decision == "go" else None)
    if decision in ("kill", "hold"):
        kw.setdefault("rationale", "Because.")
    return builders.decide(project, gate_number, decision, actor, **kw)


def advance(project, actor, to_gate):
    for number in range(1, to_gate):
        decide(project, number, "go", actor)
    project.refresh_from_db()


# --- The sequence rules ----------------------------------------------------------


@pytest.mark.parametrize("decision", ["go", "kill", "hold", "recycle"])
def test_the_first_decision_is_at_gate_1(ready, bob, decision):
    recorded = decide(ready, 1, decision, bob)
    assert recorded.gate.number == 1
    assert recorded.sequence == 1


@pytest.mark.parametrize("gate_number", [2, 3, 4])
def test_the_first_decision_cannot_be_at_a_later_gate(ready, bob, gate_number):
    with pytest.raises(DomainError) as refused:
        decide(ready, gate_number, "recycle", bob)
    assert refused.value.field == "decision"
    assert "waiting at gate 1, not gate" in refused.value.message
    assert not GateDecision.objects.exists()


@pytest.mark.parametrize("gate_number", [1, 2, 3])
def test_go_below_gate_4_moves_to_the_next_gate(ready, bob, gate_number):
    advance(ready, bob, gate_number)
    decide(ready, gate_number, "go", bob)
    ready.refresh_from_db()
    assert ready.status == Status.ACTIVE
    assert ready.current_gate == gate_number + 1


@pytest.mark.parametrize("gate_number", [1, 2, 3])
def test_after_go_the_same_gate_is_refused(ready, bob, gate_number):
    advance(ready, bob, gate_number + 1)
    with pytest.raises(DomainError, match=f"waiting at gate {gate_number + 1}"):
        decide(ready, gate_number, "recycle", bob)


@pytest.mark.parametrize("gate_number", [1, 2, 3, 4])
def test_hold_stays_at_the_gate(ready, bob, gate_number):
    advance(ready, bob, gate_number)
    decide(ready, gate_number, "hold", bob)
    ready.refresh_from_db()
    assert ready.status == Status.ON_HOLD
    assert ready.current_gate == gate_number
    # The next decision is at the same gate, and may release the hold.
    if gate_number < 4:
        with pytest.raises(DomainError, match=f"waiting at gate {gate_number}"):
            decide(ready, gate_number + 1, "go", bob)
    decide(ready, gate_number, "recycle", bob)
    ready.refresh_from_db()
    assert ready.status == Status.ACTIVE
    assert ready.current_gate == gate_number


@pytest.mark.parametrize("gate_number", [1, 2, 3, 4])
def test_recycle_stays_at_the_gate(ready, bob, gate_number):
    advance(ready, bob, gate_number)
    decide(ready, gate_number, "recycle", bob)
    decide(ready, gate_number, "recycle", bob)
    ready.refresh_from_db()
    assert ready.status == Status.ACTIVE
    assert ready.current_gate == gate_number
    assert ready.decisions_count == gate_number - 1 + 2


def test_go_at_gate_4_greenlights_and_ends_the_process(ready, bob):
    advance(ready, bob, 4)
    decide(ready, 4, "go", bob)
    ready.refresh_from_db()
    assert ready.status == Status.GREENLIT
    assert ready.current_gate is None
    for number in (1, 4):
        for decision in ("go", "kill", "hold", "recycle"):
            with pytest.raises(DomainError, match="already greenlit"):
                decide(ready, number, decision, bob)
    assert GateDecision.objects.count() == 4


@pytest.mark.parametrize("gate_number", [1, 2, 3, 4])
def test_kill_ends_the_process_at_any_gate(ready, bob, gate_number):
    advance(ready, bob, gate_number)
    decide(ready, gate_number, "kill", bob)
    ready.refresh_from_db()
    assert ready.status == Status.KILLED
    assert ready.current_gate is None
    for decision in ("go", "kill", "hold", "recycle"):
        with pytest.raises(DomainError, match="killed: no decision may follow"):
            decide(ready, gate_number, decision, bob)


def test_an_unknown_decision_is_refused(ready, bob):
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "maybe", bob)
    assert refused.value.field == "decision"


def test_a_draft_cannot_be_decided(alice, bob):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    with pytest.raises(DomainError, match="not been submitted"):
        decide(draft, 1, "recycle", bob)


# --- Dates -------------------------------------------------------------------------


def test_no_decision_before_submission(ready, bob):
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, decided_on=ready.submitted_on - datetime.timedelta(1))
    assert refused.value.field == "decided_on"
    assert "before submission (2026-01-05)" in refused.value.message


def test_a_decision_on_the_day_of_submission_is_fine(ready, bob):
    decide(ready, 1, "recycle", bob, decided_on=ready.submitted_on)


def test_no_decision_before_the_previous_one(ready, bob):
    decide(ready, 1, "recycle", bob, decided_on=datetime.date(2026, 2, 1))
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, decided_on=datetime.date(2026, 1, 31))
    assert refused.value.field == "decided_on"
    assert "before the previous one (2026-02-01)" in refused.value.message


def test_two_decisions_on_one_day_keep_their_order(ready, bob):
    first = decide(ready, 1, "go", bob)
    second = decide(ready, 2, "recycle", bob)
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.decided_on == second.decided_on


def test_no_decision_in_the_future(ready, bob):
    from django.utils import timezone

    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, decided_on=timezone.localdate() + datetime.timedelta(1))
    assert refused.value.field == "decided_on"


def test_the_date_defaults_to_today(ready, bob):
    from django.utils import timezone

    recorded = record_decision(
        project=ready, gate=1, decision="recycle", actor=bob, kill_criteria=[TEST_KILL_CRITERION]
    )
    assert recorded.decided_on == timezone.localdate()


# --- Deliverables and must-meet criteria for a go ----------------------------------

REQUIRED = {
    2: {"feasibility_study"},
    3: {"feasibility_study", "architecture_estimate"},
    4: {"architecture_estimate", "business_case"},
}
LABELS = {
    "feasibility_study": "Feasibility study",
    "architecture_estimate": "Architecture estimate",
    "business_case": "Business case",
}


def test_gate_1_needs_no_deliverable(project, bob):
    decide(project, 1, "go", bob)


def _remove(project, kind):
    """Take a deliverable away again (deliverables, unlike decisions, may be deleted)."""
    getattr(project, DELIVERABLE_RELATED_NAMES[kind]).delete()


@pytest.mark.parametrize("gate_number", [2, 3, 4])
@pytest.mark.parametrize("missing", ["feasibility_study", "architecture_estimate", "business_case"])
def test_go_needs_the_gates_required_deliverables(ready, bob, gate_number, missing):
    advance(ready, bob, gate_number)
    _remove(ready, missing)
    ready = type(ready).objects.get(pk=ready.pk)
    if missing in REQUIRED[gate_number]:
        with pytest.raises(DomainError) as refused:
            decide(ready, gate_number, "go", bob)
        assert refused.value.field == "decision"
        assert LABELS[missing] in refused.value.message
        assert not GateDecision.objects.filter(gate__number=gate_number).exists()
    else:
        decide(ready, gate_number, "go", bob)


@pytest.mark.parametrize("gate_number", [1, 2, 3, 4])
def test_kill_never_needs_deliverables_or_scores(ready, bob, gate_number):
    advance(ready, bob, gate_number)
    for kind in LABELS:
        _remove(ready, kind)
    ready = type(ready).objects.get(pk=ready.pk)
    decide(ready, gate_number, "kill", bob, scores=[])
    ready.refresh_from_db()
    assert ready.status == Status.KILLED


@pytest.mark.parametrize("gate_number", [1, 2, 3, 4])
@pytest.mark.parametrize("decision", ["kill", "hold", "recycle"])
def test_only_go_needs_the_must_meets(ready, bob, gate_number, decision):
    advance(ready, bob, gate_number)
    decide(ready, gate_number, decision, bob, scores=full_marks(gate_number, met=False))


def test_go_at_a_later_gate_without_deliverables_is_refused_but_kill_is_not(project, bob):
    decide(project, 1, "go", bob)
    with pytest.raises(DomainError, match="Feasibility study"):
        decide(project, 2, "go", bob)
    decide(project, 2, "kill", bob)


@pytest.mark.parametrize("gate_number", [1, 2, 3, 4])
def test_go_needs_every_must_meet_met(ready, bob, gate_number):
    advance(ready, bob, gate_number)
    for must in [c for c in criteria(gate_number) if c.is_must_meet]:
        for answer in (False, None):
            scores = [
                Score(criterion=c, met=answer) if c == must else s
                for c, s in zip(criteria(gate_number), full_marks(gate_number), strict=True)
            ]
            with pytest.raises(DomainError) as refused:
                decide(ready, gate_number, "go", bob, scores=scores)
            assert refused.value.field == "scores"
            assert must.name in refused.value.message
        # Leaving the criterion out altogether is the same as not meeting it.
        scores = [s for s in full_marks(gate_number) if s.criterion != must]
        with pytest.raises(DomainError, match="must-meet"):
            decide(ready, gate_number, "go", bob, scores=scores)
    decide(ready, gate_number, "go", bob)


def test_go_without_any_scorecard_is_refused(ready, bob):
    with pytest.raises(DomainError, match="must-meet"):
        decide(ready, 1, "go", bob, scores=[])


def test_a_retired_criterion_is_not_asked(ready, bob):
    must = next(c for c in criteria(1) if c.is_must_meet)
    Criterion.objects.filter(pk=must.pk).update(is_active=False)
    scores = [s for s in full_marks(1) if s.criterion.pk != must.pk]
    decide(ready, 1, "go", bob, scores=scores)


def test_should_meet_scores_never_block_a_go(ready, bob):
    decide(ready, 1, "go", bob, scores=full_marks(1, score=0))


# --- Rationale, money, probability --------------------------------------------------


@pytest.mark.parametrize("decision", ["kill", "hold"])
@pytest.mark.parametrize("rationale", ["", "   \n "])
def test_kill_and_hold_need_a_rationale(ready, bob, decision, rationale):
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, decision, bob, rationale=rationale)
    assert refused.value.field == "rationale"


@pytest.mark.parametrize("decision", ["go", "recycle"])
def test_go_and_recycle_need_no_rationale(ready, bob, decision):
    decide(ready, 1, decision, bob, rationale="")


def test_funding_cannot_be_negative(ready, bob):
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, funding_granted=Decimal("-1"))
    assert refused.value.field == "funding_granted"


@pytest.mark.parametrize("probability", [Decimal("-0.01"), Decimal("1.01")])
def test_probability_is_between_0_and_1(ready, bob, probability):
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, probability_of_success=probability)
    assert refused.value.field == "probability_of_success"


# --- Scores -------------------------------------------------------------------------


def test_it_freezes_the_scorecard_with_the_decision(ready, bob):
    scores = full_marks(1, score=7)
    recorded = decide(ready, 1, "go", bob, scores=scores)
    assert recorded.scorecard_total == Decimal("42")  # 7 × (3 + 2 + 1)
    assert recorded.scorecard_total == scorecard_total(scores)
    assert scorecard_maximum(criteria(1)) == Decimal("60")
    rows = {row.criterion.name: row for row in CriterionScore.objects.filter(decision=recorded)}
    assert len(rows) == 5
    prize = rows["Size of the prize (projected expected value)"]
    assert (prize.score, prize.weight, prize.met) == (7, Decimal("3"), None)
    testable = rows["The hypothesis can be tested"]
    assert (testable.met, testable.score) == (True, None)

    # Changing a weight later does not change the past.
    Criterion.objects.filter(pk=prize.criterion_id).update(weight=Decimal("9"))
    prize = CriterionScore.objects.get(pk=prize.pk)
    assert prize.weight == Decimal("3")


def test_no_scorecard_leaves_the_total_empty(ready, bob):
    assert decide(ready, 1, "recycle", bob).scorecard_total is None


def test_a_score_of_another_gate_is_refused(ready, bob):
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, scores=[Score(criterion=criteria(2)[0], met=True)])
    assert refused.value.field == "scores"


@pytest.mark.parametrize("score", [11, -1])
def test_a_score_is_from_0_to_10(ready, bob, score):
    should = next(c for c in criteria(1) if not c.is_must_meet)
    with pytest.raises(DomainError) as refused:
        decide(ready, 1, "recycle", bob, scores=[Score(criterion=should, score=score)])
    assert refused.value.field == "scores"


# --- Who decides ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "rita", "carol", "pete", "adam"])
def test_only_the_projects_pm_or_an_executive_decides(ready, persona, request):
    with pytest.raises(PermissionDenied):
        decide(ready, 1, "recycle", request.getfixturevalue(persona))
    assert not GateDecision.objects.exists()


def test_an_executive_decides_any_project(ready, erin):
    assert decide(ready, 1, "go", erin).decided_by == erin


def test_a_superuser_without_a_role_does_not_decide(ready):
    from tests.builders import make_user

    root = make_user("root@example.com", is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        decide(ready, 1, "recycle", root)


# --- Effects ----------------------------------------------------------------------------


def test_it_keeps_the_projects_maintained_fields(ready, bob):
    decide(
        ready,
        1,
        "go",
        bob,
        decided_on=datetime.date(2026, 1, 10),
        funding_granted=Decimal("20000"),
        probability_of_success=Decimal("0.5"),
    )
    decide(
        ready,
        2,
        "recycle",
        bob,
        decided_on=datetime.date(2026, 2, 3),
        funding_granted=Decimal("5000.50"),
    )
    ready.refresh_from_db()
    assert ready.status == Status.ACTIVE
    assert ready.current_gate == 2
    assert ready.decisions_count == 2
    assert ready.last_decision_on == datetime.date(2026, 2, 3)
    assert ready.latest_probability == Decimal("0.5")  # the recycle gave none
    assert ready.current_probability == Decimal("0.5")
    assert ready.funding_granted_total == Decimal("25000.50")
    assert ready.probability_of_success == Decimal("0.4")  # the submission's estimate stays


def test_it_writes_an_audit_entry(ready, bob):
    recorded = decide(ready, 1, "go", bob, funding_granted=Decimal("1000"))
    entry = AuditEntry.objects.get(action="decision.recorded")
    assert entry.actor == bob
    assert entry.project == ready
    assert entry.object_type == "gates.GateDecision"
    assert entry.object_id == str(recorded.pk)
    assert "Go at Gate 1: Exploration on 2026-01-10" in entry.summary
    assert "funding EUR 1,000.00" in entry.summary  # as the ledgers write money


def test_it_emails_the_researcher_and_the_team_once_committed(
    ready, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decide(ready, 1, "kill", bob, rationale="The data does not exist.")
    # The researcher, and Carol who wrote the estimate; not Bob, who decided.
    assert len(callbacks) == 2
    assert [m.to for m in mail.outbox] == [["alice@example.com"], ["carol@example.com"]]
    message = mail.outbox[0]
    assert "Kill at Gate 1: Exploration" in message.subject
    assert ready.key in message.subject
    assert "The data does not exist." in message.body
    assert f"/projects/{ready.key}/" in message.body


def test_a_refused_decision_emails_nobody_and_writes_nothing(
    ready, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        decide(ready, 1, "kill", bob, rationale="")
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="decision.recorded").exists()
    ready.refresh_from_db()
    assert ready.decisions_count == 0


def test_a_stale_project_object_is_read_again(ready, bob):
    stale = type(ready).objects.get(pk=ready.pk)
    decide(ready, 1, "go", bob)
    # ``stale`` still says gate 1; the service locks and re-reads the row.
    with pytest.raises(DomainError, match="waiting at gate 2"):
        decide(stale, 1, "go", bob)


def test_gate_may_be_given_as_an_object(ready, bob):
    assert decide(ready, gate(1), "recycle", bob).gate == gate(1)


@pytest.mark.parametrize("number", [0, 5, "two", None])
def test_an_unknown_gate_is_refused_with_a_message(ready, bob, number):
    with pytest.raises(DomainError) as refused:
        record_decision(project=ready, gate=number, decision="recycle", actor=bob, decided_on=DAY)
    assert refused.value.field == "decision"
    assert "no gate" in refused.value.message


def test_a_decision_made_against_a_stale_count_is_refused(project, bob, erin):
    record_decision(project=project, gate=1, decision="hold", actor=erin, rationale="Wait.")
    with pytest.raises(DomainError, match="1 decision was recorded: Hold at Gate 1"):
        record_decision(
            project=project,
            gate=1,
            decision="hold",
            actor=bob,
            rationale="Wait.",
            decisions_seen=0,
        )
    assert GateDecision.objects.filter(project=project).count() == 1


def test_it_asks_for_the_project_row_lock(project, bob, monkeypatch):
    """The PostgreSQL race test proves the lock works; this proves it is asked for, on any database."""
    from django.db.models.query import QuerySet

    locked = []
    real = QuerySet.select_for_update

    def recording(self, *args, **kwargs):
        locked.append(self.model)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", recording)
    record_decision(project=project, gate=1, decision="hold", actor=bob, rationale="Wait.")
    assert Project in locked
