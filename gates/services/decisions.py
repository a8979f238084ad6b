"""Gate decisions: the scorecard and recording a decision (append-only history)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from gates.models import (
    RATIONALE_MAX,
    CriterionScore,
    DecisionKind,
    Gate,
    GateDecision,
)
from gates.services.deliverables import missing_deliverables
from gates.services.scorecards import Score, check_scores, scorecard_total
from gates.services.votes import (
    KillMark,
    NewKillCriterion,
    PanelCheck,
    announce_review,
    check_panel,
    close_review,
    review_gate,
)
from portfolio import access, audit, process, versioning
from portfolio.errors import DomainError, PermissionDenied, Problems
from portfolio.models import NotificationKind, Project, Status, User
from portfolio.services import handovers
from portfolio.templatetags.numbers import money_cents
from portfolio.validators import check_money, check_money_total, is_blank, too_long_message


def _what_changed_since(project: Project, decisions_seen: int) -> str:
    since = list(
        GateDecision.objects.filter(project=project, sequence__gt=decisions_seen)
        .select_related("gate", "decided_by")
        .order_by("sequence")
    )
    if not since:
        return "This form is out of date: reload the page and decide again. Nothing was recorded."
    recorded = "; ".join(
        f"{d.get_decision_display()} at {d.gate} on {d.decided_on:%Y-%m-%d} by {d.decided_by}"
        for d in since
    )
    return (
        f"Since this page was opened, {len(since)} decision{'s' if len(since) > 1 else ''} "
        f"{'were' if len(since) > 1 else 'was'} recorded: {recorded}. "
        "Nothing was recorded from this form; review the project as it is now and decide again."
    )


def _gate(gate: Gate | int) -> Gate:
    if isinstance(gate, Gate):
        return gate
    found = Gate.objects.filter(number=gate).first() if gate in process.GATES else None
    if found is None:
        raise DomainError(f"There is no gate {gate}: use 1, 2, 3 or 4.", field="decision")
    return found


def _check(
    *,
    project: Project,
    gate: Gate,
    decision: str,
    actor: User,
    decided_on: datetime.date,
    funding_granted: Decimal | None,
    probability_of_success: Decimal | None,
    rationale: str,
    scores: list[Score],
    kill_criteria: list[NewKillCriterion] | None,
    kill_verdicts: list[KillMark] | None,
    decisions_seen: int | None,
) -> PanelCheck:
    """Every rule a decision must pass. Raises one ``DomainError`` naming every problem
    found (``problems``), so that the decider corrects them all at once; returns what the
    panel's part of the decision writes."""
    # Refused alone: after these, nothing else about the decision can be judged.
    if not access.can_decide(actor, project):
        raise PermissionDenied(
            "Only the project's product manager or an executive decides its gates."
        )
    if decisions_seen is not None and decisions_seen != project.decisions_count:
        raise DomainError(_what_changed_since(project, decisions_seen))
    if project.status == Status.DRAFT:
        raise DomainError("The proposal has not been submitted yet.", field="decision")
    problems = Problems()
    known = decision in DecisionKind.values
    if not known:
        # The rules that depend on the decision cannot be checked; the others still are.
        problems.add("Choose go, kill, hold or recycle.", field="decision")
    else:
        state = process.ProcessState(project.status, project.current_gate)
        problem = process.problem_with(state, gate.number, decision)
        if problem:
            raise DomainError(problem[0].upper() + problem[1:] + ".", field="decision")

    if decided_on < project.submitted_on:
        problems.add(
            f"A decision cannot be dated before submission ({project.submitted_on:%Y-%m-%d}).",
            field="decided_on",
        )
    elif project.last_decision_on and decided_on < project.last_decision_on:
        problems.add(
            f"A decision cannot be dated before the previous one ({project.last_decision_on:%Y-%m-%d}).",
            field="decided_on",
        )
    elif (
        decision == DecisionKind.KILL
        and project.last_spend_on
        and decided_on < project.last_spend_on
    ):
        # record_spend refuses spend dated after a kill; a kill dated before spend already
        # recorded would leave that spend after it, unflagged. Imports keep their own rule.
        problems.add(
            f"{project.key} has spend recorded up to {project.last_spend_on:%Y-%m-%d}: date "
            "the kill on or after it, or correct the spend first.",
            field="decided_on",
        )
    if decided_on > timezone.localdate():
        problems.add("A decision cannot be dated in the future.", field="decided_on")
    if decision in (DecisionKind.KILL, DecisionKind.HOLD) and is_blank(rationale):
        problems.add("Give the rationale for a kill or a hold.", field="rationale")
    elif len(rationale.strip()) > RATIONALE_MAX:
        # The form's and the API's limit, for every caller.
        problems.add(too_long_message("Rationale", RATIONALE_MAX), field="rationale")
    if funding_granted is None or funding_granted < 0:
        problems.add("Funding cannot be negative.", field="funding_granted")
    elif funding_granted > 0 and decision in (DecisionKind.KILL, DecisionKind.HOLD):
        # Money is released for a next stage (a go) or round (a recycle); a kill or a hold
        # funds nothing, and the project's total would count money never released.
        problems.add(
            f"A {DecisionKind(decision).label.lower()} grants no funding: money is released "
            "with a go (the next stage) or a recycle (another round). Leave it at 0.",
            field="funding_granted",
        )
    else:
        with problems.gather():
            check_money(funding_granted, label="Funding granted", field="funding_granted")
            check_money_total(
                project.funding_granted_total + funding_granted,
                label="Funding granted",
                what="the project's funding granted",
                field="funding_granted",
            )
    if probability_of_success is not None and not (0 <= probability_of_success <= 1):
        problems.add("A probability is between 0 and 1.", field="probability_of_success")
    if decision == DecisionKind.GO:
        missing = missing_deliverables(project, gate)
        if missing:
            problems.add(f"A go at {gate} needs: {', '.join(missing)}.", field="decision")
    with problems.gather():
        check_scores(gate, scores, decision)
    panel = check_panel(
        project=project,
        gate=gate,
        decision=decision,
        rationale=rationale,
        kill_criteria=kill_criteria,
        verdicts=kill_verdicts,
        problems=problems,
        actor=actor,
    )
    problems.raise_any()
    return panel


