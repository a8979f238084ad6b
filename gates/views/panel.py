"""The decision panel on the gate review page: who voted, the spread, and your vote.

Blind voting is enforced here as well as in the template: the votes of an
open review are put in the page's context only for someone who has voted.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gates import services
from gates.forms import KillMarksForm, NewKillCriteriaForm, ScorecardForm, VoteForm
from gates.models import (
    Criterion,
    DecisionKind,
    Gate,
    KillCriterion,
    Vote,
    majority_recommendation,
)
from gates.services.votes import VOTE_FIELDS
from portfolio import access, edits
from portfolio.errors import DomainError
from portfolio.errors import PermissionDenied as ServicePermissionDenied
from portfolio.models import Project, User
from portfolio.web import drafts

VOTE_PREFIX = "vote"


def _average(values: list[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _spread(votes: list[Vote]) -> dict:
    totals = [v.scorecard_total for v in votes if v.scorecard_total is not None]
    probabilities = [
        v.probability_of_success for v in votes if v.probability_of_success is not None
    ]
    counts = Counter(v.recommendation for v in votes)
    return {
        "score_low": min(totals) if totals else None,
        "score_high": max(totals) if totals else None,
        "recommendations": [
            (kind.value, kind.label, counts[kind.value]) for kind in DecisionKind if counts[kind]
        ],
        "probability_low": min(probabilities) if probabilities else None,
        "probability_high": max(probabilities) if probabilities else None,
        "probability_mean": _average(probabilities),
    }


def _average_scorecard(criteria: list[Criterion], votes: list[Vote]) -> list[dict]:
    """Per criterion: the mean should-meet score, or how many judged a must-meet met."""
    answers: dict[int, list] = {c.pk: [] for c in criteria}
    for vote in votes:
        for score in vote.scores.all():
            if score.criterion_id in answers:
                answers[score.criterion_id].append(score)
    rows = []
    for criterion in criteria:
        given = answers[criterion.pk]
        if criterion.is_must_meet:
            met = sum(1 for s in given if s.met)
            rows.append({"criterion": criterion, "met": met, "answered": len(given)})
        else:
            scores = [Decimal(s.score) for s in given if s.score is not None]
            rows.append(
                {"criterion": criterion, "average": _average(scores), "answered": len(scores)}
            )
    return rows


def _vote_forms(
    project: Project, gate: Gate, criteria: list[Criterion], pending, my_vote: Vote | None
) -> dict:
    """Unbound forms showing the viewer's current vote, if any."""
    initial = {"gate": gate.number, "review_round": project.decisions_count}
    score_initial, mark_initial = {}, {}
    if my_vote is not None and my_vote.recommendation:
        initial.update(
            recommendation=my_vote.recommendation,
            probability_of_success=my_vote.probability_of_success,
            comment=my_vote.comment,
        )
        for score in my_vote.scores.all():
            criterion = score.criterion
            if criterion.is_must_meet:
                score_initial[ScorecardForm.field_name(criterion)] = "yes" if score.met else "no"
            else:
                score_initial[ScorecardForm.field_name(criterion)] = str(score.score)
        for mark in my_vote.kill_marks.all():
            mark_initial[f"kill_{mark.criterion_id}"] = "met" if mark.met else "not_met"
            mark_initial[f"kill_{mark.criterion_id}_note"] = mark.note
    return {
        "vote_form": VoteForm(
            initial=initial, prefix=VOTE_PREFIX, saved=services.vote_values(my_vote)
        ),
        "vote_scorecard": ScorecardForm(
            criteria=criteria, initial=score_initial, prefix=VOTE_PREFIX
        ),
        "vote_marks": KillMarksForm(criteria=pending, initial=mark_initial, prefix=VOTE_PREFIX),
    }


