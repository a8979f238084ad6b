"""After signing in again, back to the page whose form was sent while signed out.

``login_required`` sends a request without a session to the sign-in page with the
request's own address as ``next``. For a form sent from its own page (a deliverable, a
proposal) that is the page; but a form that posts elsewhere (the decision form posts to
``…/decide/``, which answers POST only) would come back to a 405 after signing in, and
what was typed (kept in the tab: static/js/drafts.js) would never be offered again. And
an htmx request follows the redirect itself and swaps the sign-in page into its region.

So a POST goes back to the page it was sent from (its Referer, when it is this site), and
an htmx request asks htmx to load the sign-in page in the window (``HX-Redirect``) with
the page it was sent from (``HX-Current-URL``) as ``next``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


class SignInReturnsToThePageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _sent_to_sign_in(request, response):
            return response
        if request.headers.get("HX-Request"):
            page = _this_site(request, request.headers.get("HX-Current-URL", ""))
            answer = HttpResponse(status=204)
            answer["HX-Redirect"] = redirect_to_login(page)["Location"] if page else response.url
            return answer
        if request.method == "POST":
            page = _this_site(request, request.headers.get("Referer", ""))
            if page:  # else where the form was sent, as before
                response["Location"] = redirect_to_login(page)["Location"]
        return response


def _sent_to_sign_in(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    if response.status_code != 302 or (user is not None and user.is_authenticated):
        return False
    if request.path.startswith("/api/"):
        return False
    location = urlsplit(response.get("Location", ""))
    return location.path == resolve_url(settings.LOGIN_URL) and REDIRECT_FIELD_NAME in parse_qs(
        location.query
    )


def _this_site(request: HttpRequest, address: str) -> str:
    """The path and query of ``address`` when it is a page of this site, else ""."""
    if not address or not url_has_allowed_host_and_scheme(
        address, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(address)
    if parts.path == resolve_url(settings.LOGIN_URL):
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")
