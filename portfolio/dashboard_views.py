from __future__ import annotations

from django.http import Http404


def dashboard(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def dashboard_csv(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def api_metrics(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")
