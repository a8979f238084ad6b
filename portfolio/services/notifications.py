"""E-mail a person about a change, once the change is committed, and say whether it went."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.template.loader import render_to_string

from background.mail import send_email, stores_tasks
from portfolio.models import Project, User

logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    """One e-mail. ``sent``: None while queued or not yet committed, then True or False."""

    to: User
    subject: str
    sent: bool | None = None
    error: str = ""

    def sentence(self) -> str:
        """What to tell the person who made the change, truthfully."""
        name = self.to.display_name
        if self.sent:
            return f"{name} has been e-mailed"
        if self.sent is False:
            return f"the e-mail to {name} could not be sent, so tell them yourself"
        return f"{name} will be e-mailed"


def notify(
    *, to: User, subject: str, template: str, context: dict, project: Project | None = None
) -> Delivery:
    """Queue the e-mail with the change: a rolled-back change e-mails nobody.

    With a task worker (the database backend) the task row commits with the change
    and the worker sends it, retrying while the mail server refuses
    (background/mail.py); the page says it *will* be e-mailed. A backend that runs
    tasks at once sends it after the commit, and the returned ``Delivery`` says
    whether it went; a failure is also written to the project's history. A page
    never claims an e-mail went when it did not.
    """
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    body = render_to_string(template, context)
    # One line whatever the data holds: a line break in a subject would end the header.
    delivery = Delivery(to=to, subject=" ".join(subject.split()))
    message = {"subject": delivery.subject, "body": body, "to": [to.email]}
    if stores_tasks():  # same transaction: queued for the worker
        send_email.enqueue(**message)
        return delivery

    def send() -> None:
        result = send_email.enqueue(**message)
        delivery.sent = result.status == TaskResultStatus.SUCCESSFUL
        if not delivery.sent:
            errors = getattr(result, "errors", None) or []
            delivery.error = str(errors[-1].traceback.strip().splitlines()[-1]) if errors else ""
            _record_failure(delivery, project)

    transaction.on_commit(send)
    return delivery


def _record_failure(delivery: Delivery, project: Project | None) -> None:
    from portfolio import audit

    logger.error("could not e-mail %s about %r", delivery.to.email, delivery.subject)
    try:
        with transaction.atomic():
            audit.record(
                actor=None,
                action="email.failed",
                project=project,
                summary=f"E-mail to {delivery.to.email} could not be sent: {delivery.subject}",
                changes={"error": ["", delivery.error[:200]]},
            )
    except Exception:  # the database may be what failed; the log line above stays
        logger.exception("could not record the failed e-mail to %s", delivery.to.email)
