"""A board pack rendered by the task worker: what was asked for, and the PDF once made."""

from __future__ import annotations

from django.db import models

from portfolio.models import User


class BoardPack(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # The dashboard's filters as its query string has them (as_of always set).
    filters = models.JSONField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    pdf = models.BinaryField(null=True, editable=False)
    pages = models.PositiveIntegerField(null=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Board pack #{self.pk} as of {self.filters.get('as_of')}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
