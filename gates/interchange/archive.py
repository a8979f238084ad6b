"""Replacing a project's history: what it held is set aside before it is removed.

The only deletion of gate decisions in the app: the PostgreSQL trigger lets it
through because this transaction, and only it, sets the rewrite flag.
"""

from __future__ import annotations

from django.db import connection

from gates.interchange.database import chunks
from gates.interchange.panel import erase_panel
from gates.models import ArchitectureEstimate, CriterionScore, GateDecision
from portfolio.models import Outcome, SpendEntry, SpendMonth, User
from portfolio.sql_text import statement


def archive_and_erase(
    project_ids: list[int], *, actor: User | None, estimates_of: set[int] | frozenset = frozenset()
) -> None:
    """Remove the decisions, scores, spend (and its rollup) and outcomes of the projects
    being replaced, and the estimates of ``estimates_of`` (the files bring new ones)."""
    postgres = connection.vendor == "postgresql"
    names = {
        "scores": CriterionScore._meta.db_table,
        "decisions": GateDecision._meta.db_table,
    }
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'on', true)")
        for chunk in chunks(project_ids):
            erase_panel(cursor, chunk)  # votes and kill criteria refer to the decisions
            cursor.execute(
                statement(
                    "DELETE FROM {scores} WHERE decision_id IN "
                    "(SELECT id FROM {decisions} WHERE project_id IN ({marks}))",
                    marks=len(chunk),
                    **names,
                ),
                chunk,
            )
            for model in (GateDecision, SpendEntry, SpendMonth, Outcome):
                cursor.execute(
                    statement(
                        "DELETE FROM {table} WHERE project_id IN ({marks})",
                        table=model._meta.db_table,
                        marks=len(chunk),
                    ),
                    chunk,
                )
        if postgres:
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'off', true)")
    if estimates_of:
        ArchitectureEstimate.objects.filter(project_id__in=list(estimates_of)).delete()
