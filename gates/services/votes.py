"""The decision panel: who judges a gate, their blind votes, kill criteria and reminders.

A gate review is open from the moment the project reaches a gate until the
decision there. While it is open each gatekeeper may cast (and change) one
vote; the decision freezes every vote of the review with it. Kill criteria
are registered by a go (to a next gate) or a recycle, one to five of them, and
judged by the chair at the next review: a go or a recycle gives a verdict on each, a
kill may, a hold leaves them for the decision after it. ``record_decision`` calls
``check_panel`` before it writes anything (with the decision's other checks, so that
one refusal names every problem) and ``close_review`` in the same transaction after.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gates.models import (
    ArchitectureEstimate,
    DecisionKind,
    Gate,
    GateDecision,
    Gatekeeper,
    KillCriterion,
    KillCriterionMark,
    KillCriterionVerdict,
    Vote,
    VoteReminder,
    VoteScore,
)
from gates.models.panel import COMMENT_MAX, majority_recommendation
from gates.services.scorecards import Score, check_scores, scorecard_total, unmet_message
from portfolio import access, audit, edits, panels, versioning
from portfolio.errors import DomainError, PermissionDenied, Problems
from portfolio.models import AuditEntry, NotificationKind, Project, Status, User
from portfolio.services.notifications import notify, takes_alike
from portfolio.validators import blank_if_invisible, is_blank, too_long_message

STATEMENT_MAX = 500


@dataclass(frozen=True)
class KillMark:
    """A gatekeeper's (or the chair's final) met / not met on one kill criterion."""

    criterion: KillCriterion
    met: bool
    note: str = ""


@dataclass(frozen=True)
class NewKillCriterion:
    """Evidence that would kill the project at the next review, with an optional threshold.

    ``row`` is its number where it was typed (the form's row, which may follow an empty
    one); the messages name it by that number, or by its position in the list without it.
    """

    statement: str
    comparison: str = ""
    target: Decimal | None = None
    row: int | None = None

    @property
    def typed(self) -> bool:
        return bool(not is_blank(self.statement) or self.comparison or self.target is not None)


@dataclass
class PanelCheck:
    """What ``check_panel`` found, for ``close_review`` to write."""

    gatekeepers: list[User]
    open_votes: list[Vote]
    pending: list[KillCriterion]
    kill_criteria: list[NewKillCriterion] = field(default_factory=list)
    verdicts: list[KillMark] = field(default_factory=list)


# --- Who judges -------------------------------------------------------------------


def project_architect(project: Project) -> User | None:
    """The architect who wrote the project's estimate; none before there is one."""
    estimate = ArchitectureEstimate.objects.filter(project=project).select_related("author").first()
    return estimate.author if estimate else None


def gatekeepers(project: Project, gate: Gate) -> list[User]:
    """The gate's judges for this project: its product manager (the chair) first, while active.

    The rule is ``portfolio.panels.panel_members``'s, which My work's list of the reviews
    waiting for a vote follows too; this loads what it reads for one review."""
    keepers = list(panels.keeper_rows().filter(gate=gate))
    kinds = Gatekeeper.Kind
    holders = panels.active_role_holders({k.role for k in keepers if k.kind == kinds.ROLE})
    architect = (
        project_architect(project) if any(k.kind == kinds.ARCHITECT for k in keepers) else None
    )
    people: dict[int, User] = {k.person_id: k.person for k in keepers if k.kind == kinds.PERSON}
    for found in holders.values():
        people.update((person.pk, person) for person in found)
    if architect is not None:
        people[architect.pk] = architect
    chair = project.product_manager
    if chair is not None:
        people[chair.pk] = chair
    members = panels.panel_members(
        # A product manager no longer active chairs nothing and is asked nothing (the review
        # page says so: an admin gives the project another one).
        product_manager_id=chair.pk if chair is not None and chair.is_active else None,
        keepers=keepers,
        estimate_author_id=architect.pk if architect is not None and architect.is_active else None,
        role_holders={role: [p.pk for p in found] for role, found in holders.items()},
    )
    return [people[pk] for pk in members]


def review_gate(project: Project) -> Gate | None:
    """The gate whose review is open; none once the project is closed or a draft."""
    if project.status not in (Status.ACTIVE, Status.ON_HOLD) or project.current_gate is None:
        return None
    return Gate.objects.filter(number=project.current_gate).first()


