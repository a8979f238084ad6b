"""Helpers of the API tests: tokens for the personas and a client that sends them."""

from __future__ import annotations

import json

import pytest

from api import tokens


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    # Rate limiting has its own test; the others make many requests quickly.
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000


def token_for(user, scope: str = "read-write", **kw) -> str:
    _token, secret = tokens.create_token(actor=user, name=kw.pop("name", "test"), scope=scope, **kw)
    return secret


class Api:
    """A Django test client that speaks JSON with a bearer token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, url: str, **kw):
        return self.client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def send(self, method: str, url: str, body=None, *, raw: str | bytes | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.generic(
            method, url, data, content_type="application/json", headers=self.headers
        )

    def post(self, url: str, body=None, **kw):
        return self.send("POST", url, body, **kw)

    def put(self, url: str, body=None, **kw):
        return self.send("PUT", url, body, **kw)


@pytest.fixture
def api_as(client):
    """``api_as(user, scope)``: a client acting as ``user`` through a new token."""

    def make(user=None, scope: str = "read-write") -> Api:
        return Api(client, token_for(user, scope) if user is not None else None)

    return make
