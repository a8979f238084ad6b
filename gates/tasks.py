"""The gates' background tasks: the gatekeepers' vote reminders, run daily by the task workers
(``settings.SCHEDULED_TASKS``; ``manage.py send_vote_reminders`` does the same by hand)."""

from __future__ import annotations

from django.tasks import task

from gates.services import send_vote_reminders as remind


@task
def send_vote_reminders() -> str:
    """E-mail the gatekeepers of open reviews who have not voted (each e-mail once per review)."""
    sent = remind()
    return f"{sent} vote reminder{'s' if sent != 1 else ''} sent"
