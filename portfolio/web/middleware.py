"""Turn a lost database into a clear 503, so load balancers and people know to retry.

And keep NUL characters from the address and cookies out of the database's way.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.urls import reverse

from portfolio import access

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, (OperationalError, InterfaceError)) or not _connection_lost():
            return None
        logger.warning("database unavailable: %s", exception)
        # Drop the broken connections now; the next request opens fresh ones.
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        message = "The database is unavailable for a moment. Nothing was saved; please try again."
        if request.path.startswith(API_V1):
            response = _problem(503, "unavailable", "Service unavailable", message)
        elif request.path.startswith("/api/") or request.headers.get("HX-Request"):
            response = JsonResponse({"error": message}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = "5"
        return response


def _connection_lost() -> bool:
    """True when a database connection is broken (not for a plain SQL error)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            return True
        try:
            if not connection.is_usable():
                return True
        except DatabaseError:
            return True
    return False


NUL = "\x00"
NUL_MESSAGE = (
    "The address contains a character that cannot be read (a NUL, written %00). "
    "Remove it and try again."
)
# The JSON API v1 answers every error as a problem document (RFC 9457), even here.
API_V1 = "/api/v1/"


def _problem(status: int, kind: str, title: str, detail: str) -> HttpResponse:
    body = {
        "type": f"urn:greenlight:problem:{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [],
    }
    return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")


class NulBytesMiddleware:
    """Keep NUL characters out of queries: PostgreSQL refuses them in text, as a 500.

    A NUL reaches a request decoded from ``%00`` in the address, or from a ``\\000``
    escape in a quoted cookie, and from there a query: a project key, a filter, the
    session key. An address holding one is a 400; a cookie holding one is ignored,
    as if it were not sent. Posted forms need no help: their fields refuse a NUL
    beside the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name in [n for n, value in request.COOKIES.items() if NUL in n or NUL in value]:
            del request.COOKIES[name]
        if NUL in request.path_info or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith(API_V1):
                return _problem(400, "invalid-input", "Invalid input", NUL_MESSAGE)
            if request.path.startswith("/api/"):
                return JsonResponse({"error": NUL_MESSAGE}, status=400)
            # The 400 page with its own message: its default one speaks of a form too large.
            page = render_to_string("400.html", {"message": NUL_MESSAGE})
            return HttpResponseBadRequest(page)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is too large before anything reads it.

    Django reads a body only when a view or the CSRF check touches ``request.POST``;
    this runs before both, on the ``Content-Length`` the client declared, so a 201 MB
    POST to the sign-in page costs a header, not 201 MB. The portfolio import, for
    signed-in people who may import, has its own larger limit (four files). A proxy in
    front should cap bodies too (nginx ``client_max_body_size``; see the README).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _too_large(request, "The request's Content-Length is not a number.", 400)
        # The common case costs one comparison; the import's limit is looked up only above it.
        if declared > settings.REQUEST_MAX_BYTES and declared > (limit := _limit_for(request)):
            return _too_large(
                request,
                f"The request is {declared:,} bytes, above this page's limit of {limit:,} bytes. "
                "Nothing was read or saved.",
                413,
            )
        return self.get_response(request)


def _limit_for(request: HttpRequest) -> int:
    if request.path == reverse("portfolio_import"):
        user = getattr(request, "user", None)
        if user is not None and access.can_import_portfolio(user):
            return settings.IMPORT_REQUEST_MAX_BYTES
    return settings.REQUEST_MAX_BYTES


def _too_large(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/") or request.headers.get("HX-Request"):
        return JsonResponse({"error": message}, status=status)
    response = HttpResponse(render_to_string("413.html", {"message": message}), status=status)
    # The client may still be sending: tell it the connection ends here.
    response["Connection"] = "close"
    return response


class ProjectKeyCaseMiddleware:
    """A project page opened with its key in another letter case: a permanent redirect.

    ``/projects/gl-0071/`` means ``GL-0071`` (keys are unique ignoring case): the lookup
    (``access.get_project_for_user``) raises ``KeyInOtherCase`` for it, and this answers a
    GET or HEAD with a 301 to the same page at the stored key, its query kept, so a
    bookmark or a link typed by hand lands where the page's own links point. Anything
    else (a POST, a key that is not the address's) stays the 404 it is. The lookup raises
    it only for a project the person may open, so the redirect reveals nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, access.KeyInOtherCase) or request.method not in (
            "GET",
            "HEAD",
        ):
            return None
        match = request.resolver_match
        typed = match.kwargs.get("key") if match else None
        stored = exception.project.key
        if not isinstance(typed, str) or typed.lower() != stored.lower():
            return None
        url = reverse(match.view_name, args=match.args, kwargs={**match.kwargs, "key": stored})
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
