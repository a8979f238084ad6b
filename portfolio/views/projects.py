"""My work, the project list (and its CSV) and the project page.

Views read, check permission (404 for what a person may not see, 403 for what
they see but may not change), and hand state changes to ``portfolio.services``.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from portfolio import access
from portfolio.dashboard.forms import filename_part
from portfolio.forms import PersonChoiceField, ProjectFilterForm, by_name
from portfolio.metrics import calibrated as calibration
from portfolio.models import Project, Role, Status, User
from portfolio.process import DELIVERABLES_BY_KIND
from portfolio.reads import assets, deliverables, project_page, worklists
from portfolio.reads import project_list as listing
from portfolio.views.common import page_of, wants_partial
from portfolio.web import csv as safe_csv

# My work's Administration section lists this many open projects without an active product
# manager, and says how many more (the People page links to each person's).
CHAIRLESS_SHOWN = 10


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"has_role": bool(user.roles), "votes_waiting": worklists.votes_waiting(user)}
    # Those a gate names by default are told when nothing waits; anyone else sees the list
    # only when a gate names them and a review asks for their vote.
    context["votes_waiting_shown"] = bool(context["votes_waiting"]) or user.has_role(
        Role.PRODUCT_MANAGER, Role.ARCHITECT, Role.EXECUTIVE
    )
    if user.is_researcher:
        context["research"] = worklists.researcher_work(user)
    if user.is_product_manager:
        context["review_queue"] = worklists.review_queue(user)
    if user.is_architect:
        queue = worklists.estimate_queue(user)
        context["estimate_queue"] = queue
        context["estimate_parts"] = [
            ("mine", "Assigned to you", "No estimate is assigned to you.", queue["mine"]),
            (
                "unassigned",
                "Unassigned: take one",
                "Every estimate waiting has an architect.",
                queue["unassigned"],
            ),
            ("others", "With other architects", "None.", queue["others"]),
        ]
    if user.is_executive:
        context["latest_decisions"] = list(worklists.latest_decisions())
    if user.is_portfolio_admin:
        # Reviews nobody chairs until an admin gives the project another product manager.
        chairless = worklists.chairless_projects()
        context["chairless"] = list(chairless[:CHAIRLESS_SHOWN])
        context["chairless_more"] = (
            chairless.count() - CHAIRLESS_SHOWN
            if len(context["chairless"]) == CHAIRLESS_SHOWN
            else 0
        )
    return render(request, "portfolio/home.html", context)


# --- The project list ---------------------------------------------------------


class ProjectListFilterForm(ProjectFilterForm):
    """The list's filters with its Researcher filter, which offers the people ``user`` sees
    research a project (``listing.researcher_choices``): the rows are ``user``'s anyway."""

    researcher = PersonChoiceField(
        label="Researcher",
        required=False,
        queryset=User.objects.none(),
        to_field_name="email",
        empty_label="Anyone",
        error_messages={"invalid_choice": "Researcher: no researcher with that e-mail address."},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["researcher"].queryset = by_name(listing.researcher_choices(user))


def _list_query(request: HttpRequest):
    """The form, the sort and the rows; no rows (None) while a filter cannot be read
    (``form.problems()``): a list without it would look like its answer, every project."""
    form = ProjectListFilterForm(request.GET, user=request.user)
    sort = listing.parse_sort(request.GET.get("sort"))
    if form.problems():
        return form, sort, None
    projects = listing.projects_for(request.user, form.filters(), sort=sort)
    return form, sort, projects


@require_GET
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    form, sort, projects = _list_query(request)
    column, descending = sort or (listing.COLUMNS_BY_NAME[listing.DEFAULT_SORT], False)
    context = {
        "form": form,
        "headers": listing.header_links(sort),
        "sort": f"-{column.name}" if descending else column.name,
        "bad_sort": sort is None,
    }
    if projects is None:
        # As the dashboard refuses its filters: each problem named, and no list.
        context["filter_errors"] = form.problems()
    else:
        context["page"] = page_of(Paginator(projects, listing.PER_PAGE), request)
    template = "portfolio/project_list.html"
    if wants_partial(request):
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
    writer = safe_csv.writer(_Echo())  # no text cell runs as a spreadsheet formula
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
                p.product_manager.email if p.product_manager else "",
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
def project_list_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, _sort, projects = _list_query(request)
    if projects is None:
        # Refused by name, as the dashboard's downloads are, rather than every row exported.
        return HttpResponse(
            f"These filters cannot be applied: {' '.join(form.problems())}",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(_csv_rows(projects), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_csv_filename(form.filters())}"'
    return response


# A search of 200 characters would make a name some systems refuse; its start tells it apart.
SEARCH_IN_FILENAME_MAX = 40


def _csv_filename(filters: dict) -> str:
    """The day and every filter the list was downloaded with, as the dashboard names its
    downloads (``download_filename``), so downloads of different lists are told apart:
    projects-2026-12-01-search-triage-active-gate-2-revenue-pm-example-com.csv."""
    parts = ["projects", f"{timezone.localdate():%Y-%m-%d}"]
    if search := filename_part(filters.get("q", ""))[:SEARCH_IN_FILENAME_MAX].strip("-"):
        parts.append(f"search-{search}")
    if status := filters.get("status"):
        statuses = [status] if isinstance(status, str) else status
        parts.append("-or-".join(filename_part(one) for one in statuses))  # active-or-on-hold
    if gate := filters.get("gate"):
        parts.append(f"gate-{gate}")
    for name in ("bucket", "research_type"):
        if value := filters.get(name):
            parts.append(filename_part(value))
    if product_manager := filters.get("pm"):
        parts.append(filename_part(product_manager.email))
    if researcher := filters.get("researcher"):
        parts.append(f"researcher-{filename_part(researcher.email)}")
    return f"{'-'.join(parts)}.csv"


# --- The project page ---------------------------------------------------------


def _actions(user, project: Project) -> dict:
    open_ = project.status in (Status.ACTIVE, Status.ON_HOLD)
    return {
        "edit": access.can_edit_proposal(user, project),
        "submit": project.is_draft and project.researcher_id == user.pk,
        "delete": access.can_delete_draft(user, project),
        "feasibility_study": open_ and access.can_write_feasibility_study(user, project),
        "architecture_estimate": open_ and access.can_write_architecture_estimate(user, project),
        "business_case": open_ and access.can_write_business_case(user, project),
        "gate_review": open_ and access.can_decide(user, project),
        # A killed project's spend dated up to its kill is still recorded (late invoices).
        "spend": access.can_record_spend(user, project),
        "artifact": access.can_register_artifact(user, project),
        "outcome": access.can_record_outcome(user, project),
        "next_stage_ask": access.can_set_next_stage_ask(user, project),
        "estimate_open": open_,
        "assign_architect": access.can_assign_architect(user, project),
        "take_estimate": access.can_take_estimate(user, project),
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
            # Written: its page, where everyone who sees the project reads it.
            "url": reverse(DELIVERABLES_BY_KIND[kind].url_name, args=[project.key])
            if deliverable
            else None,
            "needed_now": kind in required.get(project.current_gate or 0, [])
            and project.status in (Status.ACTIVE, Status.ON_HOLD),
            "gates": [number for number, kinds in sorted(required.items()) if kind in kinds],
        }
        for kind, deliverable in found.items()
    ]
    # A draft may not name its product manager or its probability yet.
    record = (
        calibration.record_of(project.product_manager.email, timezone.localdate())
        if project.product_manager_id and project.current_probability is not None
        else None
    )
    context = {
        "project": project,
        "calibration": record,
        "calibrated_probability": record.calibrate(project.current_probability) if record else None,
        "actions": _actions(request.user, project),
        "deliverable_rows": deliverable_rows,
        # Before gate 2 the estimate is in no queue (unless a gate needs it sooner).
        "estimate_queued": worklists.in_estimate_queue(project, required),
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
        "chart_min_months": project_page.CHART_MIN_MONTHS,
        "audit_entries": audit_entries,
        "artifacts": list(project.artifacts.select_related("registered_by")),
        "replaced_histories": list(
            project.replaced_histories.select_related("project", "replaced_by").only(
                "pk", "replaced_at", "project__key", "replaced_by__full_name", "replaced_by__email"
            )
        ),
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
    context["closed"] = project_page.closed_summary(project, context["outcomes"])
    return render(request, "portfolio/project_detail.html", context)