def is_gatekeeper(user: User, project: Project, gate: Gate | None) -> bool:
    if gate is None or not user.is_authenticated:
        return False
    return any(person.pk == user.pk for person in gatekeepers(project, gate))


def may_open_review(user: User, project: Project) -> bool:
    """Who may open the review page: those who decide, and the open review's gatekeepers."""
    if access.can_decide(user, project):
        return True
    if not user.is_authenticated or project.is_draft:
        return False
    if is_gatekeeper(user, project, review_gate(project)):
        return True
    return Vote.objects.filter(project=project, voter=user).exists()


def open_votes(project: Project):
    return Vote.objects.filter(project=project, decision__isnull=True)


def pending_kill_criteria(project: Project) -> list[KillCriterion]:
    """The kill criteria the open review must judge: those of the last go or recycle."""
    if review_gate(project) is None:
        return []
    registering = (
        GateDecision.objects.filter(
            project=project, decision__in=[DecisionKind.GO, DecisionKind.RECYCLE]
        )
        .order_by("-sequence")
        .first()
    )
    if registering is None:
        return []
    return list(
        KillCriterion.objects.filter(
            decision=registering, gate__number=project.current_gate, verdict__isnull=True
        ).select_related("decision__gate", "gate")
    )


# --- Voting -----------------------------------------------------------------------

# What a gatekeeper's vote form (and the API's PUT) edits: a page or a GET that read the
# vote before it was changed elsewhere (another tab, a script) is refused, not a silent
# overwrite (``portfolio.edits``).
VOTE_FIELDS = ("recommendation", "probability_of_success", "comment")
# The trail's entries of a vote name no field (they keep the review blind): each counts as
# a change, said with its verb.
VOTE_ACTIONS = {"vote.cast": "cast", "vote.changed": "changed"}


def my_open_vote(project: Project, voter: User) -> Vote | None:
    """``voter``'s vote in the project's open review; None before they have cast one."""
    vote = open_votes(project).filter(voter=voter).first()
    return vote if vote is not None and vote.recommendation else None


def vote_values(vote: Vote | None) -> dict | None:
    """The vote as its form edits it (scores and kill marks by criterion id): the digest of
    the page's hidden ``version_seen`` and of the API's ETag. None before a vote is cast."""
    if vote is None or not vote.recommendation:
        return None
    return edits.values_of(
        vote,
        VOTE_FIELDS,
        scores={str(s.criterion_id): {"met": s.met, "score": s.score} for s in vote.scores.all()},
        kill_marks={
            str(m.criterion_id): {"met": m.met, "note": m.note} for m in vote.kill_marks.all()
        },
    )


def _check_marks(
    marks: list[KillMark], pending: list[KillCriterion], *, field_name: str, problems: Problems
) -> None:
    """Every mark must be on a criterion of the review, and every criterion marked: each
    problem is added to ``problems``, about its criterion (``subject``)."""
    pending_ids = {c.pk for c in pending}
    seen = set()
    for position, mark in enumerate(marks, start=1):
        if mark.criterion.pk in seen:
            # Twice would break the one-mark-per-criterion constraint (a 500, not a message).
            problems.add(
                f"The kill criterion “{mark.criterion.statement}” is marked twice.",
                field=field_name,
                item=position,
                part="criterion",
                subject=mark.criterion,
            )
            continue
        seen.add(mark.criterion.pk)
        if mark.criterion.pk not in pending_ids:
            problems.add(
                f"“{mark.criterion.statement}” is not a kill criterion of this review.",
                field=field_name,
                item=position,
                part="criterion",
                subject=mark.criterion,
            )
    marked = {mark.criterion.pk for mark in marks}
    for criterion in pending:
        if criterion.pk not in marked:
            problems.add(
                f"Mark the kill criterion “{criterion.statement}” met or not met.",
                field=field_name,
                subject=criterion,
            )


def _decided_since(project: Project, review_round: int) -> str:
    """A vote for a round that is over: the decisions recorded since, and the round now."""
    since = (
        GateDecision.objects.filter(project=project, sequence__gt=review_round)
        .select_related("gate", "decided_by")
        .order_by("sequence")
    )
    recorded = "; ".join(
        f"{d.get_decision_display()} at {d.gate} on {d.decided_on:%Y-%m-%d} by {d.decided_by}"
        for d in since
    )
    now = f"the review round is now {project.decisions_count}, not {review_round}"
    return (
        "The decision of this review was recorded before your vote arrived "
        f"({f'{recorded}; ' if recorded else ''}{now}): "
        "your vote was not counted. Reload the review."
    )


