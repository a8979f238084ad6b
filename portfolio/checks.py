"""System checks of Greenlight's own configuration."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

# The README's command, in every message about the key.
SECRET_KEY_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
SECRET_KEY_MISSING = (
    f"SECRET_KEY is not set. Set SECRET_KEY (50+ random characters: {SECRET_KEY_COMMAND}), "
    "or DEBUG=true for development."
)


def _has_secret_key() -> bool:
    try:
        return bool(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        return False


def _weakness(key: str) -> str | None:
    """Why Django's deploy check (security.W009) calls ``key`` weak, or None: the same three
    tests, each said with its numbers."""
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return (
            f"it starts with {SECRET_KEY_INSECURE_PREFIX!r}, the mark of a key made for development"
        )
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        unique = len(set(key))
        return (
            f"it has {unique} different character{'' if unique == 1 else 's'}, "
            f"fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
        )
    return None


def weak_secret_key_problem() -> str | None:
    """Why production's SECRET_KEY fails Django's deploy check (security.W009), or None.

    With DEBUG=true any key does (`make run`'s fixed development key among them)."""
    if settings.DEBUG or not _has_secret_key():
        return None
    why = _weakness(settings.SECRET_KEY)
    if why is None:
        return None
    return (
        f"SECRET_KEY is too weak for production: {why}. Set SECRET_KEY to 50+ random "
        f"characters ({SECRET_KEY_COMMAND}), or DEBUG=true for development."
    )


@register()
def secret_key_is_set(app_configs, **kwargs):
    """On every command, not only under ``check --deploy``. Django's own check of the key,
    security.W009, is silenced in the settings: under --deploy it said the same a second
    time, without saying which test the key failed."""
    if not _has_secret_key():
        return [Warning(SECRET_KEY_MISSING, id="greenlight.W001")]
    problem = weak_secret_key_problem()
    if problem:
        return [Warning(problem, id="greenlight.W002")]
    return []


@register(Tags.security, deploy=True)
def secret_key_is_strong_for_deployment(app_configs, **kwargs):
    """What security.W009 (silenced) said that ``secret_key_is_set`` does not: under
    ``check --deploy`` with DEBUG=true, a weak key (the development key among them) is
    one to replace before deploying. With DEBUG off, or no key, that check has spoken."""
    if not settings.DEBUG or not _has_secret_key():
        return []
    why = _weakness(settings.SECRET_KEY)
    if why is None:
        return []
    return [
        Warning(
            f"SECRET_KEY is too weak for production: {why}. Set SECRET_KEY to 50+ random "
            f"characters ({SECRET_KEY_COMMAND}) before deploying.",
            id="greenlight.W002",
        )
    ]


def require_secret_key() -> None:
    """Called by the WSGI/ASGI entry points: an app server without a key, or with a key
    Django's deploy check calls weak (when DEBUG is off), must not start."""
    if not _has_secret_key():
        raise ImproperlyConfigured(SECRET_KEY_MISSING)
    problem = weak_secret_key_problem()
    if problem:
        raise ImproperlyConfigured(problem)


def start_refusal() -> str | None:
    """Why an app server must not start, or None: a variable the settings refuse, or
    ``require_secret_key``'s refusal. gunicorn's master asks this once, in a process of its
    own, before any worker forks (gunicorn.conf.py's ``on_starting``): otherwise each
    worker refused on its own, the message lost in their tracebacks."""
    try:
        settings.DEBUG  # noqa: B018 (loads the settings: a bad variable is refused here)
        require_secret_key()
    except ImproperlyConfigured as refused:
        return str(refused)
    return None


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
