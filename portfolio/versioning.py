"""The portfolio's data version: what cached dashboard numbers are keyed by.

Every write path writes the audit trail (portfolio.audit.record, or the
importer's bulk entries), and the audit trail bumps this counter in the same
transaction. The UPDATE takes a row lock, so a reader that sees version n sees
every change committed with a version up to n: a cache keyed by the version is
never stale, and the dashboard's cost at a given version is paid once per
app server process, not once per request.
"""

from __future__ import annotations

from django.db.models import F

from portfolio.models import DataVersion

_ROW = 1


def bump() -> None:
    from portfolio.tasks import refresh_after_commit

    refresh_after_commit()
    if not DataVersion.objects.filter(pk=_ROW).update(number=F("number") + 1):
        # A new (or flushed) database: the row appears on the first change.
        DataVersion.objects.get_or_create(pk=_ROW, defaults={"number": 1})


def current() -> int:
    return DataVersion.objects.filter(pk=_ROW).values_list("number", flat=True).first() or 0
