"""E-mail as a task: sent by the worker, retried while the mail server refuses.

An attempt that fails enqueues the next one, later (``EMAIL_RETRY_SECONDS``,
doubling); after ``EMAIL_ATTEMPTS`` attempts the task fails with the mail
server's last answer, logged as an error and listed as a failed task in the
admin (Task results): reported, never dropped silently.
"""

from __future__ import annotations

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task, task_backends
from django.utils import timezone

logger = logging.getLogger(__name__)


class EmailNotSent(Exception):
    """Every attempt failed; the message says who was not reached and why."""


@task
def send_email(*, subject: str, body: str, to: list[str], attempt: int = 1) -> str:
    try:
        send_mail(subject, body, None, to, fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        attempts = settings.EMAIL_ATTEMPTS
        backend = task_backends[send_email.backend]
        if attempt < attempts and backend.supports_defer:
            delay = settings.EMAIL_RETRY_SECONDS * 2 ** (attempt - 1)
            run_after = timezone.now() + datetime.timedelta(seconds=delay)
            send_email.using(run_after=run_after).enqueue(
                subject=subject, body=body, to=to, attempt=attempt + 1
            )
            logger.warning(
                "e-mail to %s about %r: attempt %d of %d failed (%s); next at %s",
                ", ".join(to),
                subject,
                attempt,
                attempts,
                error,
                run_after.isoformat(),
            )
            return f"attempt {attempt} failed ({error}); attempt {attempt + 1} at {run_after}"
        logger.error(
            "e-mail to %s about %r not sent after %d attempts: %s",
            ", ".join(to),
            subject,
            attempt,
            error,
        )
        raise EmailNotSent(
            f"e-mail to {', '.join(to)} about {subject!r} not sent after {attempt} "
            f"attempt(s); the mail server's last answer: {error}"
        ) from error
    return f"sent to {', '.join(to)}"


def stores_tasks() -> bool:
    """Whether tasks are stored (in the database) for a worker, rather than run at once."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def enqueue_email(*, subject: str, body: str, to: list[str]) -> None:
    """Queue an e-mail so that it goes out only if the current transaction commits.

    With the database backend the task row is written in the transaction itself
    (it commits, or vanishes, with the change); a backend that runs tasks at once
    runs it after the commit.
    """
    if stores_tasks():  # same transaction
        send_email.enqueue(subject=subject, body=body, to=to)
    else:
        transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to))
