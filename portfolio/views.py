from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portfolio.access import get_project_for_user


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portfolio/home.html", {})


@require_GET
@login_required
def project_detail(request: HttpRequest, key: str) -> HttpResponse:
    project = get_project_for_user(request.user, key)
    return render(request, "portfolio/project_detail.html", {"project": project})


def project_list(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def project_list_csv(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def proposal_create(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def proposal_edit(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def proposal_submit(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def spend_create(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def outcome_create(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def artifact_create(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def artifact_reuse(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")
