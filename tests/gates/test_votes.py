"""The decision panel's services: who judges, blind votes, the majority, kill criteria."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from gates.models import (
    AppendOnlyError,
    FrozenAfterDecisionError,
    Gatekeeper,
    KillCriterion,
    Vote,
    VoteScore,
)
from gates.services import (
    KillMark,
    NewKillCriterion,
    cast_vote,
    gatekeepers,
    has_voted,
    pending_kill_criteria,
    record_decision,
    send_vote_reminders,
)
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Role
from tests.builders import (
    TEST_KILL_CRITERION,
    add_business_case,
    add_estimate,
    add_study,
    full_marks,
    gate,
    gate_admin_form_data,
    make_project,
    make_user,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 1, 10)


@pytest.fixture
def at_gate_3(alice, bob, carol):
    """A project at gate 3 whose estimate Carol wrote: Bob chairs, Carol judges with him."""
    project = make_project(researcher=alice, product_manager=bob, current_gate=3, decisions_count=2)
    add_study(project, alice)
    add_estimate(project, carol)
    return project


def vote(project, actor, recommendation="go", **kw):
    kw.setdefault("probability_of_success", Decimal("0.6"))
    return cast_vote(
        project=project, gate=project.current_gate, actor=actor, recommendation=recommendation, **kw
    )


def decide(project, actor, decision="go", **kw):
    if decision == "go":
        kw.setdefault("scores", full_marks(project.current_gate))
    if decision == "recycle" or (decision == "go" and project.current_gate < 4):
        kw.setdefault("kill_criteria", [TEST_KILL_CRITERION])
    if decision in ("kill", "hold"):
        kw.setdefault("rationale", "Because.")
    return record_decision(
        project=project,
        gate=project.current_gate,
        decision=decision,
        actor=actor,
        decided_on=DAY,
        **kw,
    )


# --- Who judges -------------------------------------------------------------------


def test_gate_1_is_judged_by_the_product_manager_alone(project, bob, carol, erin):
    assert gatekeepers(project, gate(1)) == [bob]


def test_gates_2_and_3_add_the_projects_architect_and_gate_4_the_executives(
    at_gate_3, bob, carol, erin
):
    other_architect = make_user("arnold@example.com", Role.ARCHITECT)
    assert gatekeepers(at_gate_3, gate(2)) == [bob, carol]
    assert gatekeepers(at_gate_3, gate(3)) == [bob, carol]
    assert other_architect not in gatekeepers(at_gate_3, gate(3))
    assert gatekeepers(at_gate_3, gate(4)) == [bob, carol, erin]


def test_an_admin_adds_a_named_person_or_a_role_to_a_gate(project, bob, carol, pete):
    Gatekeeper.objects.create(gate=gate(1), kind=Gatekeeper.Kind.PERSON, person=pete)
    Gatekeeper.objects.create(gate=gate(1), kind=Gatekeeper.Kind.ROLE, role=Role.ARCHITECT)
    assert gatekeepers(project, gate(1)) == [bob, pete, carol]


# --- Voting -----------------------------------------------------------------------------


def test_a_gatekeeper_votes_and_can_change_the_vote_until_the_decision(at_gate_3, carol):
    vote(at_gate_3, carol, "kill", comment="Too costly.", scores=full_marks(3, score=3))
    changed = vote(at_gate_3, carol, "hold", comment="Wait for the pilot.")
    assert Vote.objects.count() == 1
    assert (changed.recommendation, changed.comment) == ("hold", "Wait for the pilot.")
    assert VoteScore.objects.filter(vote=changed).count() == 0


def test_someone_who_is_not_a_gatekeeper_cannot_vote(at_gate_3, erin, pete):
    for outsider in (erin, pete):
        with pytest.raises(PermissionDenied):
            vote(at_gate_3, outsider)
    assert not Vote.objects.exists()


def test_votes_are_blind_until_you_have_voted(at_gate_3, bob, carol):
    vote(at_gate_3, carol, "kill")
    assert not has_voted(bob, at_gate_3)
    vote(at_gate_3, bob, "go")
    assert has_voted(bob, at_gate_3)


def test_the_decision_freezes_the_votes(at_gate_3, bob, carol):
    cast = vote(at_gate_3, carol, "go", scores=full_marks(3))
    # Bob has not voted: the votes are blind to him, and deciding so needs a rationale.
    decision = decide(at_gate_3, bob, "go", rationale="The pilot customer signed.")
    cast.refresh_from_db()
    assert cast.decision == decision
    cast.comment = "Changed my mind"
    with pytest.raises(FrozenAfterDecisionError):
        cast.save()
    with pytest.raises(FrozenAfterDecisionError):
        cast.delete()
    with pytest.raises(FrozenAfterDecisionError):
        Vote.objects.filter(pk=cast.pk).update(comment="edited")
    with pytest.raises(FrozenAfterDecisionError):
        VoteScore.objects.filter(vote=cast).delete()
    assert Vote.objects.get(pk=cast.pk).comment == ""


def test_a_vote_for_a_review_already_decided_is_refused(at_gate_3, bob, carol):
    seen_round = at_gate_3.decisions_count
    decide(at_gate_3, bob, "hold")
    with pytest.raises(DomainError, match="recorded before your vote"):
        vote(at_gate_3, carol, "go", review_round=seen_round)


# --- The majority --------------------------------------------------------------------


def test_deciding_against_the_majority_needs_a_rationale(at_gate_3, bob, carol):
    vote(at_gate_3, carol, "kill")
    vote(at_gate_3, bob, "kill")
    with pytest.raises(DomainError, match="majority") as refused:
        decide(at_gate_3, bob, "go")
    assert refused.value.field == "rationale"
    decision = decide(at_gate_3, bob, "go", rationale="The pilot customer signed yesterday.")
    assert decision.against_majority
    assert [v.voter for v in decision.dissenters] == [carol, bob]


def test_a_tie_is_no_majority(at_gate_3, bob, carol):
    vote(at_gate_3, carol, "kill")
    vote(at_gate_3, bob, "go")
    decision = decide(at_gate_3, bob, "recycle")
    assert decision.majority is None
    assert not decision.against_majority


def test_deciding_without_a_quorum_is_recorded(at_gate_3, bob, carol):
    decision = decide(at_gate_3, bob, "go")
    assert decision.without_quorum
    absent = decision.votes.get()
    assert (absent.voter, absent.recommendation) == (carol, "")


def test_with_the_product_manager_alone_the_review_works_as_before(project, bob):
    decision = decide(project, bob, "go")
    assert not decision.votes.exists()
    assert not (decision.without_quorum or decision.against_majority)


# --- Kill criteria --------------------------------------------------------------------


@pytest.fixture
def at_gate_2(alice, bob, carol):
    project = make_project(researcher=alice, product_manager=bob, current_gate=2, decisions_count=1)
    add_study(project, alice)
    return project


CRITERIA = [
    NewKillCriterion("Precision on the 2025 hold-out", ">=", Decimal("0.8")),
    NewKillCriterion("Signed data-access agreement"),
]


def test_a_go_registers_kill_criteria_for_the_next_review(at_gate_2, bob, carol):
    decision = decide(at_gate_2, bob, "go", kill_criteria=CRITERIA)
    registered = list(decision.kill_criteria.all())
    assert [(c.position, c.gate.number, c.threshold) for c in registered] == [
        (1, 3, "≥ 0.8"),  # as the form offers it: at least (≥)
        (2, 3, ""),
    ]
    at_gate_2.refresh_from_db()
    assert pending_kill_criteria(at_gate_2) == registered
    with pytest.raises(AppendOnlyError):
        registered[0].delete()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([NewKillCriterion(f"Evidence {n}") for n in range(6)], "At most 5"),
        ([NewKillCriterion("Precision", ">=")], "needs a comparison"),
        ([NewKillCriterion("Precision", "", Decimal(1))], "needs a comparison"),
        ([NewKillCriterion("", ">=", Decimal(1))], "say what evidence"),
        # Past what every database reads back exactly (SQLite: 15 significant digits).
        (
            [NewKillCriterion("Users", ">=", Decimal("999999999999.9999"))],
            "at most 11 digits before the point and 4 after",
        ),
        ([NewKillCriterion("Users", ">=", Decimal("0.00001"))], "at most 11 digits"),
    ],
)
def test_bad_kill_criteria_are_refused_and_nothing_is_recorded(at_gate_2, bob, criteria, message):
    with pytest.raises(DomainError, match=message):
        decide(at_gate_2, bob, "go", kill_criteria=criteria)
    assert not KillCriterion.objects.exists()
    assert not at_gate_2.decisions.exists()


def test_a_kill_registers_no_kill_criteria(at_gate_2, bob):
    with pytest.raises(DomainError, match="Only a go"):
        decide(at_gate_2, bob, "kill", kill_criteria=CRITERIA)


@pytest.fixture
def with_criteria(at_gate_2, bob, carol):
    decide(at_gate_2, bob, "go", kill_criteria=CRITERIA)
    add_estimate(at_gate_2, carol)
    at_gate_2.refresh_from_db()
    return at_gate_2


def test_each_gatekeeper_marks_every_kill_criterion(with_criteria, carol):
    first, second = pending_kill_criteria(with_criteria)
    with pytest.raises(DomainError, match="Signed data-access"):
        vote(with_criteria, carol, "go", kill_marks=[KillMark(first, True)])
    cast = vote(
        with_criteria,
        carol,
        "kill",
        kill_marks=[KillMark(first, True, "0.83"), KillMark(second, False, "Legal says May.")],
    )
    assert sorted((m.met, m.note) for m in cast.kill_marks.all()) == [
        (False, "Legal says May."),
        (True, "0.83"),
    ]


def test_a_go_needs_the_chairs_verdict_on_each_kill_criterion(with_criteria, bob):
    first, _ = pending_kill_criteria(with_criteria)
    with pytest.raises(DomainError, match="met or not met"):
        decide(with_criteria, bob, "go", kill_verdicts=[KillMark(first, True)])


def test_a_go_with_a_kill_criterion_not_met_is_an_override_needing_a_rationale(with_criteria, bob):
    first, second = pending_kill_criteria(with_criteria)
    verdicts = [KillMark(first, True), KillMark(second, False, "Signed next month.")]
    with pytest.raises(DomainError, match="overrides") as refused:
        decide(with_criteria, bob, "go", kill_verdicts=verdicts)
    assert refused.value.field == "rationale"
    decision = decide(
        with_criteria, bob, "go", kill_verdicts=verdicts, rationale="Legal has approved it."
    )
    assert decision.overrides_kill_criteria
    assert [(v.criterion, v.met) for v in decision.kill_verdicts.all()] == [
        (first, True),
        (second, False),
    ]
    with_criteria.refresh_from_db()
    # Judged, they are no longer pending: gate 4 is held to the go's own.
    assert [c.decision for c in pending_kill_criteria(with_criteria)] == [decision]


def test_a_go_with_every_kill_criterion_met_is_no_override(with_criteria, bob):
    verdicts = [KillMark(c, True) for c in pending_kill_criteria(with_criteria)]
    assert not decide(with_criteria, bob, "go", kill_verdicts=verdicts).overrides_kill_criteria


def test_a_hold_leaves_the_kill_criteria_for_the_decision_after_it(with_criteria, bob):
    decide(with_criteria, bob, "hold")
    with_criteria.refresh_from_db()
    assert len(pending_kill_criteria(with_criteria)) == 2


@pytest.mark.parametrize("decision", ["go", "recycle"])
def test_a_go_to_a_next_gate_or_a_recycle_needs_kill_criteria(at_gate_2, bob, decision):
    with pytest.raises(DomainError, match="registers one to five kill criteria") as refused:
        decide(at_gate_2, bob, decision, kill_criteria=[], rationale="Another round.")
    assert refused.value.field == "kill_criteria"
    assert not at_gate_2.decisions.exists()


def test_a_go_at_gate_1_needs_kill_criteria_too(project, bob):
    with pytest.raises(DomainError, match="at the gate 2 review") as refused:
        decide(project, bob, "go", kill_criteria=[NewKillCriterion("  ")])
    assert refused.value.field == "kill_criteria"
    assert not project.decisions.exists()


def test_a_go_at_the_last_gate_greenlights_without_kill_criteria(alice, bob, carol):
    at_gate_4 = make_project(
        researcher=alice, product_manager=bob, current_gate=4, decisions_count=3
    )
    add_study(at_gate_4, alice)
    add_estimate(at_gate_4, carol)
    add_business_case(at_gate_4, bob)
    with pytest.raises(DomainError, match="Only a go to a next gate or a recycle"):
        decide(at_gate_4, bob, "go", kill_criteria=CRITERIA)
    decision = decide(at_gate_4, bob, "go")
    assert not decision.kill_criteria.exists()


def test_a_recycle_must_judge_the_kill_criteria_it_was_held_to(with_criteria, bob):
    first, second = pending_kill_criteria(with_criteria)
    with pytest.raises(DomainError, match="met or not met") as refused:
        decide(with_criteria, bob, "recycle", rationale="Another round.")
    assert refused.value.field == "kill_verdicts"
    assert with_criteria.decisions.count() == 1
    assert pending_kill_criteria(with_criteria) == [first, second]


def test_a_recycle_with_a_kill_criterion_not_met_needs_a_rationale(with_criteria, bob):
    first, second = pending_kill_criteria(with_criteria)
    verdicts = [KillMark(first, True), KillMark(second, False, "Legal says May.")]
    with pytest.raises(DomainError, match="A recycle with a kill criterion not met") as refused:
        decide(with_criteria, bob, "recycle", kill_verdicts=verdicts)
    assert refused.value.field == "rationale"


def test_a_recycle_judges_the_old_criteria_and_holds_the_next_round_to_its_own(with_criteria, bob):
    first, second = pending_kill_criteria(with_criteria)
    recycle = decide(
        with_criteria,
        bob,
        "recycle",
        rationale="The agreement is signed next month; look again then.",
        kill_verdicts=[KillMark(first, True), KillMark(second, False)],
        kill_criteria=[NewKillCriterion("Signed data-access agreement")],
    )
    assert [(v.criterion, v.met) for v in recycle.kill_verdicts.all()] == [
        (first, True),
        (second, False),
    ]
    assert not recycle.overrides_kill_criteria  # only a go moves on against one
    with_criteria.refresh_from_db()
    [again] = pending_kill_criteria(with_criteria)
    assert (again.statement, again.gate.number, again.decision) == (
        "Signed data-access agreement",
        3,
        recycle,
    )


@pytest.mark.parametrize("decision", ["kill", "hold"])
def test_a_kill_or_a_hold_grants_no_funding(at_gate_2, bob, decision):
    with pytest.raises(DomainError, match=f"A {decision} grants no funding") as refused:
        decide(at_gate_2, bob, decision, funding_granted=Decimal("50000"))
    assert refused.value.field == "funding_granted"
    at_gate_2.refresh_from_db()
    assert (at_gate_2.decisions_count, at_gate_2.funding_granted_total) == (1, Decimal(0))


# --- Reminders ------------------------------------------------------------------------


def test_gatekeepers_are_e_mailed_when_a_review_opens(
    at_gate_2, bob, carol, erin, django_capture_on_commit_callbacks
):
    add_estimate(at_gate_2, carol)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(at_gate_2, bob, "go")
    asked = [m for m in mail.outbox if "your vote" in m.subject]
    assert [m.to for m in asked] == [[carol.email]]
    assert "/gate-review/" in asked[0].body


def test_those_who_have_not_voted_are_reminded_once_after_the_delay(
    at_gate_3, bob, carol, settings, django_capture_on_commit_callbacks
):
    settings.VOTE_REMINDER_DAYS = 3
    at_gate_3.last_decision_on = DAY
    at_gate_3.save()
    # The review's first call asks the chair; Carol was asked when she wrote the estimate.
    assert send_vote_reminders(today=DAY) == 1
    mail.outbox.clear()
    vote(at_gate_3, bob, "go")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_vote_reminders(today=DAY + datetime.timedelta(days=2)) == 0
        assert send_vote_reminders(today=DAY + datetime.timedelta(days=3)) == 1
        assert send_vote_reminders(today=DAY + datetime.timedelta(days=9)) == 0
    assert [m.to for m in mail.outbox] == [[carol.email]]
    assert "reminder" in mail.outbox[0].body.lower()


@pytest.mark.postgres
def test_the_database_itself_refuses_to_change_a_decided_vote_or_a_kill_criterion(
    at_gate_3, bob, carol
):
    from django.db import IntegrityError, connection, transaction

    cast = vote(at_gate_3, carol, "go", scores=full_marks(3))
    with connection.cursor() as cursor:  # still open: a plain change goes through
        cursor.execute("UPDATE gates_vote SET comment = 'open' WHERE id = %s", [cast.pk])
    decide(
        at_gate_3,
        bob,
        "go",
        kill_criteria=[NewKillCriterion("Signed agreement")],
        rationale="Carol's case holds.",  # the votes are blind to Bob: a rationale is asked
    )
    refused = [
        ("UPDATE gates_vote SET comment = 'edited' WHERE id = %s", cast.pk),
        ("DELETE FROM gates_votescore WHERE vote_id = %s", cast.pk),
        ("DELETE FROM gates_killcriterion WHERE project_id = %s", at_gate_3.pk),
    ]
    for sql, pk in refused:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert Vote.objects.get(pk=cast.pk).comment == "open"


def test_an_admin_edits_a_gates_gatekeepers_in_the_admin(client, adam, pete):
    from django.urls import reverse

    from gates.models import Gate

    gate_1 = Gate.objects.get(number=1)
    client.force_login(adam)
    data = gate_admin_form_data(client, gate_1)
    assert "gatekeepers-TOTAL_FORMS" in data
    data["gatekeepers-TOTAL_FORMS"] = "1"
    data["gatekeepers-0-kind"] = "person"
    data["gatekeepers-0-person"] = str(pete.pk)
    response = client.post(reverse("admin:gates_gate_change", args=[gate_1.pk]), data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert list(Gatekeeper.objects.filter(gate=gate_1).values_list("person", flat=True)) == [
        pete.pk
    ]
