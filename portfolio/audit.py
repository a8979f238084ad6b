"""The audit trail: one entry per change, written inside the change's transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models

from portfolio import versioning
from portfolio.models import AuditEntry, Project, User


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def diff(instance: models.Model, fields: dict) -> dict:
    """{field: [old, new]} for the fields whose value would change."""
    changes = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if _plain(old) != _plain(new):
            changes[name] = [_plain(old), _plain(new)]
    return changes


def record(
    *,
    actor: User | None,
    action: str,
    project: Project | None = None,
    obj: models.Model | None = None,
    summary: str = "",
    changes: dict | None = None,
) -> AuditEntry:
    versioning.bump()
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        project=project,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        summary=summary[:500],
        changes={key: [_plain(a) for a in value] for key, value in (changes or {}).items()},
    )
