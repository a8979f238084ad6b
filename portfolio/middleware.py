"""Turn a lost database into a clear 503, so load balancers and people know to retry."""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

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
        if request.path.startswith("/api/") or request.headers.get("HX-Request"):
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
