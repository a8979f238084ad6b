"""Who writes a project's cost estimate: the product manager assigns, an architect takes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portfolio import access, services
from portfolio.errors import DomainError, add_domain_error
from portfolio.notification_forms import AssignArchitectForm
from portfolio.reads import worklists
from portfolio.views.common import deny_unless, posted


def _page(request: HttpRequest, project, form: AssignArchitectForm) -> HttpResponse:
    return render(
        request,
        "portfolio/estimate_assignment.html",
        {
            "project": project,
            "form": form,
            "may_assign": access.can_assign_architect(request.user, project),
            "queued": worklists.in_estimate_queue(project),
        },
        status=400 if form.errors else 200,
    )


def _assigned_message(project, architect, actor) -> str:
    """What happened, truthfully: who was told, and how (their notification choices)."""
    if project.deliveries is None:
        if architect is None:
            return (
                f"The cost estimate of {project.key} was already in the architects' shared queue."
            )
        return f"The cost estimate of {project.key} was already assigned to {architect}; nothing changed."
    if architect is None:
        return f"The cost estimate of {project.key} is back in the architects' shared queue."
    if architect == actor:
        return f"The cost estimate of {project.key} is yours."
    told = "; ".join(delivery.sentence() for delivery in project.deliveries)
    return f"The cost estimate of {project.key} is assigned to {architect}; {told}."


@require_http_methods(["GET", "POST"])
@login_required
def estimate_assign(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_assign_architect(request.user, project))
    form = AssignArchitectForm(posted(request), initial={"architect": project.architect_id})
    if request.method == "POST" and form.is_valid():
        architect = form.cleaned_data["architect"]
        try:
            assigned = services.assign_architect(
                project=project, architect=architect, actor=request.user
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _assigned_message(assigned, architect, request.user))
            return redirect(project)
    return _page(request, project, form)


@require_POST
@login_required
def estimate_take(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    deny_unless(request.user.is_architect)
    try:
        services.take_estimate(project=project, actor=request.user)
    except DomainError as error:
        form = AssignArchitectForm({"architect": project.architect_id or ""})
        add_domain_error(form, error)
        return _page(request, project, form)
    messages.success(request, f"The cost estimate of {project.key} is yours.")
    project.refresh_from_db()
    if access.can_write_architecture_estimate(request.user, project):
        # Taken to write it: straight to its page.
        return redirect("architecture_estimate_edit", key=project.key)
    return redirect(project)