@transaction.atomic
def cast_vote(
    *,
    project: Project,
    gate: int,
    actor: User,
    recommendation: str,
    probability_of_success: Decimal | None = None,
    comment: str = "",
    scores: list[Score] | None = None,
    kill_marks: list[KillMark] | None = None,
    review_round: int | None = None,
    seen: str | None = None,
) -> Vote:
    """Cast or change the actor's vote in the open review of ``gate``.

    ``review_round`` is the number of decisions the voter saw on the page: if a
    decision came in between, the vote is refused rather than counted in the
    wrong review. ``seen``: the vote as the page (or the API's GET) read it
    (``vote_values``'s token or digest): if it was cast or changed since, from another
    tab or through the API, nothing is saved (``portfolio.edits.ChangedSince``).
    """
    # The same row lock as record_decision: a late vote and the decision are serialized.
    project = Project.objects.select_for_update().get(pk=project.pk)
    scores = scores or []
    kill_marks = kill_marks or []
    if project.is_draft:
        raise DomainError("The proposal has not been submitted yet.", field="recommendation")
    review = review_gate(project)
    if review is None:
        raise DomainError(
            "The process has ended for this project: the votes are closed.",
            field="recommendation",
        )
    # A decision recorded since the voter read the review (a round they saw is over) says
    # so; a gate or a round that never was the review's says what it is, as a decision's.
    if review_round is not None and review_round < project.decisions_count:
        raise DomainError(_decided_since(project, review_round), field="recommendation")
    if review.number != gate:
        raise DomainError(
            f"The project is waiting at gate {review.number}, not gate {gate}: "
            "your vote was not counted.",
            field="gate",
        )
    if review_round is not None and review_round != project.decisions_count:
        raise DomainError(
            f"The review round is {project.decisions_count}, not {review_round} "
            "(the decisions recorded so far): your vote was not counted.",
            field="review_round",
        )
    if not is_gatekeeper(actor, project, review):
        raise PermissionDenied(f"Only the gatekeepers of {review} vote on it.")
    # Under the project's lock, as every vote is cast: compared with the vote as stored now.
    stored = open_votes(project).select_for_update().filter(voter=actor).first()
    edits.check(
        seen,
        record=stored,
        values=vote_values(stored),
        what="your vote",
        actions=VOTE_ACTIONS,
    )
    if recommendation not in DecisionKind.values:
        raise DomainError("Recommend go, kill, hold or recycle.", field="recommendation")
    problems = Problems()
    if probability_of_success is not None and not (0 <= probability_of_success <= 1):
        problems.add("A probability is between 0 and 1.", field="probability_of_success")
    if len(comment.strip()) > COMMENT_MAX:
        # The form's and the API's limit, for every caller.
        problems.add(too_long_message("Comment", COMMENT_MAX), field="comment")
    with problems.gather():
        check_scores(review, scores, "")
    # A go that answers a must-meet criterion "No" contradicts itself: refused, as a go
    # decision is (a vote may leave one unanswered).
    said_no = [s.criterion for s in scores if s.criterion.is_must_meet and s.met is False]
    if recommendation == DecisionKind.GO and said_no:
        problems.add(unmet_message(said_no), field="scores", subject=said_no)
    _check_marks(
        kill_marks, pending_kill_criteria(project), field_name="kill_marks", problems=problems
    )
    problems.raise_any()

    with versioning.changing(project):
        vote = stored
        changed = vote is not None
        if vote is None:
            vote = Vote(project=project, gate=review, voter=actor)
        vote.recommendation = recommendation
        vote.probability_of_success = probability_of_success
        vote.comment = comment.strip()
        vote.scorecard_total = scorecard_total(scores) if scores else None
        vote.voted_at = timezone.now()
        vote.save()
        VoteScore.objects.filter(vote=vote).delete()
        VoteScore.objects.bulk_create(
            VoteScore(
                vote=vote,
                criterion=s.criterion,
                met=s.met if s.criterion.is_must_meet else None,
                score=s.score if not s.criterion.is_must_meet else None,
                weight=s.criterion.weight,
            )
            for s in scores
        )
        KillCriterionMark.objects.filter(vote=vote).delete()
        KillCriterionMark.objects.bulk_create(
            KillCriterionMark(vote=vote, criterion=m.criterion, met=m.met, note=m.note.strip())
            for m in kill_marks
        )
        # The summary leaves the recommendation out: the trail must not unblind the review.
        audit.record(
            actor=actor,
            action="vote.changed" if changed else "vote.cast",
            project=project,
            obj=vote,
            summary=f"{'Changed their vote' if changed else 'Voted'} at {review}",
        )
        return vote


