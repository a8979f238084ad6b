"""The gate pages: deliverables (study, estimate, business case) and the gate review."""

from __future__ import annotations

import copy
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.forms import RadioSelect
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gates import services
from gates.forms import (
    ArchitectureEstimateForm,
    BusinessCaseForm,
    DecisionForm,
    FeasibilityStudyForm,
    ScorecardForm,
)
from gates.models import (
    DELIVERABLE_MODELS,
    ArchitectureEstimate,
    Criterion,
    DecisionKind,
    DeliverableKind,
    Gate,
    GateDecision,
)
from gates.views import evidence
from gates.views.panel import (
    decision_panel_forms,
    decision_panel_forms_as_typed,
    panel_context,
)
from planning import figures
from planning.models import PlanSettings, Scenario
from planning.services import funded_today
from portfolio import access, edits
from portfolio.errors import DomainError, add_domain_error
from portfolio.errors import PermissionDenied as ServicePermissionDenied
from portfolio.models import Project
from portfolio.process import DELIVERABLES_BY_KIND
from portfolio.reads import deliverables, project_page, worklists
from portfolio.reads.worklists import WorkItem
from portfolio.web import drafts
from portfolio.web.forms import labelled

REVIEW_TEMPLATE = "gates/gate_review.html"


def _get_submitted_project(request: HttpRequest, key: str) -> Project:
    """The project if this person may see it and it is past the proposal stage; 404 otherwise."""
    project = access.get_project_for_user(request.user, key)
    if project.is_draft:
        raise Http404("A draft has no gate pages yet")
    return project


# --- Deliverables ---------------------------------------------------------------


def _deliverable_page(
    request: HttpRequest,
    key: str,
    *,
    kind: DeliverableKind,
    form_class,
    can_write,
    save,
    template: str,
    refusal=None,
    is_writer=None,
) -> HttpResponse:
    """Show a deliverable (a form for its writer) and save it through its service."""
    project = _get_submitted_project(request, key)
    if not access.can_read_project_record(request.user, project):
        raise Http404("No such project")
    model = DELIVERABLE_MODELS[kind]
    deliverable = model.objects.select_related("author").filter(project=project).first()
    may_write = can_write(request.user, project)
    if request.method == "POST" and not may_write:
        # Why not, when the rule says (a page left open after the estimate was reassigned).
        raise PermissionDenied(refusal(request.user, project) if refusal else None)
    editable = may_write and not project.is_closed

    # The form gets a copy of its own: validating a POST writes the typed values onto its
    # instance, and a refused save must still show the deliverable as stored.
    form = form_class(request.POST or None, instance=copy.copy(deliverable))
    previewing = request.method == "POST" and "preview" in request.POST
    changed_since = None
    if request.method == "POST" and not previewing and form.is_valid():
        try:
            save(
                project=project,
                actor=request.user,
                seen=form.version_seen,
                **form.edited_fields(),
            )
        except edits.ChangedSince as error:
            # Another tab or person saved it since this page was opened: nothing is written,
            # what was typed is shown beside what is saved now.
            changed_since = edits.refuse(form, error)
            deliverable = error.record
        except DomainError as error:
            add_domain_error(form, error)
        else:
            verb = "revised" if deliverable else "saved"
            messages.success(request, f"{kind.label} {verb}.")
            drafts.saved(request, kind, project.key)
            return redirect(DELIVERABLES_BY_KIND[kind].url_name, key=project.key)
    if previewing:
        form.is_valid()  # the live total reads the cleaned numbers; nothing is saved
    # A refused save answers 400, as every form does; a preview only shows the numbers.
    refused = request.method == "POST" and not previewing and bool(form.errors)
    context = {
        "project": project,
        "deliverable": deliverable,
        "form": form,
        "editable": editable,
        "may_write": may_write,
        # Its writer, who may not write it yet (an estimate assigned before gate 2): the
        # page says when, not "Only the project's architect writes it".
        "is_writer": may_write or bool(is_writer and is_writer(request.user, project)),
        "refused": refused,
        "changed_since": changed_since,
        "kind": kind,
        "writer": DELIVERABLES_BY_KIND[kind].writer,
    }
    return render(request, template, context, status=400 if refused else 200)


