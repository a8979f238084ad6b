"""The gates' background tasks, run daily by the task workers (``settings.SCHEDULED_TASKS``):
the gatekeepers' vote reminders (``manage.py send_vote_reminders`` does the same by hand) and
forgetting the replaces nobody confirmed."""

from __future__ import annotations

from django.tasks import task

from gates import import_jobs
from gates.services import send_vote_reminders as remind


@task
def send_vote_reminders() -> str:
    """E-mail the gatekeepers of open reviews who have not voted (each e-mail once per review)."""
    sent = remind()
    return f"{sent} vote reminder{'s' if sent != 1 else ''} sent"


@task
def forget_unconfirmed_imports() -> str:
    """Delete the files of replaces their uploader did not confirm within the hour."""
    forgotten = import_jobs.forget_unconfirmed()
    return f"{forgotten} unconfirmed replace{'s' if forgotten != 1 else ''} forgotten"