# --- The decision closes the review ----------------------------------------------------


# A kill criterion's number: 11 digits before the point, 4 after (15 in all).
TARGET_WHOLE_DIGITS = 11
TARGET_DECIMALS = 4
TARGET_LIMIT = Decimal(10) ** TARGET_WHOLE_DIGITS


def _clean_new_criteria(
    criteria: list[NewKillCriterion], problems: Problems
) -> list[NewKillCriterion]:
    """The criteria to register, each checked: every problem of every row is added to
    ``problems``, about its row (``item``) and the part to correct (``part``)."""
    cleaned = []
    for position, criterion in enumerate(criteria, start=1):
        if not criterion.typed:
            continue
        number = criterion.row or position
        statement = blank_if_invisible(criterion.statement)
        comparison = criterion.comparison or ""
        target = criterion.target
        found = []  # (part, message)
        if not statement:
            found.append(("statement", "say what evidence it asks for."))
        elif len(statement) > STATEMENT_MAX:
            found.append(("statement", f"at most {STATEMENT_MAX} characters."))
        if comparison and comparison not in KillCriterion.Comparison.values:
            found.append(("comparison", "compare with ≥, ≤, >, < or =."))
        elif bool(comparison) != (target is not None):
            found.append(
                (
                    "target" if comparison else "comparison",
                    "a number needs a comparison, and a comparison a number.",
                )
            )
        if target is not None and (
            not target.is_finite()
            or target.as_tuple().exponent < -TARGET_DECIMALS
            or abs(target) >= TARGET_LIMIT
        ):
            # Kept to 15 significant digits, which every database reads back exactly.
            found.append(
                (
                    "target",
                    f"a number has at most {TARGET_WHOLE_DIGITS} digits "
                    f"before the point and {TARGET_DECIMALS} after.",
                )
            )
        for part, message in found:
            problems.add(
                f"Kill criterion {number}: {message}",
                field="kill_criteria",
                item=number,
                part=part,
            )
        if not found:
            cleaned.append(NewKillCriterion(statement, comparison, target))
    return cleaned


