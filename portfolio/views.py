"""The portfolio pages: my work, the project list and page, proposals, spend, outcomes, artifacts.

Views read, check permission (404 for what a person may not see, 403 for what
they see but may not change), and hand state changes to ``portfolio.services``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portfolio import access, services
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import (
    ArtifactForm,
    ArtifactReuseForm,
    OutcomeForm,
    ProjectFilterForm,
    ProposalForm,
    SpendForm,
    reusable_artifacts,
)
from portfolio.metrics import calibrated as calibration
from portfolio.models import Project, Status
from portfolio.process import DELIVERABLES_BY_KIND
from portfolio.reads import assets, deliverables, project_page, worklists
from portfolio.reads import project_list as listing


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _posted(request: HttpRequest):
    """The submitted data on POST (even when empty, so the form reports it), else None."""
    return request.POST if request.method == "POST" else None


def _wants_partial(request: HttpRequest) -> bool:
    # A history restore asks for the whole page: htmx swaps it into <body>.
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- My work ------------------------------------------------------------------


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"has_role": bool(user.roles)}
    if user.is_researcher:
        context["research"] = worklists.researcher_work(user)
    if user.is_product_manager:
        context["review_queue"] = worklists.review_queue(user)
    if user.is_architect:
        context["awaiting_estimate"] = list(worklists.awaiting_estimate())
    if user.is_executive:
        context["latest_decisions"] = list(worklists.latest_decisions())
    return render(request, "portfolio/home.html", context)


# --- The project list ---------------------------------------------------------


def _list_query(request: HttpRequest):
    form = ProjectFilterForm(request.GET)
    filters = form.filters()
    sort = listing.parse_sort(request.GET.get("sort"))
    projects = listing.projects_for(request.user, filters, sort=sort)
    return form, sort, projects


@require_GET
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    form, sort, projects = _list_query(request)
    page = Paginator(projects, listing.PER_PAGE).get_page(request.GET.get("page"))
    column, descending = sort or (listing.COLUMNS_BY_NAME[listing.DEFAULT_SORT], False)
    context = {
        "form": form,
        "page": page,
        "headers": listing.header_links(sort),
        "sort": f"-{column.name}" if descending else column.name,
        "bad_sort": sort is None,
    }
    template = "portfolio/project_list.html"
    if _wants_partial(request):
        template += "#table"
    response = render(request, template, context)
    # The same URL answers a whole page or the table alone: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


class _Echo:
    """A write-only file whose write returns the line, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "key",
    "title",
    "status",
    "current_gate",
    "research_type",
    "bucket",
    "researcher",
    "product_manager",
    "submitted_on",
    "value_kind",
    "projected_low",
    "projected_expected",
    "projected_high",
    "probability_of_success",
    "latest_probability",
    "funding_granted_total",
    "spend_total",
]


def _csv_rows(projects) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for p in projects.iterator(chunk_size=500):
        yield writer.writerow(
            [
                p.key,
                p.title,
                p.status,
                p.current_gate or "",
                p.research_type,
                p.bucket,
                p.researcher.email,
                p.product_manager.email,
                p.submitted_on.isoformat() if p.submitted_on else "",
                p.value_kind,
                p.projected_low,
                p.projected_expected,
                p.projected_high,
                p.probability_of_success,
                p.current_probability,
                p.funding_granted_total,
                p.spend_total,
            ]
        )


@require_GET
@login_required
def project_list_csv(request: HttpRequest) -> StreamingHttpResponse:
    _form, _sort, projects = _list_query(request)
    response = StreamingHttpResponse(_csv_rows(projects), content_type="text/csv; charset=utf-8")
    filename = f"projects-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The project page ---------------------------------------------------------


def _actions(user, project: Project) -> dict:
    open_ = project.status in (Status.ACTIVE, Status.ON_HOLD)
    return {
        "edit": access.can_edit_proposal(user, project),
        "submit": project.is_draft and project.researcher_id == user.pk,
        "feasibility_study": open_ and access.can_write_feasibility_study(user, project),
        "architecture_estimate": open_ and access.can_write_architecture_estimate(user, project),
        "business_case": open_ and access.can_write_business_case(user, project),
        "gate_review": open_ and access.can_decide(user, project),
        "spend": access.can_record_spend(user, project),
        "artifact": access.can_register_artifact(user, project),
        "outcome": access.can_record_outcome(user, project),
        "next_stage_ask": access.can_set_next_stage_ask(user, project),
    }


