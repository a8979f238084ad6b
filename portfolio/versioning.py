"""The portfolio's data version: what cached dashboard numbers are keyed by.

Every write path writes the audit trail (portfolio.audit.record, or the
importer's bulk entries), and the audit trail bumps this counter in the same
transaction. The UPDATE takes a row lock, so a reader that sees version n sees
every change committed with a version up to n: a cache keyed by the version is
never stale, and the dashboard's cost at a given version is paid once per
app server process, not once per request.

The price: the counter is one row, so the writes serialize on it. Two audited
changes in flight at once each update that row, and the second waits for the
first to commit (on PostgreSQL, the row lock; on SQLite every write is serial
anyway). That is fine here because:

- the bump comes with the audit entry, at the end of a service's work, so the
  lock is held only from there to the commit, milliseconds for a decision or a
  spend entry;
- writes are made by people (a decision, a spend entry, a deliverable), a few
  a second at the most, while reads (the pages, the dashboard, the API) take no
  lock on the row at all;
- the one long writer, an import, bumps the version once, after writing
  everything, so it too holds the row only for its last moments.

If writes ever came by the hundred a second, a version per table or a cache
keyed by time would trade this exactness for throughput.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import F

from portfolio.models import DataVersion, SpendChange

_ROW = 1


def bump() -> None:
    from portfolio.tasks import refresh_after_commit

    refresh_after_commit()
    if not DataVersion.objects.filter(pk=_ROW).update(number=F("number") + 1):
        # A new (or flushed) database: the row appears on the first change.
        DataVersion.objects.get_or_create(pk=_ROW, defaults={"number": 1})


def current() -> int:
    return DataVersion.objects.filter(pk=_ROW).values_list("number", flat=True).first() or 0


def note_spend(*, project_id: int, spent_on: datetime.date, amount: Decimal) -> None:
    """Say that the change just made (its :func:`bump`) recorded this spend and nothing else.

    Called in the change's transaction, after its audit entry: the row lock taken by the
    bump makes :func:`current` the version of this change. The metrics refresh then adds
    the amount to the last numbers instead of computing them again.
    """
    SpendChange.objects.create(
        version=current(), project_id=project_id, spent_on=spent_on, cents=int(amount * 100)
    )
