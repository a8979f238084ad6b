"""E-mail gatekeepers who have not voted: the request, to whoever the review has not asked
yet (however long it has been open), and once more N days after the review opened and
they were asked.

Run it daily (the scheduler, or cron); each e-mail goes out at most once per
review, so running it more often is harmless. N is the ``VOTE_REMINDER_DAYS``
setting.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from gates.services import send_vote_reminders


class Command(BaseCommand):
    help = "E-mail the gatekeepers of open gate reviews who have not voted yet."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the date to act as of (YYYY-MM-DD); default today")

    def handle(self, *args, today: str | None = None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: {today!r} is not a date YYYY-MM-DD") from None
        sent = send_vote_reminders(today=day)
        self.stdout.write(f"{sent} vote reminder{'s' if sent != 1 else ''} sent")
