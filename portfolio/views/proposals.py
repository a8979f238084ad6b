"""Proposals: write a draft, edit it, submit it for gate 1."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portfolio import access, services
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import (
    ProposalForm,
)
from portfolio.models import Project
from portfolio.views.common import deny_unless, posted


def _proposal_fields(form: ProposalForm) -> dict:
    fields = {name: form.cleaned_data[name] for name in services.PROPOSAL_FIELDS}
    return {**fields, "builds_on": list(form.cleaned_data["builds_on"])}


@require_http_methods(["GET", "POST"])
@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    deny_unless(access.can_create_proposal(request.user))
    form = ProposalForm(posted(request))
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
    deny_unless(access.can_edit_proposal(request.user, project))
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
    deny_unless(project.researcher_id == request.user.pk)
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
