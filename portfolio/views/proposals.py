"""Proposals: write a draft, save it or submit it for gate 1 from the same form, delete it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portfolio import access, edits, services
from portfolio.access import KeyInOtherCase
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import ProposalForm
from portfolio.models import AuditEntry, Project
from portfolio.views.common import deny_unless
from portfolio.web import drafts

TEMPLATE = "portfolio/proposal_form.html"
SUBMIT = "submit"


def _submitted(request: HttpRequest, project: Project) -> HttpResponse:
    messages.success(
        request,
        f"{project.key} is submitted and waits at gate 1; "
        f"{project.notice.sentence()} to review it.",
    )
    return redirect(project)


def _save(request: HttpRequest, form: ProposalForm, project: Project | None) -> HttpResponse | None:
    """Save the draft, or save and submit it ("Submit for gate 1"); None when refused."""
    fields = form.proposal_fields()
    # The draft as its page showed it: refused if another tab saved it since.
    seen = {"seen": form.version_seen} if project is not None else {}
    try:
        if form.submitting:
            saved = services.save_and_submit_proposal(
                actor=request.user, project=project, **seen, **fields
            )
        elif project is None:
            saved = services.create_proposal(actor=request.user, **fields)
        else:
            saved = services.update_proposal(project=project, actor=request.user, **seen, **fields)
    except edits.ChangedSince as error:
        # Nothing written; what was typed is shown beside the draft as saved now.
        form.changed_since = edits.refuse(form, error)
        return None
    except DomainError as error:
        add_domain_error(form, error)
        return None
    if form.submitting:
        return _submitted(request, saved)
    if project is None:
        messages.success(
            request, f"Draft {saved.key} saved. Only you can see it until you submit it."
        )
    else:
        messages.success(request, f"Draft {saved.key} saved.")
    return redirect(saved)


def _form_page(request: HttpRequest, form: ProposalForm, project: Project | None, **extra):
    context = {"form": form, "project": project, **extra}
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    deny_unless(access.can_create_proposal(request.user))
    if request.method == "POST":
        form = ProposalForm(request.POST, submitting=request.POST.get("action") == SUBMIT)
        if form.is_valid() and (done := _save(request, form, None)):
            drafts.saved(request, "new-proposal")
            return done
    else:
        form = ProposalForm()
    return _form_page(request, form, None)


def _own_draft(request: HttpRequest, key: str) -> Project:
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_edit_proposal(request.user, project))
    return project


def _submitted_already(request: HttpRequest, key: str) -> HttpResponse | None:
    """The author's own proposal, submitted since the page was opened (Back, a second tab):
    say so and show the project, rather than a refusal that speaks of roles."""
    project = access.get_project_for_user(request.user, key)
    if project.is_draft or project.researcher_id != request.user.pk:
        return None
    messages.info(
        request,
        f"{project.key} was submitted on {project.submitted_on:%Y-%m-%d}: a submitted proposal "
        "is no longer edited. Its next-stage ask and deliverables are on its page.",
    )
    return redirect(project)


# What a re-sent form leaves out: the deleted draft's version and the button pressed.
NOT_RESENT = ("csrfmiddlewaretoken", "version_seen", "action")


def _deleted_draft(request: HttpRequest, key: str) -> HttpResponse | None:
    """A save of the author's draft deleted since its page was opened (another tab): a page
    that says so, by whom and when (the audit trail), with what was typed and a button
    that saves it as a new draft, rather than a bare 404 that loses the text."""
    try:
        access.get_project_for_user(request.user, key)
    except KeyInOtherCase:
        return None
    except Http404:
        pass
    else:
        return None
    # Only its author deletes a draft (access.can_delete_draft): their own entries.
    deleted = next(
        (
            entry
            for entry in AuditEntry.objects.filter(
                action="proposal.deleted", actor=request.user
            ).order_by("-at", "-id")[:200]
            if str((entry.changes.get("key") or [""])[0]).lower() == key.lower()
        ),
        None,
    )
    if deleted is None:
        return None
    form = ProposalForm(request.POST)
    typed = []
    for field in form:
        values = [value for value in request.POST.getlist(field.html_name) if value.strip()]
        if field.is_hidden or not values:
            continue
        labels = {str(value): label for value, label in getattr(field.field, "choices", [])}
        typed.append((field.label, [labels.get(value, value) for value in values]))
    resent = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_RESENT
        for value in values
    ]
    context = {
        "key": deleted.changes["key"][0],
        "title": (deleted.changes.get("title") or [""])[0],
        "deleted": deleted,
        "typed": typed,
        "resent": resent,
    }
    # 410: the draft was there and is gone for good (a deleted draft is not restored).
    return render(request, "portfolio/proposal_deleted.html", context, status=410)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_edit(request: HttpRequest, key: str) -> HttpResponse:
    if request.method == "POST" and (gone := _deleted_draft(request, key)):
        return gone
    if submitted := _submitted_already(request, key):
        return submitted
    project = _own_draft(request, key)
    if request.method == "POST":
        submitting = request.POST.get("action") == SUBMIT
        form = ProposalForm(request.POST, instance=project, submitting=submitting)
        if form.is_valid() and (done := _save(request, form, project)):
            drafts.saved(request, "proposal", key)  # the key its page was opened with
            return done
    else:
        form = ProposalForm(instance=project)
    return _form_page(request, form, project)


@require_POST
@login_required
def proposal_submit(request: HttpRequest, key: str) -> HttpResponse:
    """The draft as saved, submitted (the button on its page and on the home page)."""
    project = access.get_project_for_user(request.user, key)
    if not project.is_draft:
        messages.info(request, f"{project.key} was already submitted.")
        return redirect(project)
    deny_unless(project.researcher_id == request.user.pk)
    try:
        project = services.submit_proposal(project=project, actor=request.user)
    except DomainError as error:
        # What is missing is written in the proposal form: show it there, beside the field.
        form = ProposalForm(ProposalForm.data_from(project), instance=project, submitting=True)
        form.is_valid()
        if not form.errors:
            add_domain_error(form, error)
        return _form_page(request, form, project, submit_failed=True)
    return _submitted(request, project)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_delete(request: HttpRequest, key: str) -> HttpResponse:
    """Delete a draft, after a confirmation page (its author only, while it is a draft)."""
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_delete_draft(request.user, project))
    if request.method == "POST":
        services.delete_draft(project=project, actor=request.user)
        messages.success(request, f"Draft {project.key} deleted.")
        return redirect("home")
    return render(request, "portfolio/proposal_delete.html", {"project": project})
