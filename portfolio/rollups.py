"""Keep SpendMonth, and each project's ``spend_total``, equal to the sums of SpendEntry, on
every write path.

Services call ``add_spend`` inside their transaction; bulk paths (the importer,
corrections) call ``rebuild_spend_months`` for the projects they touched (the importer's
bulk path writes both itself: gates/interchange/database.py). ``check_spend_months``
proves the invariant in tests. The metrics read the rollup for spend by month and for
spend as of a past date, and the totals for spend as of today (portfolio/metrics/scope.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from portfolio import sql_text
from portfolio.models import Project, SpendEntry, SpendMonth

# One statement, so concurrent writers never lose an increment. ``{spend_month}`` is the
# rollup's table name, quoted (see portfolio/sql_text.py).
_ADD_SPEND = """
INSERT INTO {spend_month} (project_id, month, amount, entries)
VALUES (%(project_id)s, %(month)s, %(amount)s, %(entries)s)
ON CONFLICT (project_id, month) DO UPDATE SET
    amount = {spend_month}.amount + excluded.amount,
    entries = {spend_month}.entries + excluded.entries
"""


def add_spend(
    *, project_id: int, spent_on: datetime.date, amount: Decimal, entries: int = 1
) -> None:
    """Add (or with a negative amount, remove) spend to its project-month and its project's
    total, atomically."""
    params = {
        "project_id": project_id,
        "month": spent_on.replace(day=1),
        "amount": amount,
        "entries": entries,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql_text.render(_ADD_SPEND, {}), params)
    Project.objects.filter(pk=project_id).update(spend_total=F("spend_total") + amount)


def rebuild_spend_months(project_ids: Iterable[int] | None = None) -> None:
    """Recompute the rollup and the projects' totals from the entries, for some projects or all."""
    entries = SpendEntry.objects.all()
    months = SpendMonth.objects.all()
    projects = Project.objects.all()
    if project_ids is not None:
        project_ids = list(project_ids)
        entries = entries.filter(project_id__in=project_ids)
        months = months.filter(project_id__in=project_ids)
        projects = projects.filter(pk__in=project_ids)
    months.delete()
    total = (
        SpendEntry.objects.filter(project=OuterRef("pk"))
        .values("project")
        .annotate(total=Sum("amount"))
    )
    projects.update(spend_total=Coalesce(Subquery(total.values("total")), Decimal(0)))
    totals: dict[tuple[int, datetime.date], list] = defaultdict(lambda: [Decimal(0), 0])
    for project_id, spent_on, amount in entries.values_list(
        "project_id", "spent_on", "amount"
    ).iterator(chunk_size=20000):
        total = totals[(project_id, spent_on.replace(day=1))]
        total[0] += amount
        total[1] += 1
    SpendMonth.objects.bulk_create(
        [
            SpendMonth(project_id=project_id, month=month, amount=amount, entries=count)
            for (project_id, month), (amount, count) in totals.items()
        ],
        batch_size=5000,
    )


def check_spend_months() -> list[str]:
    """Differences between the rollup (and the projects' totals) and the entries (empty when
    exact)."""
    expected: dict[tuple[int, datetime.date], tuple[Decimal, int]] = defaultdict(
        lambda: (Decimal(0), 0)
    )
    for project_id, spent_on, amount in SpendEntry.objects.values_list(
        "project_id", "spent_on", "amount"
    ):
        key = (project_id, spent_on.replace(day=1))
        total, count = expected[key]
        expected[key] = (total + amount, count + 1)
    actual = {
        (row["project_id"], row["month"]): (row["amount"], row["entries"])
        for row in SpendMonth.objects.values("project_id", "month", "amount", "entries")
        if row["entries"] or row["amount"]
    }
    problems = []
    spent: dict[int, Decimal] = defaultdict(Decimal)
    for (project_id, _), (total, _) in expected.items():
        spent[project_id] += total
    for project_id, spend_total in Project.objects.values_list("pk", "spend_total"):
        if spend_total != spent.get(project_id, Decimal(0)):
            problems.append(
                f"project {project_id}: spend_total {spend_total} != entries {spent.get(project_id)}"
            )
    for key in sorted(set(expected) | set(actual), key=str):
        if expected.get(key) != actual.get(key):
            problems.append(
                f"project {key[0]} {key[1]:%Y-%m}: rollup {actual.get(key)} != entries {expected.get(key)}"
            )
    return problems


__all__ = ["add_spend", "rebuild_spend_months", "check_spend_months"]
