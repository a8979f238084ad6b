"""A project's history as it was before an import replaced it: read-only, for whoever sees the project."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from portfolio import access
from portfolio.models import ReplacedHistory


@login_required
@require_GET
def replaced_history(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    project = access.get_project_for_user(request.user, key)  # 404 for a draft not one's own
    history = get_object_or_404(
        ReplacedHistory.objects.select_related("replaced_by"), project=project, pk=pk
    )
    spend_total = sum((Decimal(row["amount"]) for row in history.spend), Decimal(0))
    return render(
        request,
        "gates/replaced_history.html",
        {"project": project, "history": history, "spend_total": spend_total},
    )