@require_GET
@login_required
def project_detail(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    found = deliverables.loaded(project)
    decisions = project_page.decisions_of(project)
    months = project_page.spend_by_month(project)
    audit_entries = project_page.audit_trail(project)
    required = deliverables.required_by_gate()
    deliverable_rows = [
        {
            "kind": kind,
            "label": DELIVERABLES_BY_KIND[kind].label,
            "deliverable": deliverable,
            "needed_now": kind in required.get(project.current_gate or 0, [])
            and project.status in (Status.ACTIVE, Status.ON_HOLD),
            "gates": [number for number, kinds in sorted(required.items()) if kind in kinds],
        }
        for kind, deliverable in found.items()
    ]
    record = calibration.record_of(project.product_manager.email, timezone.localdate())
    context = {
        "project": project,
        "calibration": record,
        "calibrated_probability": record.calibrate(project.current_probability),
        "actions": _actions(request.user, project),
        "deliverable_rows": deliverable_rows,
        "decisions": decisions,
        # A go that overrode a kill criterion agreed at the gate before: flagged at the top.
        "overrides": [d for d in decisions if d.overrides_kill_criteria],
        "events": project_page.timeline(
            project,
            decisions=decisions,
            months=months,
            audit_entries=audit_entries,
            deliverables=[d for d in found.values() if d is not None],
        ),
        "months": months,
        "chart": project_page.spend_chart(months, decisions),
        "audit_entries": audit_entries,
        "artifacts": list(project.artifacts.select_related("registered_by")),
        "reused": list(
            project.artifact_reuses.select_related("artifact__project").order_by("artifact__name")
        ),
        "reused_by_others": list(
            project.artifacts.filter(reuses__isnull=False)
            .values_list("name", "reuses__project__key")
            .order_by("name", "reuses__project__key")
        ),
        "outcomes": list(project.outcomes.order_by("month")),
        "outcome_total": sum((o.realized_value for o in project.outcomes.all()), start=0),
    }
    context.update(assets.project_feedback(project, context["outcomes"], request.user))
    return render(request, "portfolio/project_detail.html", context)


# --- Proposals ----------------------------------------------------------------


def _proposal_fields(form: ProposalForm) -> dict:
    fields = {name: form.cleaned_data[name] for name in services.PROPOSAL_FIELDS}
    return {**fields, "builds_on": list(form.cleaned_data["builds_on"])}


@require_http_methods(["GET", "POST"])
@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    _deny_unless(access.can_create_proposal(request.user))
    form = ProposalForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_proposal(actor=request.user, **_proposal_fields(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Draft {project.key} saved. Only you can see it until you submit it.",
            )
            return redirect(project)
    return render(
        request,
        "portfolio/proposal_form.html",
        {"form": form, "project": None},
        status=400 if form.errors else 200,
    )


def _own_draft(request: HttpRequest, key: str) -> Project:
    project = access.get_project_for_user(request.user, key)
    _deny_unless(access.can_edit_proposal(request.user, project))
    return project


@require_http_methods(["GET", "POST"])
@login_required
def proposal_edit(request: HttpRequest, key: str) -> HttpResponse:
    project = _own_draft(request, key)
    if request.method == "POST":
        form = ProposalForm(request.POST, project=project)
        if form.is_valid():
            try:
                project = services.update_proposal(
                    project=project, actor=request.user, **_proposal_fields(form)
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"Draft {project.key} saved.")
                return redirect(project)
    else:
        form = ProposalForm(initial=ProposalForm.initial_from(project), project=project)
    return render(
        request,
        "portfolio/proposal_form.html",
        {"form": form, "project": project},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def proposal_submit(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    if not project.is_draft:
        messages.info(request, f"{project.key} was already submitted.")
        return redirect(project)
    _deny_unless(project.researcher_id == request.user.pk)
    try:
        project = services.submit_proposal(project=project, actor=request.user)
    except DomainError as error:
        # What is missing is written in the proposal form: show it there, beside the field.
        form = ProposalForm(ProposalForm.data_from(project), project=project)
        form.is_valid()
        add_domain_error(form, error)
        return render(
            request,
            "portfolio/proposal_form.html",
            {"form": form, "project": project, "submit_failed": True},
            status=400,
        )
    messages.success(
        request,
        f"{project.key} is submitted and waits at gate 1; "
        f"{project.notice.sentence()} to review it.",
    )
    return redirect(project)


# --- Spend, outcomes, artifacts -----------------------------------------------


def _form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    return render(request, template, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def spend_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    _deny_unless(access.can_record_spend(request.user, project))
    form = SpendForm(_posted(request), initial={"spent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.record_spend(project=project, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Recorded {entry.amount:,.2f} of {entry.get_category_display().lower()} spend "
                f"on {entry.spent_on:%Y-%m-%d}.",
            )
            return redirect(project)
    recent = project.spend_entries.select_related("recorded_by").order_by("-spent_on", "-id")[:10]
    return _form_page(
        request, "portfolio/spend_form.html", {"form": form, "project": project, "recent": recent}
    )


@require_http_methods(["GET", "POST"])
@login_required
def outcome_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    _deny_unless(access.can_record_outcome(request.user, project))
    form = OutcomeForm(_posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.record_outcome(
                project=project, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Recorded {outcome.realized_value:,.2f} realized in {outcome.month:%B %Y}.",
            )
            return redirect(project)
    outcomes = project.outcomes.order_by("-month")
    return _form_page(
        request,
        "portfolio/outcome_form.html",
        {"form": form, "project": project, "outcomes": outcomes},
    )


@require_http_methods(["GET", "POST"])
@login_required
def artifact_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    _deny_unless(access.can_register_artifact(request.user, project))
    form = ArtifactForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            artifact = services.register_artifact(
                project=project, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Registered {artifact}.")
            return redirect(project)
    return _form_page(
        request,
        "portfolio/artifact_form.html",
        {"form": form, "project": project, "artifacts": project.artifacts.all()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def artifact_reuse(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    _deny_unless(access.can_register_artifact(request.user, project))
    form = ArtifactReuseForm(_posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        artifact = form.cleaned_data["artifact"]
        try:
            services.link_reused_artifact(
                project=project,
                artifact=artifact,
                actor=request.user,
                used_on=form.cleaned_data.get("used_on"),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{project.key} now reuses {artifact.name}.")
            return redirect(project)
    return _form_page(
        request,
        "portfolio/artifact_reuse_form.html",
        {
            "form": form,
            "project": project,
            "has_choices": reusable_artifacts(project).exists(),
            "reused": project.artifact_reuses.select_related("artifact__project"),
        },
    )
