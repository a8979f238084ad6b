"""System checks of Greenlight's own configuration."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register
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
