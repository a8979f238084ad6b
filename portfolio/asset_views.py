"""The feedback loop's pages: the artifact library, an artifact's lineage, adoption.

Every signed-in person may browse the library (research assets are meant to be
found and reused); what they see follows the project list's rule (a draft's
artifacts only for its author). Adoption is recorded by a greenlit product's PM.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from portfolio import access, services
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import AdoptionForm, ArtifactFilterForm
from portfolio.reads import assets


@require_GET
@login_required
def artifact_library(request: HttpRequest) -> HttpResponse:
    form = ArtifactFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    artifacts = assets.library(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(artifacts, assets.LIBRARY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "summary": assets.library_summary(artifacts),
        "filtered": any(filters.values()),
    }
    wants_table = bool(request.htmx) and not request.htmx.history_restore_request
    template = "portfolio/artifact_library.html" + ("#table" if wants_table else "")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def artifact_detail(request: HttpRequest, key: str) -> HttpResponse:
    artifact = assets.artifact_for_user(request.user, key)
    if artifact is None:
        raise Http404("No such artifact.")
    return render(
        request,
        "portfolio/artifact_detail.html",
        {"lineage": assets.lineage(artifact, request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def adoption_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    if not access.can_record_adoption(request.user, project):
        raise PermissionDenied
    form = AdoptionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                adoption = services.record_adoption(
                    project=project, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    f"Recorded {adoption.active_users:,} active users and "
                    f"{adoption.tasks_completed:,} tasks in {adoption.month:%B %Y}.",
                )
                return redirect(project)
        status = 400
    return render(
        request,
        "portfolio/adoption_form.html",
        {
            "form": form,
            "project": project,
            "rows": project.adoption.order_by("-month"),
            "first_month": assets.first_adoption_month(project),
        },
        status=status,
    )