def check_decision(
    *,
    project: Project,
    gate: Gate | int,
    decision: str,
    actor: User,
    decided_on: datetime.date | None = None,
    funding_granted: Decimal = Decimal(0),
    probability_of_success: Decimal | None = None,
    rationale: str = "",
    scores: list[Score] | None = None,
    kill_criteria: list[NewKillCriterion] | None = None,
    kill_verdicts: list[KillMark] | None = None,
    decisions_seen: int | None = None,
) -> None:
    """What ``record_decision`` would refuse, without recording anything: one
    ``DomainError`` naming every problem, or nothing when it would be recorded.

    For a form some of whose answers could not be read (a date that is not one): it
    shows the rules' problems with the rest beside its own, rather than one after the
    other. Leave out what could not be read.
    """
    _check(
        project=project,
        gate=_gate(gate),
        decision=decision,
        actor=actor,
        decided_on=decided_on or timezone.localdate(),
        funding_granted=funding_granted,
        probability_of_success=probability_of_success,
        rationale=rationale,
        scores=scores or [],
        kill_criteria=kill_criteria,
        kill_verdicts=kill_verdicts,
        decisions_seen=decisions_seen,
    )


@transaction.atomic
def record_decision(
    *,
    project: Project,
    gate: Gate | int,
    decision: str,
    actor: User,
    decided_on: datetime.date | None = None,
    funding_granted: Decimal = Decimal(0),
    probability_of_success: Decimal | None = None,
    rationale: str = "",
    scores: list[Score] | None = None,
    kill_criteria: list[NewKillCriterion] | None = None,
    kill_verdicts: list[KillMark] | None = None,
    decisions_seen: int | None = None,
) -> GateDecision:
    """Record a gate decision, enforcing the process rules, and tell the researcher.

    A decision against the rules is refused with one ``DomainError`` that names every
    problem it has (``error.problems``, each with its ``field``), and nothing is written.

    ``decisions_seen`` is the number of decisions the decider saw when they made up
    their mind (the form carries it); when others were recorded since, nothing is
    written and the message says what changed.

    The decision closes the gate's review: it freezes the gatekeepers' votes,
    records the chair's verdict on the kill criteria the review had to judge
    (``kill_verdicts``; a go or a recycle needs one for each) and registers the kill
    criteria of the next review (``kill_criteria``: one to five, required on a go to a
    next gate and on a recycle, refused on any other decision). Only a go or a recycle
    grants funding.
    """
    gate = _gate(gate)
    # The row lock is what serializes two decisions racing on one project.
    project = Project.objects.select_for_update().get(pk=project.pk)
    scores = scores or []
    decided_on = decided_on or timezone.localdate()
    panel = _check(
        project=project,
        gate=gate,
        decision=decision,
        actor=actor,
        decided_on=decided_on,
        funding_granted=funding_granted,
        probability_of_success=probability_of_success,
        rationale=rationale,
        scores=scores,
        kill_criteria=kill_criteria,
        kill_verdicts=kill_verdicts,
        decisions_seen=decisions_seen,
    )
    state = process.ProcessState(project.status, project.current_gate)

    # What the decision changes is this project's part of the metrics (versioning.changing).
    with versioning.changing(project):
        try:
            with transaction.atomic():
                recorded = GateDecision.objects.create(
                    project=project,
                    gate=gate,
                    decision=decision,
                    funding_granted=funding_granted,
                    probability_of_success=probability_of_success,
                    rationale=rationale,
                    decided_by=actor,
                    decided_on=decided_on,
                    sequence=project.decisions_count + 1,
                    scorecard_total=scorecard_total(scores) if scores else None,
                )
        except IntegrityError:
            raise DomainError(
                "Another decision on this project was recorded at the same moment; reload and review it.",
                field="decision",
            ) from None
        CriterionScore.objects.bulk_create(
            [
                CriterionScore(
                    decision=recorded,
                    criterion=s.criterion,
                    met=s.met if s.criterion.is_must_meet else None,
                    score=s.score if not s.criterion.is_must_meet else None,
                    weight=s.criterion.weight,
                    criterion_name=s.criterion.name,
                    criterion_kind=s.criterion.kind,
                )
                for s in scores
            ]
        )
        close_review(project=project, gate=gate, recorded=recorded, check=panel)
        new_state = process.apply(state, gate.number, decision)
        project.status = new_state.status
        project.current_gate = new_state.current_gate
        project.decisions_count += 1
        project.last_decision_on = decided_on
        if probability_of_success is not None:
            project.latest_probability = probability_of_success
        project.funding_granted_total += funding_granted
        project.save(
            update_fields=[
                "status",
                "current_gate",
                "decisions_count",
                "last_decision_on",
                "latest_probability",
                "funding_granted_total",
                "updated_at",
            ]
        )
        audit.record(
            actor=actor,
            action="decision.recorded",
            project=project,
            obj=recorded,
            summary=f"{recorded.get_decision_display()} at {gate} on {decided_on:%Y-%m-%d}"
            + (f", funding {money_cents(funding_granted)}" if funding_granted else ""),
        )
        # The review it opens asks its gatekeepers for their vote; whoever the decision's
        # notice also reaches is asked in it (one message), as their settings allow.
        asked_in_notice = announce_review(
            project=project,
            actor=actor,
            notice=NotificationKind.DECISION_RECORDED,
            noticed=[person.pk for person in handovers.told_of_decision(project, actor)],
        )
        recorded.notice = handovers.decision_recorded(
            project, recorded, actor, vote_asked=asked_in_notice, review=review_gate(project)
        )
        if decision == DecisionKind.GO:
            handovers.estimate_needed(project, actor)
    return recorded
