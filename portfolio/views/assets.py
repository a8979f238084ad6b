"""Research assets: registering and reusing artifacts, the library, an artifact's lineage, adoption.

Every signed-in person may browse the library (research assets are meant to be
found and reused); what they see follows the project list's rule (a draft's
artifacts only for its author). Adoption is recorded by a greenlit product's PM.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from portfolio import access, services
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import (
    AdoptionForm,
    ArtifactFilterForm,
    ArtifactForm,
    ArtifactReuseForm,
    reusable_artifacts,
)
from portfolio.reads import assets
from portfolio.views.common import deny_unless, form_page, page_of, posted
from portfolio.web import drafts


@require_http_methods(["GET", "POST"])
@login_required
def artifact_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_register_artifact(request.user, project))
    form = ArtifactForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            artifact = services.register_artifact(
                project=project, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Registered {artifact}.")
            drafts.saved(request, "new-artifact", project.key)
            return redirect(project)
    return form_page(
        request,
        "portfolio/artifact_form.html",
        {"form": form, "project": project, "artifacts": project.artifacts.all()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def artifact_reuse(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_register_artifact(request.user, project))
    form = ArtifactReuseForm(posted(request), project=project)
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
    return form_page(
        request,
        "portfolio/artifact_reuse_form.html",
        {
            "form": form,
            "project": project,
            "has_choices": reusable_artifacts(project).exists(),
            "reused": project.artifact_reuses.select_related("artifact__project"),
        },
    )


@require_GET
@login_required
def artifact_library(request: HttpRequest) -> HttpResponse:
    form = ArtifactFilterForm(request.GET)
    context = {"form": form}
    if form.problems():
        # As the project list refuses its filters: each problem named, and no list.
        context["filter_errors"] = form.problems()
    else:
        filters = form.filters()
        artifacts = assets.library(request.user, **filters)
        context |= {
            "page": page_of(Paginator(artifacts, assets.LIBRARY_PAGE_SIZE), request),
            "summary": assets.library_summary(artifacts),
            "filtered": bool(filters),
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
    deny_unless(access.can_record_adoption(request.user, project))
    form = AdoptionForm(posted(request))
    if request.method == "POST" and form.is_valid():
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
    return form_page(
        request,
        "portfolio/adoption_form.html",
        {
            "form": form,
            "project": project,
            "rows": project.adoption.order_by("-month"),
            "first_month": assets.first_adoption_month(project),
        },
    )
