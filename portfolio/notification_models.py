"""Notifications: what each person is told when work is handed to them, and how.

A notification is always recorded in the app (the list behind the header's
unread count); whether it is also e-mailed, at once or in the daily digest, is
the person's choice (``NotificationPreference``, per kind or overall). Written
only by ``portfolio.services.notifications``. Imported by ``portfolio.models``,
so they belong to the portfolio app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    """Each hand-over of the process, the weekly zombie digest, and the end of an import
    uploaded from the page (gates/import_jobs.py)."""

    PROPOSAL_SUBMITTED = "proposal_submitted", "A proposal is submitted to you"
    STUDY_WRITTEN = "study_written", "A feasibility study is written"
    ESTIMATE_NEEDED = "estimate_needed", "A cost estimate is needed"
    ESTIMATE_WRITTEN = "estimate_written", "A cost estimate is written"
    VOTE_REQUESTED = "vote_requested", "Your vote is requested"
    DECISION_RECORDED = "decision_recorded", "A gate decision is recorded"
    ZOMBIE_DIGEST = "zombie_digest", "Weekly digest of your zombie projects"
    IMPORT_ENDED = "import_ended", "An import you uploaded ended or waits for you"


class EmailTiming(models.TextChoices):
    NOW = "now", "E-mail at once"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "No e-mail"


class Notification(models.Model):
    """One hand-over told to one person; ``read_at`` is set when they mark it read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    project = models.ForeignKey(
        "portfolio.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    subject = models.CharField(max_length=300)
    link = models.CharField(max_length=300, help_text="A path in the app: the project or review.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Waiting for the person's daily digest; cleared (in the same transaction as the
    # digest's e-mail is queued) when the digest takes it, so it goes out once.
    digest_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_newest"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["recipient"], condition=Q(digest_pending=True), name="notification_digest"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How one person wants e-mail: for one kind, or overall (``kind`` empty)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices, blank=True)
    email = models.CharField(max_length=8, choices=EmailTiming.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind or 'overall'} → {self.email}"
