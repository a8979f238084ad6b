"""Whether a request wrote anything: the rows of many tables counted in one statement.

The permission matrices and the form fuzzer ask hundreds of refused requests and check
that each wrote nothing, by comparing counts taken before and after it. One ``COUNT``
query per table made that the larger part of their time (on PostgreSQL each query is a
round trip); ``row_counts`` asks for every count in one ``SELECT``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Model, QuerySet

from portfolio.models import AuditEntry


def row_counts(querysets: Iterable[QuerySet]) -> tuple[int, ...]:
    """``tuple(qs.count() for qs in querysets)``, in one statement."""
    parts, params = [], []
    for number, queryset in enumerate(querysets):
        sql, query_params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{number})")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return tuple(cursor.fetchone())


def rows_of(model: type[Model]) -> QuerySet:
    """The rows of ``model`` a request could write by mistake.

    Sign-ins, refusals and sign-outs are audited whatever the answer
    (portfolio/web/signin.py): a refused sign-in is recorded, not a write of the form's.
    """
    found = model.objects.all()
    if model is AuditEntry:
        found = found.exclude(action__startswith="sign_in.")
    return found
