"""The sign-in name django-axes counts failures against."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from portfolio.models import sign_in_name


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The name as sign-in compares it, from the credentials or else the posted form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        raw = getattr(request, "data", request.POST).get(field)
    if raw is None:
        return None
    return sign_in_name(str(raw))
