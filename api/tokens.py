"""Making, revoking and checking personal API tokens (the only code that writes them)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, Scope
from portfolio import audit
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import User

SECRET_PREFIX = "glt_"  # recognisable in a leaked file or a secret scanner's rules
NAME_MAX = 100
# last_used_at is written at most this often per token: a busy script must not
# turn every read into a write.
LAST_USED_PRECISION = datetime.timedelta(seconds=60)


def max_days() -> int:
    """Days a token lives at most (``API_TOKEN_MAX_DAYS``): a leaked token stops working by
    then, and a far last day (9999-12-31) is no last day at all (and overflowed: a 500)."""
    return settings.API_TOKEN_MAX_DAYS


def latest_expiry() -> datetime.date:
    """The latest last day a token made today may have: it works through that day, so it
    expires at the midnight ``max_days()`` after today's, never later than a token made now
    without a last day (``created_at + max_days()``)."""
    return timezone.localdate() + datetime.timedelta(days=max_days() - 1)


def too_late_message() -> str:
    return (
        f"A token lives at most {max_days()} days: its last day is "
        f"{latest_expiry():%Y-%m-%d} at the latest. Make a new token when it ends."
    )


def expiry_words(moment: datetime.datetime) -> str:
    """When a token expires, to the minute, in the app's time zone: "2027-12-02 10:53 UTC"."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(
    *,
    actor: User,
    name: str,
    scope: str = Scope.READ,
    expires_on: datetime.date | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``actor`` and its secret, which is never shown again.

    It works through ``expires_on``; without one it expires ``max_days()`` after now."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Only a signed-in person makes API tokens.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, such as the script that uses it.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"A token's name has at most {NAME_MAX} characters.", field="name")
    if scope not in Scope.values:
        raise DomainError("The scope is read or read-write.", field="scope")
    expires_at = timezone.now() + datetime.timedelta(days=max_days())
    if expires_on is not None:
        if expires_on < timezone.localdate():
            raise DomainError(
                "The expiry date cannot be in the past: the token works through that day.",
                field="expires_on",
            )
        if expires_on > latest_expiry():
            raise DomainError(too_late_message(), field="expires_on")
        # Valid through the whole expiry day, in the app's time zone.
        expires_at = timezone.make_aware(
            datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time())
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        digest=digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        action="api_token.created",
        obj=token,
        summary=f"API token “{name}” ({scope}) created",
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: User) -> ApiToken:
    """Refuse the token from now on. Only its owner revokes it."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied("Only its owner revokes an API token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="api_token.revoked",
            obj=token,
            summary=f"API token “{token.name}” revoked",
        )
    return token


class TokenRefused(Exception):
    """The secret names no usable token; the message says why."""


def authenticate(secret: str) -> ApiToken:
    """The usable token with this secret, its person loaded; TokenRefused otherwise.

    Records when it was last used (not in the audit trail: a read is not a change,
    and an audit entry would move the data version the dashboard's cache is keyed by).
    """
    token = None
    if secret.startswith(SECRET_PREFIX) and len(secret) <= 200:
        token = ApiToken.objects.select_related("user").filter(digest=digest(secret)).first()
    if token is None or not token.user.is_active:
        raise TokenRefused("The API token is not valid.")
    if token.is_revoked:
        raise TokenRefused("This API token was revoked.")
    if token.is_expired:
        raise TokenRefused(
            f"This API token expired on {expiry_words(token.expires_at)}: "
            f"make a new one on the API tokens page ({reverse('api_tokens')})."
        )
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
