"""The identity provider, as authlib's OpenID Connect client sees it.

authlib does the protocol: the discovery document, the authorization request
with state, nonce and PKCE (kept in the session), the code exchange, and the ID
token's checks (signature against the provider's published keys, issuer,
audience, expiry, nonce). This module builds that client from the settings and
turns every way a sign-in can fail into one sentence for the sign-in page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from authlib.oauth2 import OAuth2Error
from django.conf import settings
from joserfc import errors as jose_errors

# Authlib's name for the client: its session keys are ``_state_<name>_<state>``.
CLIENT_NAME = "greenlight"


@dataclass(frozen=True)
class ProviderSettings:
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str
    timeout: int


class SignInFailed(Exception):
    """A sign-in the provider's answer does not allow, with the sentence to show."""


def is_configured() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def _current() -> ProviderSettings:
    return ProviderSettings(
        issuer=settings.OIDC_ISSUER,
        discovery_url=settings.OIDC_DISCOVERY_URL,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        scopes=settings.OIDC_SCOPES,
        timeout=settings.OIDC_TIMEOUT_SECONDS,
    )


def client() -> DjangoOAuth2App:
    """The client for the current settings; its discovery document and keys are cached."""
    return _client_for(_current())


@functools.lru_cache(maxsize=4)
def _client_for(config: ProviderSettings) -> DjangoOAuth2App:
    oauth = OAuth()
    return oauth.register(
        name=CLIENT_NAME,
        client_id=config.client_id,
        client_secret=config.client_secret or None,
        server_metadata_url=config.discovery_url,
        client_kwargs={
            "scope": config.scopes,
            "code_challenge_method": "S256",
            "default_timeout": config.timeout,
        },
    )


def metadata() -> dict:
    """The discovery document, refused when it names another issuer than the one set."""
    app = client()
    try:
        document = app.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        app.server_metadata.pop("_loaded_at", None)
        raise SignInFailed(
            f"{provider_name()} could not be reached ({type(error).__name__}): "
            "try again in a moment."
        ) from error
    if document.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER:
        raise SignInFailed(
            f"{provider_name()}'s discovery document names the issuer "
            f"{document.get('issuer')!r}, not {settings.OIDC_ISSUER!r} (OIDC_ISSUER): "
            "sign-in refused. An administrator must correct the setting."
        )
    return document


def verified_claims(request) -> tuple[dict, str]:
    """The ID token's claims and the token itself, from the provider's redirect back.

    Raises ``SignInFailed`` with the reason a person can read.
    """
    name = provider_name()
    issuer = metadata()["issuer"]
    try:
        token = client().authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "values": [issuer]},
            },
        )
    except MismatchingStateError as error:
        raise SignInFailed(
            "This sign-in did not start in this browser, or was already used or has "
            "expired (its state did not match): please sign in again."
        ) from error
    except OAuthError as error:
        detail = (error.description or error.error or "no reason given").rstrip(".")
        raise SignInFailed(f"{name} did not sign you in: {detail}.") from error
    except jose_errors.ExpiredTokenError as error:
        raise SignInFailed(
            f"The identity token from {name} has expired: please sign in again "
            "(if this keeps happening, the server's clock may be wrong)."
        ) from error
    except jose_errors.ClaimError as error:
        raise SignInFailed(_claim_message(error.claim, name)) from error
    except (jose_errors.BadSignatureError, jose_errors.InvalidKeyIdError) as error:
        raise SignInFailed(
            f"The identity token's signature is not {name}'s (the token was altered "
            "or forged): sign-in refused."
        ) from error
    except jose_errors.JoseError as error:
        raise SignInFailed(
            f"The identity token from {name} could not be read ({error.error}): sign-in refused."
        ) from error
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed(
            f"{name} could not be reached to finish signing in ({type(error).__name__}): "
            "try again in a moment."
        ) from error
    except (OAuth2Error, RuntimeError) as error:
        # A provider set up in a way the protocol forbids (plain http, no keys published).
        raise SignInFailed(
            f"Signing in with {name} failed ({error}): an administrator must check the "
            "provider's settings."
        ) from error
    if "userinfo" not in token or "id_token" not in token:
        raise SignInFailed(f"{name} sent no identity token: sign-in refused.")
    return dict(token["userinfo"]), token["id_token"]


def _claim_message(claim: str, name: str) -> str:
    if claim == "iss":
        return (
            f"The identity token was issued by someone other than {name} "
            "(wrong issuer): sign-in refused."
        )
    if claim in {"aud", "azp"}:
        return (
            "The identity token was issued for another application (wrong audience): "
            "sign-in refused."
        )
    if claim == "nonce":
        return (
            "The identity token does not belong to this sign-in (its nonce did not "
            "match; a replayed token?): please sign in again."
        )
    return f"The identity token's {claim!r} claim is missing or wrong: sign-in refused."


def start_redirect(request, redirect_uri: str):
    """The redirect to the provider's authorization endpoint (state and nonce kept)."""
    try:
        return client().authorize_redirect(request, redirect_uri)
    except (OAuth2Error, RuntimeError) as error:
        raise SignInFailed(
            f"Signing in with {provider_name()} could not start ({error}): an administrator "
            "must check the provider's settings."
        ) from error


def logout_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for this sign-in, when it has one."""
    try:
        document = metadata()
    except SignInFailed:
        return None
    if not document.get("end_session_endpoint"):
        return None
    result = client().create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=settings.OIDC_CLIENT_ID,
    )
    return result["url"]