def panel_context(
    project: Project,
    viewer: User,
    criteria: list[Criterion],
    *,
    bound_vote_forms: dict | None = None,
    verdicts: KillMarksForm | None = None,
    new_kill_criteria: NewKillCriteriaForm | None = None,
) -> dict:
    """The panel's part of the review page's context."""
    gate = services.review_gate(project)
    if gate is None:
        return {"panel": None}
    people = services.gatekeepers(project, gate)
    votes = list(
        services.open_votes(project)
        .exclude(recommendation="")
        .select_related("voter")
        .prefetch_related("scores__criterion", "kill_marks")
    )
    for vote in votes:
        # A go that answered a must-meet criterion "No" (saved before such votes were
        # refused): the table says so beside its scorecard total.
        vote.must_meet_said_no = [
            s.criterion
            for s in vote.scores.all()
            if vote.recommendation == DecisionKind.GO
            and s.criterion.is_must_meet
            and s.met is False
        ]
    by_voter = {v.voter_id: v for v in votes}
    my_vote = by_voter.get(viewer.pk)
    may_see = my_vote is not None
    pending = services.pending_kill_criteria(project)
    marks: dict[int, list] = {c.pk: [] for c in pending}
    if may_see:
        for vote in votes:
            for mark in vote.kill_marks.all():
                if mark.criterion_id in marks:
                    marks[mark.criterion_id].append((vote.voter, mark))
    is_keeper = any(person.pk == viewer.pk for person in people)
    panel = {
        "gate": gate,
        "roster": [
            {
                "person": person,
                "is_chair": person.pk == project.product_manager_id,
                "vote": by_voter.get(person.pk),
            }
            for person in people
        ],
        # The product manager alone, with no vote cast: nothing to show, as before the panel.
        "shown": len(people) > 1 or bool(votes),
        "voted_count": sum(1 for person in people if person.pk in by_voter),
        # Votes cast that the viewer cannot see: a decision of theirs needs a rationale
        # (gates.services.votes.check_panel), which the decision form says beforehand.
        "hidden_count": 0 if my_vote is not None else len(votes),
        "size": len(people),
        "is_gatekeeper": is_keeper,
        "may_see": may_see,
        "my_vote": my_vote,
        "votes": votes if may_see else [],
        "spread": _spread(votes) if may_see and votes else None,
        "average_scorecard": _average_scorecard(criteria, votes) if may_see and votes else [],
        "majority": majority_recommendation([v.recommendation for v in votes]) if may_see else None,
        "pending": [(c, marks[c.pk]) for c in pending],
    }
    chair = project.product_manager
    if chair is not None and not chair.is_active:
        # They chair nothing and are asked nothing (portfolio.panels): the page says so, and
        # who can put it right (an admin, in the admin site; an executive may decide).
        panel["chair_inactive"] = chair
        if viewer.is_staff and access.can_correct_project(viewer, project):
            panel["reassign_link"] = reverse("admin:portfolio_project_change", args=[project.pk])
    context = {"panel": panel}
    # With the product manager alone the review works as it always did: the decision is the vote.
    if is_keeper and len(people) > 1:
        context.update(bound_vote_forms or _vote_forms(project, gate, criteria, pending, my_vote))
    context["verdicts"] = verdicts or KillMarksForm(criteria=pending, prefix="verdict")
    context["new_kill_criteria"] = new_kill_criteria or NewKillCriteriaForm(prefix="next")
    return context


def decision_panel_forms(request: HttpRequest, project: Project) -> tuple:
    """The chair's verdicts on the kill criteria and the next review's, bound to a POST."""
    verdicts = KillMarksForm(
        request.POST, criteria=services.pending_kill_criteria(project), prefix="verdict"
    )
    new_kill_criteria = NewKillCriteriaForm(request.POST, prefix="next")
    return verdicts, new_kill_criteria


def decision_panel_forms_as_typed(request: HttpRequest, project: Project) -> tuple:
    """The same two forms showing what the POST typed, unbound: the page redrawn by "Update
    the total" (no JavaScript) keeps every verdict, note and new kill criterion, and, as
    the decision form there, neither checks them nor says what is wrong with them."""
    verdicts = KillMarksForm(criteria=services.pending_kill_criteria(project), prefix="verdict")
    new_kill_criteria = NewKillCriteriaForm(prefix="next")
    for form in (verdicts, new_kill_criteria):
        form.initial = {
            name: request.POST[form.add_prefix(name)]
            for name in form.fields
            if form.add_prefix(name) in request.POST
        }
    return verdicts, new_kill_criteria