def check_panel(
    *,
    project: Project,
    gate: Gate,
    decision: str,
    rationale: str,
    kill_criteria: list[NewKillCriterion] | None,
    verdicts: list[KillMark] | None,
    problems: Problems,
    actor: User | None = None,
) -> PanelCheck:
    """The panel's rules for a decision, checked before anything is written: every
    problem found is added to ``problems``, for the caller to refuse with the others.

    A ``decision`` that is not one of the four kinds is the caller's to refuse; only the
    rules that do not depend on it are checked then (each new criterion on its own).

    ``actor`` records the decision. While the votes are blind to them (votes were cast and
    they have cast none), nothing refused may depend on which way the majority goes, or a
    decision sent without a rationale would tell them: a decision without a rationale is
    refused then, whatever it is (``blind_votes_message``).
    """
    known = decision in DecisionKind.values
    votes = list(open_votes(project).select_related("voter"))
    check = PanelCheck(
        gatekeepers=gatekeepers(project, gate),
        open_votes=votes,
        pending=pending_kill_criteria(project),
    )
    cast = [v for v in votes if v.recommendation]
    blind = actor is not None and cast and all(v.voter_id != actor.pk for v in cast)
    majority = majority_recommendation([v.recommendation for v in cast])
    if blind:
        # A kill or a hold asks for a rationale anyway (record_decision says so).
        asks_anyway = decision in (DecisionKind.KILL, DecisionKind.HOLD)
        if known and not asks_anyway and is_blank(rationale):
            problems.add(
                blind_votes_message(actor, check.gatekeepers, len(cast)), field="rationale"
            )
    elif known and majority and majority != decision and is_blank(rationale):
        problems.add(
            f"The majority of the gatekeepers recommend {DecisionKind(majority).label.lower()}: "
            "give the rationale for deciding against it.",
            field="rationale",
        )

    check.verdicts = list(verdicts or [])
    # A go and a recycle judge the criteria the review was held to: a recycle replaces them
    # with its own for the next round, so a criterion left unjudged would silently vanish.
    judges = decision in (DecisionKind.GO, DecisionKind.RECYCLE)
    if judges or check.verdicts:
        _check_marks(check.verdicts, check.pending, field_name="kill_verdicts", problems=problems)
    if judges and any(not v.met for v in check.verdicts) and is_blank(rationale):
        if decision == DecisionKind.GO:
            message = "A go with a kill criterion not met overrides it: give the rationale."
        else:
            message = (
                "A recycle with a kill criterion not met keeps alive a project it would kill: "
                "give the rationale for another round."
            )
        problems.add(message, field="rationale")

    given = [c for c in kill_criteria or [] if c.typed]
    check.kill_criteria = _clean_new_criteria(list(kill_criteria or []), problems)
    if len(given) > KillCriterion.MAXIMUM:
        problems.add(
            f"At most {KillCriterion.MAXIMUM} kill criteria: keep the ones that matter.",
            field="kill_criteria",
        )
    registers = decision == DecisionKind.RECYCLE or (
        decision == DecisionKind.GO and not gate.is_last
    )
    if known and given and not registers:
        problems.add(
            "Only a go to a next gate or a recycle registers kill criteria.",
            field="kill_criteria",
        )
    # A criterion typed with a problem counts as given: its own message says what to correct.
    if registers and not given:
        if decision == DecisionKind.GO:
            review = f"the gate {gate.number + 1} review"
        else:
            review = f"the next round's review at gate {gate.number}"
        problems.add(
            f"A {DecisionKind(decision).label.lower()} registers one to five kill criteria: "
            f"the evidence that would kill the project at {review}.",
            field="kill_criteria",
        )
    return check


def blind_votes_message(actor: User, people: list[User], cast: int) -> str:
    """Why a decision without a rationale is refused while the votes are blind to the one
    recording it: the same words whatever the votes say."""
    voted = f"{cast} gatekeeper{'s have' if cast != 1 else ' has'} voted"
    if any(person.pk == actor.pk for person in people):
        return (
            f"{voted}, and their votes stay hidden from you until you vote: cast your vote "
            "first to see them, or give the rationale for your decision (it may go against "
            "their majority)."
        )
    return (
        f"{voted}, and their votes are hidden from you (you are not one of this review's "
        "gatekeepers): give the rationale for your decision (it may go against their majority)."
    )


def close_review(
    *, project: Project, gate: Gate, recorded: GateDecision, check: PanelCheck
) -> None:
    """Freeze the review's votes with the decision; write its kill criteria and verdicts."""
    open_votes(project).update(decision=recorded)
    voted = {v.voter_id for v in check.open_votes}
    # Gatekeepers who had not voted are on the record as such; the chair's decision speaks for them.
    Vote.objects.bulk_create(
        Vote(project=project, gate=gate, voter=person, decision=recorded)
        for person in check.gatekeepers
        if person.pk not in voted and person.pk != project.product_manager_id
    )
    KillCriterionVerdict.objects.bulk_create(
        KillCriterionVerdict(
            criterion=v.criterion, decision=recorded, met=v.met, note=v.note.strip()
        )
        for v in check.verdicts
    )
    next_gate = gate
    if recorded.decision == DecisionKind.GO and not gate.is_last:
        next_gate = Gate.objects.get(number=gate.number + 1)
    KillCriterion.objects.bulk_create(
        KillCriterion(
            decision=recorded,
            project=project,
            gate=next_gate,
            position=position,
            statement=c.statement,
            comparison=c.comparison,
            target=c.target,
        )
        for position, c in enumerate(check.kill_criteria, start=1)
    )


# --- Reminders ------------------------------------------------------------------------


def _review_opened_on(project: Project) -> datetime.date | None:
    return project.last_decision_on or project.submitted_on


