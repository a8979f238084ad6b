"""E-mail a person about a change, once the change is committed."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from background.mail import enqueue_email
from portfolio.models import (
    User,
)


def notify(*, to: User, subject: str, template: str, context: dict) -> None:
    """Queue the e-mail with the change: a rolled-back change e-mails nobody.

    The task worker sends it (background/mail.py), retrying while the mail
    server refuses, so a mail server that is down never turns a committed
    change into an error page, and never loses the message silently.
    """
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    body = render_to_string(template, context)
    enqueue_email(subject=subject, body=body, to=[to.email])