def _saved_by_field(
    values: dict | None, criteria: list[Criterion], pending: list[KillCriterion]
) -> dict:
    """The vote saved now (``services.vote_values``) by the names of the page's fields."""
    if values is None:
        return {}
    saved = {name: values[name] for name in VOTE_FIELDS}
    for criterion in criteria:
        answer = values["scores"].get(str(criterion.pk))
        if answer is not None:
            kept = answer["met"] if criterion.is_must_meet else answer["score"]
            saved[ScorecardForm.field_name(criterion)] = kept
    for criterion in pending:
        mark = values["kill_marks"].get(str(criterion.pk))
        if mark is not None:
            saved[f"kill_{criterion.pk}"] = mark["met"]
            saved[f"kill_{criterion.pk}_note"] = mark["note"]
    return saved


def _refuse_vote(
    error, viewer: User, form: VoteForm, scorecard: ScorecardForm, marks: KillMarksForm
) -> list[dict]:
    """The vote was cast or changed since the page was drawn: nothing saved. The rows of
    the changed-since box (the vote saved now beside what was typed), and the hidden
    field made for the vote as it is now, so that casting it again goes through."""
    saved = _saved_by_field(error.values, scorecard.criteria, marks.criteria)
    rows = edits.refuse(form, error, saved=saved, viewer=viewer)
    rows += edits.differences(scorecard, saved)
    statements = {f"kill_{c.pk}_note": c.statement for c in marks.criteria}
    for row in edits.differences(marks, saved):
        if row["name"] in statements:  # "Note" alone would not say which criterion's
            row["label"] = f"Note on “{statements[row['name']]}”"
        rows.append(row)
    return rows


@login_required
@require_POST
def vote_cast(request: HttpRequest, key: str) -> HttpResponse:
    from gates.views.reviews import REVIEW_TEMPLATE, _get_reviewable_project, _review_context

    project = _get_reviewable_project(request, key)
    gate = services.review_gate(project)
    if gate is None:
        # A page left open while the last decision was recorded (who may open the review
        # was checked above): the review was decided, which a 403 would not say.
        messages.error(
            request,
            "The decision of this review was recorded before your vote arrived: your vote "
            "was not counted, and the process has ended for this project.",
        )
        return redirect(reverse("gate_review", args=[project.key]))
    if not services.is_gatekeeper(request.user, project, gate):
        raise PermissionDenied
    criteria = list(Criterion.objects.filter(gate=gate, is_active=True).select_related("gate"))
    pending: list[KillCriterion] = services.pending_kill_criteria(project)
    form = VoteForm(request.POST, prefix=VOTE_PREFIX)
    scorecard = ScorecardForm(request.POST, criteria=criteria, prefix=VOTE_PREFIX)
    marks = KillMarksForm(request.POST, criteria=pending, prefix=VOTE_PREFIX)
    had_voted = services.has_voted(request.user, project)
    changed_since = None
    if form.is_valid() and scorecard.is_valid() and marks.is_valid():
        data = form.cleaned_data
        try:
            vote = services.cast_vote(
                project=project,
                gate=data["gate"],
                actor=request.user,
                recommendation=data["recommendation"],
                probability_of_success=data["probability_of_success"],
                comment=data["comment"],
                scores=scorecard.scores(),
                kill_marks=marks.marks(),
                review_round=data["review_round"],
                seen=form.version_seen,
            )
        except ServicePermissionDenied:
            raise PermissionDenied from None
        except edits.ChangedSince as error:
            # Cast or changed in another tab (or through the API) since this page was drawn.
            changed_since = _refuse_vote(error, request.user, form, scorecard, marks)
        except DomainError as error:
            for problem in error.problems:
                target = form if problem.field in form.fields else marks
                if problem.field == "scores":
                    target = scorecard
                field = problem.field if problem.field in target.fields else None
                target.add_error(field, problem.message)
        else:
            verb = "changed" if had_voted else "recorded"
            messages.success(
                request,
                f"Your {vote.get_recommendation_display().lower()} vote is {verb}; "
                "the other gatekeepers' votes are shown below.",
            )
            drafts.saved(request, "vote", project.key, data["gate"])
            return redirect(reverse("gate_review", args=[project.key]) + "#panel")
    project.refresh_from_db()
    context = _review_context(
        project,
        viewer=request.user,
        bound_vote_forms={
            "vote_form": form,
            "vote_scorecard": scorecard,
            "vote_marks": marks,
            "vote_changed_since": changed_since,
        },
    )
    return render(request, REVIEW_TEMPLATE, context, status=400)
