"""Sign-in: the name django-axes counts failures against, and sign-ins in the audit trail.

Every sign-in, refused sign-in (``sign_in.locked_out`` when django-axes refused it for
repeated failures) and sign-out is an :class:`AuditEntry` (the admin's
audit list, filtered by action ``sign_in.*``), whichever way it came: the sign-in page, the
Django admin's, single sign-on. django-axes keeps its own counts for the lockout; the audit
trail is where a security review reads who came in, from where, and who was turned away.

These entries move no number, so unlike the services' they do not bump the data version
(every cached page would be computed again after each sign-in). No password or token is
written: only the name tried, the address it came from and the way in.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portfolio.models import AuditEntry, User, sign_in_name

logger = logging.getLogger(__name__)

SIGNED_IN = "sign_in.succeeded"
REFUSED = "sign_in.refused"
LOCKED_OUT = "sign_in.locked_out"
SIGNED_OUT = "sign_in.signed_out"
# The longest name tried that is written down (a name is an e-mail address: 254 at most).
NAME_KEPT = 254


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


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (``AXES_LOCKOUT_CALLABLE``): its page,
    saying when the name may sign in from here again, with a Retry-After header."""
    from axes.conf import settings as axes_settings
    from axes.helpers import get_client_username, get_cool_off

    from portfolio.services.sign_in_locks import lock_of_attempt

    lock = lock_of_attempt(
        username=get_client_username(request, credentials),
        address=getattr(request, "axes_ip_address", None),
    )
    cool_off = get_cool_off(request)
    context = {
        "lock": lock,
        "cool_off_hours": round(cool_off.total_seconds() / 3600, 2) if cool_off else None,
        # axes counts a try during the lockout as a failure, which starts the wait again.
        "tries_extend": axes_settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT,
    }
    response = render(
        request,
        axes_settings.AXES_LOCKOUT_TEMPLATE,
        context,
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    )
    if lock is not None:
        response["Retry-After"] = str(lock.retry_after())
    elif cool_off:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response


def connect() -> None:
    """Write sign-ins to the audit trail (called once, from the app's ``ready``)."""
    user_logged_in.connect(_signed_in, dispatch_uid="greenlight_audit_signed_in")
    user_login_failed.connect(_refused, dispatch_uid="greenlight_audit_refused")
    user_logged_out.connect(_signed_out, dispatch_uid="greenlight_audit_signed_out")


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    found = getattr(request, "axes_ip_address", None)
    if not found:
        from axes.helpers import get_client_ip_address

        found = get_client_ip_address(request)
    return str(found or "")


def _way_in(user: User | None) -> str:
    backend = getattr(user, "backend", "") or ""
    return "single sign-on" if backend.endswith("SingleSignOnBackend") else "password"


def _write(
    *, action: str, actor: User | None, summary: str, request: HttpRequest | None, **facts: str
) -> None:
    address = _address(request)
    details = {"address": address, **facts}
    try:
        # In a savepoint: a failed write leaves the caller's transaction usable.
        with transaction.atomic():
            AuditEntry.objects.create(
                actor=actor,
                action=action,
                object_type=User._meta.label if actor is not None else "",
                object_id=str(actor.pk) if actor is not None else "",
                summary=(f"{summary} from {address}" if address else summary)[:500],
                changes={key: [None, value] for key, value in details.items() if value},
            )
    except DatabaseError:
        # A sign-in is not refused because its record could not be written; the log says so.
        logger.exception("could not write %s to the audit trail", action)


def _signed_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    way = _way_in(user)
    _write(
        action=SIGNED_IN,
        actor=user,
        summary=f"{user.email} signed in ({way})",
        request=request,
        way=way,
    )


def _refused(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    name = sign_in_name(str(credentials.get("username") or ""))[:NAME_KEPT]
    way = "single sign-on" if "sso_claims" in credentials else "password"
    # django-axes marks an attempt refused because the name and address are locked out, and
    # the failure that reaches the limit.
    locked = bool(getattr(request, "axes_locked_out", False))
    _write(
        action=LOCKED_OUT if locked else REFUSED,
        actor=None,
        summary=(
            f"Sign-in as {name or 'nobody named'} refused"
            + (" (locked out after repeated failures)" if locked else f" ({way})")
        ),
        request=request,
        name=name,
        way=way,
    )


def _signed_out(sender, request: HttpRequest | None, user: User | None, **kwargs) -> None:
    if user is None:
        return  # an anonymous visitor's sign-out ends nothing
    _write(action=SIGNED_OUT, actor=user, summary=f"{user.email} signed out", request=request)
