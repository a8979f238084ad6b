"""E-mail a person about a change, once the change is committed, and say whether it went."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from portfolio.models import Project, User

logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    """One e-mail: ``sent`` is None until the change commits, then True or False."""

    to: User
    subject: str
    sent: bool | None = None
    error: str = ""

    def sentence(self) -> str:
        """What to tell the person who made the change, truthfully."""
        name = self.to.display_name if hasattr(self.to, "display_name") else str(self.to)
        if self.sent:
            return f"{name} has been e-mailed"
        if self.sent is False:
            return f"the e-mail to {name} could not be sent, so tell them yourself"
        return f"{name} will be e-mailed"


def notify(
    *, to: User, subject: str, template: str, context: dict, project: Project | None = None
) -> Delivery:
    """Send after the transaction commits, so a rolled-back change e-mails nobody.

    A failure is logged and written to the audit trail (the project's history
    shows it), and the returned ``Delivery`` says so: a page never claims an
    e-mail went when it did not.
    """
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    body = render_to_string(template, context)
    # One line whatever the data holds: a line break in a subject would end the header.
    delivery = Delivery(to=to, subject=" ".join(subject.split()))

    def send() -> None:
        # The change is committed by now: a mail server that is down must not
        # turn it into an error page.
        try:
            send_mail(delivery.subject, body, None, [to.email], fail_silently=False)
        except Exception as error:
            logger.exception("could not e-mail %s about %r", to.email, delivery.subject)
            delivery.sent, delivery.error = False, f"{type(error).__name__}: {error}"[:200]
            _record_failure(delivery, project)
        else:
            delivery.sent = True

    transaction.on_commit(send)
    return delivery


def _record_failure(delivery: Delivery, project: Project | None) -> None:
    from portfolio import audit

    try:
        with transaction.atomic():
            audit.record(
                actor=None,
                action="email.failed",
                project=project,
                summary=f"E-mail to {delivery.to.email} could not be sent: {delivery.subject}",
                changes={"error": ["", delivery.error]},
            )
    except Exception:  # the database may be what failed; the log line above stays
        logger.exception("could not record the failed e-mail to %s", delivery.to.email)
