from __future__ import annotations

from django.http import Http404


def portfolio_import(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")


def portfolio_export(request, *args, **kwargs):  # being written
    raise Http404("Not built yet")
