"""System checks of Greenlight's own configuration."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

SECRET_KEY_MISSING = (
    "SECRET_KEY is not set. Set SECRET_KEY (50+ random characters), or DEBUG=true for development."
)


def _has_secret_key() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False


@register()
def secret_key_is_set(app_configs, **kwargs):
    if _has_secret_key():
        return []
    return [Warning(SECRET_KEY_MISSING, id="greenlight.W001")]


def require_secret_key() -> None:
    """Called by the WSGI/ASGI entry points: an app server without a key must not start."""
    if not _has_secret_key():
        raise ImproperlyConfigured(SECRET_KEY_MISSING)


@register()
def group_roles_are_roles(app_configs, **kwargs):
    """OIDC_GROUP_ROLES names roles that exist, and never Admin (docs/single-sign-on.md)."""
    from portfolio.models import Role

    errors = []
    for group, role in settings.OIDC_GROUP_ROLES.items():
        if role == Role.ADMIN:
            errors.append(
                Error(
                    f"OIDC_GROUP_ROLES maps {group!r} to Admin: a groups claim never grants "
                    "Admin; a superuser grants it on the People page.",
                    id="greenlight.E010",
                )
            )
        elif role not in Role.values:
            errors.append(
                Error(
                    f"OIDC_GROUP_ROLES maps {group!r} to {role!r}, which is no role: use one "
                    f"of {', '.join(r for r in Role.values if r != Role.ADMIN)}.",
                    id="greenlight.E011",
                )
            )
    return errors
