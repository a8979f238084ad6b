"""E-mail a person about a change, once the change is committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from portfolio.models import (
    User,
)

logger = logging.getLogger(__name__)


def notify(*, to: User, subject: str, template: str, context: dict) -> None:
    """Send after the transaction commits, so a rolled-back change e-mails nobody."""
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    body = render_to_string(template, context)

    def send() -> None:
        # The change is committed by now: a mail server that is down must not
        # turn it into an error page. Log it for the operators instead.
        try:
            send_mail(subject, body, None, [to.email], fail_silently=False)
        except Exception:
            logger.exception("could not e-mail %s about %r", to.email, subject)

    transaction.on_commit(send)
