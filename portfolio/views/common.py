"""What the portfolio's views share: permission refusals, posted data, htmx partials, form pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.money import digits_as_typed


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


def page_number(value: str | None) -> str | None:
    """``?page=`` as a page number when it is one written in the digits 0-9, else None.

    Django's ``Paginator.get_page`` reads it with ``int``, which also reads ``0_3`` (Python's
    digit separator), ``３`` (full width) and ``٣`` (Arabic-Indic) as 3: the app's rule for
    digits (``portfolio.money.digits_as_typed``) says they are none, so such a value is
    junk, and junk opens the first page, as Django's ``get_page`` treats any.
    """
    if value is None:
        return None
    text = value.strip()
    return text if text.isdigit() and digits_as_typed(text) else None


def page_of(paginator: Paginator, request: HttpRequest) -> Page:
    """The page ``?page=`` asks for: the first for junk, the last past the end (get_page)."""
    return paginator.get_page(page_number(request.GET.get("page")))