def _asked(project: Project) -> dict[int, dict[str, datetime.date]]:
    """Whom the open review has e-mailed already: person → {kind: the day it was sent}."""
    asked: dict[int, dict[str, datetime.date]] = {}
    for person_id, kind, sent_at in VoteReminder.objects.filter(
        project=project, review_round=project.decisions_count
    ).values_list("person_id", "kind", "sent_at"):
        asked.setdefault(person_id, {})[kind] = timezone.localdate(sent_at)
    return asked


def _remind(
    project: Project, gate: Gate, person: User, kind: str, *, in_notice: bool = False
) -> bool:
    """E-mail one gatekeeper once per review and kind; False when already done.

    ``OPENED`` is the request (the first e-mail a gatekeeper gets about the review, whenever
    it is sent), ``OVERDUE`` the one reminder after it. ``in_notice``: the request is asked
    in the notice of the change that opened the review (``announce_review``): it is recorded
    as sent, and not sent again.
    """
    reminder, created = VoteReminder.objects.get_or_create(
        project=project, review_round=project.decisions_count, person=person, kind=kind
    )
    if not created or in_notice:
        return created
    notify(
        to=person,
        kind=NotificationKind.VOTE_REQUESTED,
        project=project,
        link=reverse("gate_review", args=[project.key]),
        subject=f"[Greenlight] {project.key}: your vote at {gate}",
        template="gates/email/vote_requested.txt",
        context={
            "project": project,
            "gate": gate,
            "person": person,
            "overdue": kind == VoteReminder.Kind.OVERDUE,
            "opened_on": _review_opened_on(project),
            "days": settings.VOTE_REMINDER_DAYS,
        },
    )
    return True


def announce_review(
    *,
    project: Project,
    actor: User | None = None,
    notice: str = "",
    noticed: Iterable[int] = (),
) -> set[int]:
    """Ask the open review's gatekeepers for their vote, all but ``actor`` (whose change
    opened it). Returns the pks of those asked in the change's own notice.

    ``noticed``: whom that change's notice of kind ``notice`` reaches (the new proposal to
    its product manager, the decision to the team). One of them asked here gets one message
    that says both, when their e-mail settings take the two kinds alike (at once, in the
    digest, or in the app only): their request is recorded here, not sent, and the notice
    asks for the vote. Whoever chose otherwise for one of the two gets each as chosen.
    """
    gate = review_gate(project)
    if gate is None:
        return set()
    people = gatekeepers(project, gate)
    if len(people) < 2:
        return set()  # the product manager alone: the review works as it always did
    voted = set(open_votes(project).values_list("voter_id", flat=True))
    asked = _asked(project)
    noticed = set(noticed)
    in_notice: set[int] = set()
    for person in people:
        if (
            person.pk in voted
            or person.pk in asked
            or (actor is not None and person.pk == actor.pk)
        ):
            continue
        alike = person.pk in noticed and takes_alike(
            person, notice, NotificationKind.VOTE_REQUESTED
        )
        if alike:
            in_notice.add(person.pk)
        _remind(project, gate, person, VoteReminder.Kind.OPENED, in_notice=alike)
    return in_notice


def announce_submission(sender, *, project: Project, actor: User, **kwargs) -> set[int]:
    """``portfolio.signals.proposal_submitted``: the proposal's gate 1 review has opened;
    its gatekeepers but the researcher who submitted it are asked, as a decision's. The
    product manager, told of the new proposal, is asked in that notice when they take both
    alike; the pks so left to it are the answer ``submit_proposal`` reads."""
    return announce_review(
        project=project,
        actor=actor,
        notice=NotificationKind.PROPOSAL_SUBMITTED,
        noticed=[project.product_manager_id],
    )


