"""``Authorization: Bearer <token>``: who is asking, with what scope, how often.

A token acts as its person: ``request.user`` becomes the token's owner, so the
same role and object rules (portfolio/access.py) and the same service checks
apply as in the browser. A read token is refused on every write. Each token
may make ``API_RATE_LIMIT_PER_MINUTE`` requests a minute (a fixed window in the
Django cache, shared by the app servers when the cache is). While Redis is
away nothing is counted and nobody refused (background/cache.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer

from api import problems, tokens
from api.models import ApiToken

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
WINDOW_SECONDS = 60


class TokenAuth(HttpBearer):
    """The token; with ``permission``, an operation's own check (``api.common.may``) too.

    ``permission(request)`` runs once the token is accepted and before django-ninja reads the
    parameters and the body, so a person who may not write gets the 403 (or the 404 of a
    project they do not see) whatever they send, never a 400 about a body they may not send.
    """

    def __init__(self, permission: Callable[[HttpRequest], None] | None = None):
        super().__init__()
        self.permission = permission

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        try:
            api_token = tokens.authenticate(token.strip())
        except tokens.TokenRefused as refused:
            raise problems.ApiProblem(
                401,
                "unauthenticated",
                "Authentication needed",
                str(refused),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from None
        _check_rate(api_token)
        if request.method not in SAFE_METHODS and not api_token.can_write:
            raise problems.forbidden(
                "This token may only read: make a read-write token to record changes."
            )
        _check_size(request)
        request.user = api_token.user
        request.auth = api_token
        if self.permission is not None:
            self.permission(request)
        return api_token


def _check_rate(api_token: ApiToken) -> None:
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"greenlight:api-rate:{api_token.pk}:{window}"
    cache.add(key, 0, WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr, or Redis away: the limit fails open
        cache.set(key, 1, WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
        raise problems.ApiProblem(
            429,
            "rate-limited",
            "Too many requests",
            f"This token may make {limit} requests a minute: try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


def _check_size(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_BYTES:
        raise problems.too_big()
