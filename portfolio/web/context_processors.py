from __future__ import annotations

import functools

from django.conf import settings

from portfolio import access


def currency(request) -> dict:
    """``CURRENCY``: the ISO 4217 code, for table headings ("Spend (EUR)")."""
    return {"CURRENCY": settings.CURRENCY}


def notifications(request) -> dict:
    """``unread_notifications``: the header's count, one query, and only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from portfolio.services.notifications import unread_count

    return {"unread_notifications": functools.cache(lambda: unread_count(user))}


def navigation(request) -> dict:
    """What the navigation bar offers this person, by role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "new_proposal": access.can_create_proposal(user),
            "dashboard": access.can_view_dashboard(user),
            "plan": access.can_plan(user),
            "import": access.can_import_portfolio(user),
            "export": access.can_export_portfolio(user),
            "people": access.can_manage_roles(user),
            "admin": user.is_staff,
            # With password sign-in turned off, a password is nothing to change.
            "password": settings.PASSWORD_SIGN_IN,
        }
    }
