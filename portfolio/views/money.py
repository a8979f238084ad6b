"""Money in and value out: spend recorded against a project, and a greenlit product's outcomes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portfolio import access, process, services
from portfolio.errors import DomainError, add_domain_error
from portfolio.forms import (
    OutcomeForm,
    SpendForm,
)
from portfolio.models import Status
from portfolio.templatetags.numbers import money_cents
from portfolio.views.common import deny_unless, form_page, posted


@require_http_methods(["GET", "POST"])
@login_required
def spend_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_record_spend(request.user, project))
    # Spend dated on or before a kill is still recorded (a late invoice is sunk cost too):
    # the form starts at the kill's day, and the page says why no later day is taken.
    killed_on = project.last_decision_on if project.status == Status.KILLED else None
    today = timezone.localdate()
    form = SpendForm(posted(request), initial={"spent_on": min(today, killed_on or today)})
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
    context = {"form": form, "project": project, "recent": recent, "killed_on": killed_on}
    return form_page(request, "portfolio/spend_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def outcome_create(request: HttpRequest, key: str) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)
    deny_unless(access.can_record_outcome(request.user, project))
    form = OutcomeForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.record_outcome(
                project=project,
                actor=request.user,
                month=form.cleaned_data["month"],
                realized_value=form.cleaned_data["realized_value"],
                # The form asked for it (a month above a year's high projection); the
                # service refuses such a month without it, wherever it is recorded.
                confirm_value=form.cleaned_data["confirm_value"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"Recorded {money_cents(outcome.realized_value)} realized in "
                f"{outcome.month:%B %Y}.",
            )
            return redirect(project)
    outcomes = project.outcomes.order_by("-month")
    first = process.first_outcome_month(project.last_decision_on)
    context = {
        "form": form,
        "project": project,
        "outcomes": outcomes,
        "first_month": first,
        # On the day of greenlight the first month may not have begun: the page says when.
        "recordable": first <= timezone.localdate(),
        # Admins correct or remove a month in the admin, as they correct spend.
        "correctable": access.can_correct_outcomes(request.user),
    }
    return form_page(request, "portfolio/outcome_form.html", context)
