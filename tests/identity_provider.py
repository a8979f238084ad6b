"""A real OpenID provider on the loopback for the single sign-on tests.

``oidc-provider-mock`` (a Flask app built on authlib's server side) runs on a
thread, on a free port of 127.0.0.1: discovery, authorization with a form to
pick a person, the token endpoint with RS256-signed ID tokens, keys, and
end-session. Tests name the person by their claims (``provider.person(...)``);
for the tokens a provider would never send (another issuer or audience, expired,
altered), ``provider.sign(claims)`` signs with the provider's own key.

Without the package the tests are skipped with one line; under CI=true that fails.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

MISSING = (
    "oidc-provider-mock not installed: run `make venv` (pip install -e '.[dev]') to run the "
    "single sign-on tests"
)


def unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


class MockProvider:
    def __init__(self, app, port: int):
        self.app = app
        self.issuer = f"http://127.0.0.1:{port}"

    def person(self, sub: str, **claims) -> str:
        """Register (or replace) a person at the provider; returns their subject."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()
        return sub

    def key(self):
        """The provider's private signing key (joserfc RSAKey)."""
        with self.app.test_request_context("/"):
            self.app.preprocess_request()
            from oidc_provider_mock._storage import storage

            # Its kid (the key's thumbprint) is set when the keys are first published: a
            # test that reads it before any sign-in fetched them would get None.
            storage.jwk.ensure_kid()
            return storage.jwk

    def sign(self, claims: dict) -> str:
        """An ID token with these claims, signed by the provider's key."""
        from joserfc import jwt

        key = self.key()
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


@contextmanager
def running_provider() -> Iterator[MockProvider]:
    try:
        import oidc_provider_mock
        import werkzeug.serving
    except ImportError:
        unavailable(MISSING)
    app = oidc_provider_mock.app(require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        provider = MockProvider(app, server.server_port)
        deadline = time.monotonic() + 5
        while True:
            try:
                requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(2)


def configure(settings, provider: MockProvider, **overrides) -> None:
    """Point Greenlight's single sign-on settings at ``provider`` (pytest-django's settings)."""
    from portfolio.sso.origins import sso_form_action_origins

    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
    settings.OIDC_CLIENT_ID = "greenlight-tests"
    settings.OIDC_CLIENT_SECRET = "not-a-secret"
    settings.OIDC_SCOPES = "openid email profile"
    settings.OIDC_PROVIDER_NAME = "Example ID"
    settings.OIDC_GROUPS_CLAIM = ""
    settings.OIDC_GROUP_ROLES = {}
    settings.PASSWORD_SIGN_IN = True
    for name, value in overrides.items():
        setattr(settings, name, value)
    csp = {**settings.SECURE_CSP}
    csp["form-action"] = [
        *[o for o in csp["form-action"] if not o.startswith("http")],
        *sso_form_action_origins(provider.issuer),
    ]
    settings.SECURE_CSP = csp
