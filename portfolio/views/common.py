"""What the portfolio's views share: permission refusals, posted data, htmx partials, form pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def posted(request: HttpRequest):
    """The submitted data on POST (even when empty, so the form reports it), else None."""
    return request.POST if request.method == "POST" else None


def wants_partial(request: HttpRequest) -> bool:
    # A history restore asks for the whole page: htmx swaps it into <body>.
    return bool(request.htmx) and not request.htmx.history_restore_request


def form_page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    form = context["form"]
    return render(request, template, context, status=400 if form.errors else 200)
