"""The Export page: what an export of the portfolio holds, and its two downloads.

The navigation's Export used to download a zip at once, with nothing to say what it
holds. The page lists the files (the interchange format of docs/interchange.md), how many
rows the large ones have now, and offers the zip of CSV files and the Excel workbook
(gates/views/interchange.py writes both).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from gates.models import GateDecision
from portfolio import access
from portfolio.interchange_format import (
    ADOPTION,
    ARTIFACT_USES,
    ARTIFACTS,
    DECISIONS,
    ESTIMATES,
    FORMAT_VERSION,
    KILL_CRITERIA,
    OUTCOMES,
    PROJECTS,
    SPEND,
    VOTES,
)
from portfolio.models import Outcome, Project, SpendMonth

# Each file of an export, in the order the zip holds them, and what it holds.
FILES = (
    (PROJECTS, "Each submitted project: its proposal, projected annual value, people and state."),
    (DECISIONS, "Every gate decision (go, kill, hold, recycle), with funding and rationale."),
    (SPEND, "Every spend entry: day, amount, category and note."),
    (OUTCOMES, "The value each greenlit product realized, month by month."),
    (ESTIMATES, "The architects' estimates: build, monthly run and retraining costs."),
    (VOTES, "The gatekeepers' votes on decided reviews (open reviews stay blind)."),
    (KILL_CRITERIA, "The kill criteria set at each go, and how each was judged."),
    (ARTIFACTS, "The research artifacts registered as assets (models, data sets…)."),
    (ARTIFACT_USES, "Which projects reuse which artifacts."),
    (ADOPTION, "Greenlit products' monthly users, tasks and minutes saved."),
)
OPTIONAL = {VOTES, KILL_CRITERIA, ARTIFACTS, ARTIFACT_USES, ADOPTION}


@login_required
@require_GET
def portfolio_export_page(request: HttpRequest) -> HttpResponse:
    if not access.can_export_portfolio(request.user):
        raise PermissionDenied
    submitted = Project.objects.submitted()
    # Four counts, each one query: spend from the monthly rollup (its entries per month),
    # not by counting a million entries.
    counts = {
        PROJECTS: submitted.count(),
        DECISIONS: GateDecision.objects.filter(project__in=submitted).count(),
        SPEND: SpendMonth.objects.filter(project__in=submitted).aggregate(n=Sum("entries"))["n"]
        or 0,
        OUTCOMES: Outcome.objects.filter(project__in=submitted).count(),
    }
    files = [
        {"name": name, "about": about, "rows": counts.get(name), "optional": name in OPTIONAL}
        for name, about in FILES
    ]
    return render(
        request,
        "gates/portfolio_export.html",
        {
            "files": files,
            "format_version": FORMAT_VERSION,
            "today": timezone.localdate(),
            "can_import": access.can_import_portfolio(request.user),
        },
    )
