from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio import access
from portfolio.access import get_project_for_user


@login_required
def gate_review(request: HttpRequest, key: str) -> HttpResponse:
    project = get_project_for_user(request.user, key)
    if not access.can_decide(request.user, project):
        raise PermissionDenied
    return render(request, "gates/gate_review.html", {"project": project})


def scorecard_preview(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def decision_create(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def feasibility_study_edit(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def architecture_estimate_edit(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def business_case_edit(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")