@login_required
@require_http_methods(["GET", "POST"])
def feasibility_study_edit(request: HttpRequest, key: str) -> HttpResponse:
    return _deliverable_page(
        request,
        key,
        kind=DeliverableKind.FEASIBILITY_STUDY,
        form_class=FeasibilityStudyForm,
        can_write=access.can_write_feasibility_study,
        save=services.save_feasibility_study,
        template="gates/feasibility_study_edit.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def architecture_estimate_edit(request: HttpRequest, key: str) -> HttpResponse:
    if request.htmx and request.method == "POST" and "preview" in request.POST:
        # The live three-year total while the architect types: computed, never saved.
        project = _get_submitted_project(request, key)
        if not access.can_write_architecture_estimate(request.user, project):
            raise PermissionDenied
        form = ArchitectureEstimateForm(request.POST)
        form.is_valid()
        return render(
            request,
            "gates/architecture_estimate_edit.html#three_year_total",
            {"project": project, "form": form},
        )
    return _deliverable_page(
        request,
        key,
        kind=DeliverableKind.ARCHITECTURE_ESTIMATE,
        form_class=ArchitectureEstimateForm,
        can_write=access.can_write_architecture_estimate,
        save=services.save_architecture_estimate,
        template="gates/architecture_estimate_edit.html",
        refusal=access.architecture_estimate_refusal,
        is_writer=lambda user, project: user.is_architect and project.architect_id == user.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def business_case_edit(request: HttpRequest, key: str) -> HttpResponse:
    return _deliverable_page(
        request,
        key,
        kind=DeliverableKind.BUSINESS_CASE,
        form_class=BusinessCaseForm,
        can_write=access.can_write_business_case,
        save=services.save_business_case,
        template="gates/business_case_edit.html",
    )


# --- Gate review ----------------------------------------------------------------


def _get_decidable_project(request: HttpRequest, key: str) -> Project:
    project = _get_submitted_project(request, key)
    if not access.can_decide(request.user, project):
        raise PermissionDenied
    return project


def _get_reviewable_project(request: HttpRequest, key: str) -> Project:
    """Those who decide, and the gatekeepers who vote, open the review."""
    project = _get_submitted_project(request, key)
    if not services.may_open_review(request.user, project):
        raise PermissionDenied
    return project


def _earlier_decisions(project: Project) -> list[GateDecision]:
    return list(
        GateDecision.objects.filter(project=project)
        .select_related("gate", "decided_by")
        .prefetch_related("scores", "votes__voter", "kill_verdicts__criterion", "kill_criteria")
        .order_by("-sequence")
    )


def _review_gate(project: Project, decisions: list[GateDecision]) -> Gate | None:
    """The gate under review: the current one, or for a closed project the last one decided."""
    number = project.current_gate
    if number is None and decisions:
        number = decisions[0].gate.number
    if number is None:
        return None
    return (
        Gate.objects.prefetch_related(
            "required_deliverables",
            Prefetch("criteria", queryset=Criterion.objects.filter(is_active=True)),
        )
        .filter(number=number)
        .first()
    )


def _scorecard_summary(scorecard: ScorecardForm) -> dict:
    """The weighted total and the must-meet count, for the numbers as currently answered."""
    if scorecard.is_bound:
        scorecard.is_valid()
    scores = scorecard.scores()
    must = [c for c in scorecard.criteria if c.is_must_meet]
    met = {s.criterion.pk for s in scores if s.criterion.is_must_meet and s.met}
    return {
        "total": services.scorecard_total(scores),
        "maximum": services.scorecard_maximum(scorecard.criteria),
        "scored": sum(1 for s in scores if not s.criterion.is_must_meet),
        "should_count": len(scorecard.criteria) - len(must),
        "must_met": len(met),
        "must_count": len(must),
        "must_all_met": len(met) == len(must),
    }


def _figures(project: Project, estimate: ArchitectureEstimate | None) -> dict:
    """The numbers a product manager weighs at a gate: ECV and PI exactly as the planner has them."""
    settings = PlanSettings.load()
    value = figures.project_value(
        project,
        estimate=figures.estimate_of(estimate),
        horizon=settings.horizon,
        discount_rate=settings.discount_rate,
        as_of=timezone.localdate(),
    )
    granted = project.funding_granted_total
    adopted = Scenario.objects.adopted().first()
    in_adopted = (
        adopted is not None and not project.is_closed and project.key in adopted.funded_keys
    )
    return {
        "probability": project.current_probability,
        "probability_updated": project.latest_probability is not None,
        "spend": project.spend_total,
        "granted": granted,
        "spend_share": (project.spend_total / granted * 100) if granted else None,
        # Nothing granted yet (every project at gate 1) is not an overrun.
        "over_funding": bool(granted) and project.spend_total > granted,
        "value": value,
        "adopted_plan": adopted if in_adopted else None,
        # Worked out again from today's data: None when it cannot be (docs/planning.md).
        "adopted_plan_fits_today": (
            None
            if not in_adopted or (today := funded_today(adopted)) is None
            else project.key in today
        ),
    }


def _deliverable_rows(project: Project, gate: Gate | None) -> tuple[list[dict], dict]:
    required = {r.kind for r in gate.required_deliverables.all()} if gate else set()
    by_kind = deliverables.loaded(project)
    rows = [
        {
            "kind": kind,
            "label": DELIVERABLES_BY_KIND[kind].label,
            "required": kind in required,
            "deliverable": deliverable,
            "url_name": DELIVERABLES_BY_KIND[kind].url_name,
            "author": DELIVERABLES_BY_KIND[kind].author,
        }
        for kind, deliverable in by_kind.items()
    ]
    rows.sort(key=lambda row: not row["required"])
    return rows, by_kind


def _decision_choices(form: DecisionForm, gate: Gate) -> list[tuple]:
    """Each decision's radio button with what it does at this gate."""
    if gate.is_last:
        go = "greenlights it onto the product roadmap; the process ends."
    else:
        go = f"funds the next stage: the project moves on to gate {gate.number + 1}."
    descriptions = {
        "go": go,
        "kill": "stops the project; the process ends. Needs a rationale.",
        "hold": "pauses it at this gate. Needs a rationale.",
        "recycle": "another round at this gate.",
    }
    return [(radio, descriptions[radio.data["value"]]) for radio in form["decision"]]


def _next_in_queue(viewer, project: Project) -> WorkItem | None:
    """The product manager's next review waiting: the longest waiting with all it needs in."""
    if not viewer.is_product_manager:
        return None
    others = [item for item in worklists.review_queue(viewer) if item.project.pk != project.pk]
    ready = [item for item in others if not item.needs]
    return (ready or others or [None])[0]


def _review_context(
    project: Project,
    *,
    viewer,
    decision_form: DecisionForm | None = None,
    scorecard: ScorecardForm | None = None,
    recorded: GateDecision | None = None,
    confirm_kill: bool = False,
    **panel_forms,
) -> dict:
    decisions = _earlier_decisions(project)
    gate = _review_gate(project, decisions)
    criteria = list(gate.criteria.all()) if gate else []
    deliverables, by_kind = _deliverable_rows(project, gate)
    if scorecard is None:
        scorecard = ScorecardForm(criteria=criteria)
    if decision_form is None:
        decision_form = DecisionForm(
            initial={
                "gate": gate.number if gate else None,
                "decisions_seen": project.decisions_count,
            },
            current_probability=project.current_probability,
            last_spend_on=project.last_spend_on,
        )
    return {
        **panel_context(project, viewer, criteria, **panel_forms),
        "may_decide": access.can_decide(viewer, project),
        "project": project,
        "gate": gate,
        "deliverables": deliverables,
        "missing_required": [
            row["label"] for row in deliverables if row["required"] and not row["deliverable"]
        ],
        "figures": _figures(project, by_kind[DeliverableKind.ARCHITECTURE_ESTIMATE]),
        "decisions": decisions,
        "last_decision": decisions[0] if decisions else None,
        "scorecard": scorecard,
        "summary": _scorecard_summary(scorecard),
        "form": decision_form,
        "decision_choices": _decision_choices(decision_form, gate) if gate else [],
        "recorded": recorded,
        # Right after a decision the page shows what comes next, not the next form at once.
        "after_decision": recorded is not None,
        "next_in_queue": _next_in_queue(viewer, project) if recorded is not None else None,
        "confirm_kill": confirm_kill,
        "error_summary": _error_summary(decision_form, scorecard, **panel_forms),
        "evidence": evidence.for_review(project, gate, decisions, by_kind),
        "closed": project_page.closed_summary(project, list(project.outcomes.all()))
        if project.is_closed
        else None,
    }


def _just_recorded(request: HttpRequest, project: Project) -> GateDecision | None:
    """The decision named by ``?recorded=``, if it is still the project's latest."""
    sequence = request.GET.get("recorded", "")
    if not sequence.isdigit() or int(sequence) != project.decisions_count:
        return None
    return GateDecision.objects.filter(project=project, sequence=int(sequence)).first()


@login_required
@require_http_methods(["GET"])
def gate_review(request: HttpRequest, key: str) -> HttpResponse:
    project = _get_reviewable_project(request, key)
    recorded = (
        _just_recorded(request, project) if access.can_decide(request.user, project) else None
    )
    context = _review_context(project, viewer=request.user, recorded=recorded)
    return render(request, REVIEW_TEMPLATE, context)


def _current_criteria(project: Project) -> list[Criterion]:
    if project.current_gate is None:
        return []
    return list(
        Criterion.objects.filter(gate__number=project.current_gate, is_active=True).select_related(
            "gate"
        )
    )


@login_required
@require_POST
def scorecard_preview(request: HttpRequest, key: str) -> HttpResponse:
    """The scorecard total for the answers so far; nothing is recorded."""
    project = _get_decidable_project(request, key)
    scorecard = ScorecardForm(request.POST, criteria=_current_criteria(project))
    if request.htmx:
        context = {"project": project, "scorecard": scorecard}
        context["summary"] = _scorecard_summary(scorecard)
        return render(request, f"{REVIEW_TEMPLATE}#scorecard_total", context)
    # Without JavaScript: the whole page again, with the answers and the new total.
    decision_form = DecisionForm(
        initial={**request.POST.dict(), "decisions_seen": project.decisions_count},
        current_probability=project.current_probability,
        last_spend_on=project.last_spend_on,
    )
    # The kill criteria's verdicts and the next review's are kept as typed too (#decide's
    # one form posts them all here); nothing is checked or recorded.
    verdicts, new_kill_criteria = decision_panel_forms_as_typed(request, project)
    context = _review_context(
        project,
        viewer=request.user,
        decision_form=decision_form,
        scorecard=scorecard,
        verdicts=verdicts,
        new_kill_criteria=new_kill_criteria,
    )
    # A kill's confirmation, shown (and its tick kept) as when a refused kill redraws the page.
    context["confirm_kill"] = request.POST.get("decision") == DecisionKind.KILL
    return render(request, REVIEW_TEMPLATE, context)


def _place_problems(
    error: DomainError, form: DecisionForm, scorecard: ScorecardForm, verdicts, new_kill_criteria
) -> None:
    """Put each problem of a refused decision beside the field or row it is about.

    Where the form has already said what is wrong with a field (a date that is not one, a
    kill criterion's number not typed as digits), the service's problem with what it was
    given instead is left out: the form's own message says what to correct first.
    """
    if isinstance(error, ServicePermissionDenied):
        raise error
    already = {
        (each, name)
        for each in (form, scorecard, verdicts, new_kill_criteria)
        for name in each.errors
    }
    refused_rows = {
        n
        for n, *fields in new_kill_criteria.rows()
        if any((new_kill_criteria, f.name) in already for f in fields)
    }
    unmet = False
    for problem in error.problems:
        target, name = form, problem.field
        if problem.field == "kill_verdicts":
            target, name = verdicts, None
            if problem.subject is not None and f"kill_{problem.subject.pk}" in verdicts.fields:
                name = f"kill_{problem.subject.pk}"
        elif problem.field == "kill_criteria":
            target, name = new_kill_criteria, None
            if problem.item in refused_rows:
                continue
            if problem.item is not None and problem.part:
                name = f"kc{problem.item}_{problem.part}"
                name = name if name in new_kill_criteria.fields else None
        elif problem.field == "scores":
            target, name = scorecard, None
            if problem.subject and form.cleaned_data.get("decision") == DecisionKind.GO:
                # The unmet must-meet criteria: said once, beside each row (which names
                # its criterion), not also as one line above them all.
                unmet = True
                continue
        elif name not in form.fields or form.fields[name].widget.is_hidden:
            name = None  # the gate and the form's date of making go above the form
        if name is not None and (target, name) in already:
            continue
        if name is None and problem.message in target.non_field_errors():
            continue
        target.add_error(name, problem.message)
    if unmet:
        _mark_unmet_rows(scorecard)


def _mark_unmet_rows(scorecard: ScorecardForm) -> None:
    """Each must-meet row a refused go left unmet says so beside its answer."""
    for criterion in services.unmet_must_meet(scorecard.criteria, scorecard.scores()):
        name = scorecard.field_name(criterion)
        answered = scorecard.cleaned_data.get(name) is not None
        scorecard.add_error(
            name, "Not met: a go needs it met." if answered else "Not answered: a go needs it met."
        )


def _error_summary(
    form: DecisionForm | None, scorecard: ScorecardForm | None, **panel_forms
) -> list[dict]:
    """Every problem of a refused decision, in the order of the page, each linking to the
    field it is about."""
    if form is None or not form.is_bound:
        return []
    verdicts = panel_forms.get("verdicts")
    new_kill_criteria = panel_forms.get("new_kill_criteria")

    def href_of(each, name: str) -> str:
        field = each[name]
        radios = isinstance(field.field.widget, RadioSelect)
        return f"#{field.auto_id}_0" if radios else f"#{field.auto_id}"

    def first_field(each, fallback: str) -> str:
        # A field, not its fieldset: a link to something that takes no focus leaves the
        # keyboard on <body>, and what is typed next is lost.
        names = list(each.fields)
        return href_of(each, names[0]) if names else fallback

    def items(each, names=None, *, anchor: str | None = None) -> list[dict]:
        if each is None or not each.is_bound:
            return []
        found = []
        if anchor is not None:
            found += [{"message": m, "href": anchor} for m in each.non_field_errors()]
        for name in names if names is not None else each.fields:
            field = each[name]
            # The kill's confirmation, the verdicts ("Mark the kill criterion “…”") and the
            # rows of kill criteria ("Kill criterion 2: ...") say what they are about; other
            # fields are named.
            named = (
                name == "confirm_kill"
                or each is new_kill_criteria
                or (each is verdicts and not name.endswith("_note"))
            )
            found += [
                {"message": m if named else labelled(field.label, m), "href": href_of(each, name)}
                for m in field.errors
            ]
        return found

    before_panel = ["decision", "decided_on", "funding_granted", "probability_of_success"]
    after_panel = [name for name in form.fields if name not in before_panel]
    return [
        # Not the form itself: an id on it would carry its htmx-request class over the swap.
        *[{"message": m, "href": "#decide"} for m in form.non_field_errors()],
        *items(scorecard, anchor=first_field(scorecard, "#scorecard") if scorecard else None),
        *items(form, before_panel),
        *items(verdicts, anchor=first_field(verdicts, "#kill-verdicts") if verdicts else None),
        *items(
            new_kill_criteria,
            anchor=first_field(new_kill_criteria, "#new-kill-criteria")
            if new_kill_criteria
            else None,
        ),
        *items(form, after_panel),
    ]


def _kill_unconfirmed(form: DecisionForm, project: Project) -> bool:
    """A kill ends the project for good: it is recorded only once the decider confirmed it."""
    if form.cleaned_data.get("decision") != DecisionKind.KILL:
        return False
    if form.cleaned_data.get("confirm_kill"):
        return False
    form.add_error(
        "confirm_kill",
        f"A kill ends {project.key} for good and no decision can follow it: "
        f"tick “Yes, kill {project.key}” to confirm.",
    )
    return True


@login_required
@require_POST
def decision_create(request: HttpRequest, key: str) -> HttpResponse:
    project = _get_decidable_project(request, key)
    form = DecisionForm(
        request.POST,
        current_probability=project.current_probability,
        last_spend_on=project.last_spend_on,
    )
    scorecard = ScorecardForm(request.POST, criteria=_current_criteria(project))
    verdicts, new_kill_criteria = decision_panel_forms(request, project)
    readable = all(
        [form.is_valid(), scorecard.is_valid(), verdicts.is_valid(), new_kill_criteria.is_valid()]
    )
    unconfirmed = _kill_unconfirmed(form, project)
    data = form.cleaned_data
    recorded = None
    # The service says every problem of the decision at once: it records it when the form
    # could be read and the kill is confirmed, and otherwise checks what could be read, so
    # that its problems are shown with the form's own rather than on the next attempt.
    decision = {
        "project": project,
        "gate": data.get("gate"),
        "decision": data.get("decision", ""),
        "actor": request.user,
        "decided_on": data.get("decided_on"),
        "funding_granted": data.get("funding_granted", Decimal(0)),
        "probability_of_success": data.get("probability_of_success"),
        "rationale": data.get("rationale", ""),
        "scores": scorecard.scores(),
        "kill_criteria": new_kill_criteria.criteria(),
        "kill_verdicts": verdicts.marks(),
        "decisions_seen": data.get("decisions_seen"),
    }
    try:
        if readable and not unconfirmed:
            recorded = services.record_decision(**decision)
        elif decision["gate"] is not None:
            services.check_decision(**decision)
    except DomainError as error:
        _place_problems(error, form, scorecard, verdicts, new_kill_criteria)

    if recorded is not None:
        summary = f"{recorded.get_decision_display()} at {recorded.gate} recorded; {recorded.notice.sentence()}."
        after = f"{reverse('gate_review', args=[project.key])}?recorded={recorded.sequence}"
        if not request.htmx:
            messages.success(request, summary)
            return redirect(after)
        project = access.get_project_for_user(request.user, key)
        context = _review_context(project, viewer=request.user, recorded=recorded)
        context["recorded_summary"] = summary
        response = render(request, f"{REVIEW_TEMPLATE}#review", context)
        response["HX-Replace-Url"] = after  # a reload shows the same page, not a fresh form
        return response

    project.refresh_from_db()
    # The page shows the history as it is now: the form is made against it from here on.
    form.data = form.data.copy()
    form.data["decisions_seen"] = str(project.decisions_count)
    context = _review_context(
        project,
        viewer=request.user,
        decision_form=form,
        scorecard=scorecard,
        verdicts=verdicts,
        new_kill_criteria=new_kill_criteria,
    )
    context["confirm_kill"] = form.data.get("decision") == DecisionKind.KILL
    template = f"{REVIEW_TEMPLATE}#review" if request.htmx else REVIEW_TEMPLATE
    # A refused decision answers 400 (gates.js swaps it in all the same).
    return render(request, template, context, status=400)