def _opener(project: Project) -> int | None:
    """Who opened the review: recorded the decision before it or, before any decision,
    submitted the proposal (the trail says who); neither is asked at its opening."""
    if project.decisions_count:
        return (
            GateDecision.objects.filter(project=project, sequence=project.decisions_count)
            .values_list("decided_by_id", flat=True)
            .first()
        )
    return (
        AuditEntry.objects.filter(project=project, action="proposal.submitted")
        .order_by("-at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )


def ask_new_gatekeeper(*, project: Project, person: User) -> bool:
    """Ask ``person`` for their vote at once when they have just joined the open review's
    panel (the architect, by writing the estimate), as its opening asked the others; False
    when they are not a gatekeeper of a panel, have voted or were asked already."""
    gate = review_gate(project)
    if gate is None:
        return False
    people = gatekeepers(project, gate)
    if len(people) < 2 or all(p.pk != person.pk for p in people):
        return False
    if person.pk in _asked(project) or open_votes(project).filter(voter=person).exists():
        return False
    return _remind(project, gate, person, VoteReminder.Kind.OPENED)


def ask_joined(
    *,
    people: Iterable[int] | None = None,
    gates: Iterable[int] | None = None,
    projects: Iterable[int] | None = None,
) -> int:
    """Ask at once whoever has joined the panel of an open review since it opened: through
    an admin's change of a gate's gatekeepers, a role given, an account made active again or
    a project given another product manager (the task worker runs it: ``gates.tasks.
    ask_new_gatekeepers``). Returns the e-mails sent.

    Each open review (of ``projects``, at ``gates``; every one when None) asks each of its
    gatekeepers (among the pks in ``people``; all when None) as its opening asked the others
    (``announce_review``): unless they have voted, were asked already, or recorded the
    decision that opened it (or submitted the proposal, for a gate 1 review opened by its
    submission). The request is the review's one ``OPENED`` e-mail to them, so
    the daily reminders do not send it again.
    """
    wanted = set(people) if people is not None else None
    found = Project.objects.open().select_related("product_manager").order_by("pk")
    if gates is not None:
        found = found.filter(current_gate__in=list(gates))
    if projects is not None:
        found = found.filter(pk__in=list(projects))
    sent = 0
    for project in found.iterator(chunk_size=200):
        gate = review_gate(project)
        if gate is None:
            continue
        panel = gatekeepers(project, gate)
        if len(panel) < 2 or (wanted is not None and not wanted & {p.pk for p in panel}):
            continue
        opener = _opener(project)
        voted = set(open_votes(project).values_list("voter_id", flat=True))
        asked = _asked(project)
        with transaction.atomic():
            for person in panel:
                if (wanted is None or person.pk in wanted) and person.pk not in (
                    voted | set(asked) | {opener}
                ):
                    sent += _remind(project, gate, person, VoteReminder.Kind.OPENED)
    return sent


def _reminder_due(
    today: datetime.date, opened: datetime.date | None, asked: dict[str, datetime.date]
) -> bool:
    """``VOTE_REMINDER_DAYS`` after the review opened, and after the person was asked: a
    gatekeeper asked late (an architect who joined, a review the seed or an import opened)
    is not reminded the day after their request. A request sent after ``today`` (the
    command's --today in the past) counts from the opening."""
    if opened is None or VoteReminder.Kind.OVERDUE in asked:
        return False
    start = opened
    requested = asked.get(VoteReminder.Kind.OPENED)
    if requested is not None and opened < requested <= today:
        start = requested
    return today - start >= datetime.timedelta(days=settings.VOTE_REMINDER_DAYS)


def send_vote_reminders(*, today: datetime.date | None = None) -> int:
    """Ask the gatekeepers of open reviews never asked (the request, however old the review),
    and remind once whoever has not voted ``VOTE_REMINDER_DAYS`` days after the review opened
    and they were asked. Returns the e-mails sent."""
    today = today or timezone.localdate()
    sent = 0
    projects = Project.objects.open().select_related("product_manager").order_by("pk")
    for project in projects.iterator(chunk_size=200):
        gate = review_gate(project)
        if gate is None:
            continue
        people = gatekeepers(project, gate)
        if len(people) < 2:
            continue
        voted = set(open_votes(project).values_list("voter_id", flat=True))
        asked = _asked(project)
        opened = _review_opened_on(project)
        with transaction.atomic():
            for person in people:
                if person.pk in voted:
                    continue
                if person.pk not in asked:
                    sent += _remind(project, gate, person, VoteReminder.Kind.OPENED)
                elif _reminder_due(today, opened, asked[person.pk]):
                    sent += _remind(project, gate, person, VoteReminder.Kind.OVERDUE)
    return sent


def has_voted(user: User, project: Project) -> bool:
    """Blind voting: a gatekeeper sees the open review's votes only once they have voted."""
    if not user.is_authenticated:
        return False
    return open_votes(project).filter(voter=user).exclude(recommendation="").exists()
