"""What every metric is computed over: the as-of date, the filters, and the projects' state.

:class:`Scope` checks the filters once for every caller (the dashboard, its
CSV downloads, the JSON API, ``manage.py portfolio_metrics``). :data:`SHARED`
holds the common table expressions every query starts from, written once:

- ``scope``: the projects submitted on or before A that the filters keep;
- ``dec``: their decisions dated on or before A, money in cents and
  probabilities in ten-thousandths (both scopes' units are kept by the database beside
  each value: ``portfolio.models.scaled_integer``);
- ``ranked`` and ``state``: each project's latest decision (one sort, no
  per-project subquery) and from it its status, current gate and closing, by
  the process's own rules (``process.state_sql``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from portfolio import process
from portfolio.metrics.engine import CTE
from portfolio.models import Bucket, ResearchType
from portfolio.sql_text import Fragment, render

# As-of dates the engine answers for: a far date would only build a series of
# thousands of empty months (and the date arithmetic would leave the calendar).
EARLIEST_AS_OF = datetime.date(1900, 1, 1)
LATEST_AS_OF = datetime.date(2100, 12, 31)
AS_OF_RANGE_MESSAGE = (
    f"choose a date between {EARLIEST_AS_OF.isoformat()} and {LATEST_AS_OF.isoformat()}."
)


class MetricsFilterError(ValueError):
    """A filter the metrics cannot apply (an unknown bucket or research type, a far date)."""


def _cleaned(value: str | None) -> str | None:
    return (value or "").strip() or None


@dataclass(frozen=True)
class Scope:
    """An as-of date and the filters, checked: build it with :meth:`of`."""

    as_of: datetime.date
    bucket: str | None = None
    research_type: str | None = None
    product_manager: str | None = None  # lower-case: e-mails match ignoring case
    # The data version the changes read since are after (metrics/incremental.py).
    changed_since: int | None = None
    # Only these projects (by id; metrics/incremental.py, on PostgreSQL).
    projects: tuple[int, ...] | None = None

    @classmethod
    def of(
        cls,
        *,
        as_of: datetime.date | None = None,
        bucket: str | None = None,
        research_type: str | None = None,
        product_manager: str | None = None,
    ) -> Scope:
        """Blank filters are no filter; an unknown bucket or research type is refused."""
        bucket, research_type = _cleaned(bucket), _cleaned(research_type)
        product_manager = (_cleaned(product_manager) or "").lower() or None
        if bucket is not None and bucket not in Bucket.values:
            raise MetricsFilterError(f"Unknown bucket {bucket!r}: use {', '.join(Bucket.values)}.")
        if research_type is not None and research_type not in ResearchType.values:
            raise MetricsFilterError(
                f"Unknown research type {research_type!r}: use {', '.join(ResearchType.values)}."
            )
        as_of = as_of or timezone.localdate()
        if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
            raise MetricsFilterError(f"As of: {AS_OF_RANGE_MESSAGE}")
        return cls(as_of, bucket, research_type, product_manager)

    def filters(self) -> Fragment:
        """The filters as conditions on ``p`` (the project) and ``u`` (its product manager)."""
        conditions = [
            condition
            for value, condition in (
                (self.bucket, "AND p.bucket = %(bucket)s"),
                (self.research_type, "AND p.research_type = %(research_type)s"),
                (self.product_manager, "AND LOWER(u.email) = %(product_manager)s"),
            )
            if value is not None
        ]
        if self.projects is not None:
            conditions.append("AND p.id = ANY(%(projects)s)")
        return Fragment(" ".join(conditions))

    def params(self) -> dict[str, object]:
        """The placeholders of the shared CTEs, and the filters' values."""
        return {
            **date_params(
                as_of=self.as_of,
                month_start=self.as_of.replace(day=1),
                next_month_start=first_month_start_after(self.as_of.replace(day=1)),
            ),
            "as_of_month": self.as_of.year * 12 + self.as_of.month - 1,
            "bucket": self.bucket,
            "research_type": self.research_type,
            "product_manager": self.product_manager,
            "changed_since": self.changed_since,
            "projects": None if self.projects is None else list(self.projects),
        }


def date_params(**dates: datetime.date) -> dict[str, object]:
    """Dates as the database takes them in a placeholder."""
    return {name: connection.ops.adapt_datefield_value(day) for name, day in dates.items()}


def first_month_start_after(day: datetime.date) -> datetime.date:
    """The first day of the first whole month after ``day``."""
    following = day + datetime.timedelta(days=1)
    if following.day == 1:
        return following
    return (following.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


# Each project's latest decision: the first of its decisions by date, then sequence, both
# descending. PostgreSQL's DISTINCT ON takes it in one sort, in half the time of numbering every
# decision with ROW_NUMBER and keeping the firsts (about 7 ms less at 5,000 projects, in each of
# the two statements that read it); SQLite has no DISTINCT ON.
_LATEST_DECISIONS = {
    "postgresql": Fragment(
        """
    SELECT DISTINCT ON (project_id) project_id, gate, decision, decided_on
    FROM dec
    ORDER BY project_id, decided_on DESC, sequence DESC
    """
    ),
    "sqlite": Fragment(
        """
    SELECT project_id, gate, decision, decided_on FROM (
        SELECT project_id, gate, decision, decided_on,
               ROW_NUMBER() OVER (
                   PARTITION BY project_id ORDER BY decided_on DESC, sequence DESC
               ) AS recency
        FROM dec
    ) numbered
    WHERE recency = 1
    """
    ),
}


def fragments(scope: Scope) -> dict[str, Fragment]:
    """What the queries name beyond tables and expressions: the filters, the state CASEs, the
    process's words."""
    expressions = process.state_sql("r.decision", "r.gate", "r.decided_on")
    # A condition on ``project_id`` for rows summed by project before they are joined
    # with the scope: only when the scope is a few projects (their rows by the index).
    few_projects = Fragment("" if scope.projects is None else "AND project_id = ANY(%(projects)s)")
    return {
        "filters": scope.filters(),
        "few_projects": few_projects,
        "spend_by_project": _spend_by_project(scope, few_projects),
        "spend_by_month_dates": _spend_by_month(scope, few_projects),
        "latest_decisions": _LATEST_DECISIONS[
            "postgresql" if connection.vendor == "postgresql" else "sqlite"
        ],
        **{f"state_{name}": Fragment(sql) for name, sql in expressions.items()},
        # The process's words as literals: ``status = {greenlit}``, ``decision = {go}``.
        **{word: Fragment(literal) for word, literal in process.sql_words().items()},
    }


# --- The CTEs every query starts from ----------------------------------------------------------

# Its conditions are stated again, turned round, in _SPEND_BY_MONTH_OF_ALL below: change both.
SCOPE = CTE(
    "scope",
    """
    SELECT p.id, p.key, p.title, p.bucket, p.research_type, p.value_kind, p.submitted_on,
           LOWER(u.email) AS pm_email,
           p.probability_ten_thousandths AS probability,
           p.projected_low_cents AS low_c,
           p.projected_expected_cents AS expected_c,
           p.projected_high_cents AS high_c
    FROM {project} p
    JOIN {user} u ON u.id = p.product_manager_id
    WHERE p.submitted_on IS NOT NULL AND p.submitted_on <= %(as_of)s {filters}
    """,
)
DEC = CTE(
    "dec",
    """
    SELECT d.project_id, g.number AS gate, d.decision, d.decided_on, d.sequence,
           d.funding_granted_cents AS funding_c,
           d.probability_ten_thousandths AS probability
    FROM {decision} d
    JOIN {gate} g ON g.id = d.gate_id
    WHERE d.decided_on <= %(as_of)s AND d.project_id IN (SELECT id FROM scope)
    """,
)
RANKED = CTE("ranked", "{latest_decisions}")
STATE = CTE(
    "state",
    """
    SELECT s.*, r.decision AS latest_kind, r.gate AS latest_gate,
           r.decided_on AS last_decision_on,
           {state_status} AS status,
           {state_current_gate} AS current_gate,
           {state_closed_gate} AS closed_gate,
           {state_closed_on} AS closed_on
    FROM scope s
    LEFT JOIN ranked r ON r.project_id = s.id
    """,
)
SHARED = (SCOPE, DEC, RANKED, STATE)

# Spend up to A, by project, from the monthly rollup (its size grows with projects × months, not
# with entries): every month up to A's own, less the entries dated after A in A's month (usually
# none: A is today). Reading A's month's entries instead cost a look-up per project (the
# planner cannot tell how few projects a CTE holds): 20 ms at 5,000 projects, twice.
# The entries dated after A in A's month (usually none: A is today), by project of the scope:
# what the monthly rollup's A's month holds beyond A (SPEND and series.SPEND_BY_MONTH take it off).
SPEND_AFTER_A = CTE(
    "spend_after_a",
    """
    SELECT after_a.project_id, after_a.spend_c FROM (
        SELECT e.project_id, {sum_cents:e.amount} AS spend_c
        FROM {spend} e
        WHERE e.spent_on > %(as_of)s AND e.spent_on < %(next_month_start)s {few_projects}
        GROUP BY e.project_id
    ) after_a
    JOIN scope ON scope.id = after_a.project_id
    """,
)
# Spend up to A, by project (projects without spend may have no row). Over the past (A before
# today): from the monthly rollup, every month up to A's own less the entries after A in A's month.
# As of today or later (the default view): each project's running total (``spend_total``, kept
# with the rollup by every write path: portfolio/rollups.py) less its entries dated after A, of
# which there are none (spend is never dated in the future), read by the date's index. That
# reads 5,000 totals instead of summing 35,000 rollup months: about 8 ms less at 1M entries.
_SPEND_FROM_ROLLUP = """
    SELECT project_id, SUM(spend_c) AS spend_c FROM (
        SELECT by_project.project_id, by_project.spend_c FROM (
            SELECT project_id, {sum_cents:amount} AS spend_c
            FROM {spend_month}
            WHERE month <= %(month_start)s {few_projects}
            GROUP BY project_id
        ) by_project
        JOIN scope ON scope.id = by_project.project_id
        UNION ALL
        SELECT project_id, -spend_c FROM spend_after_a
    ) spend_parts
    GROUP BY project_id
"""
_SPEND_FROM_TOTALS = """
    SELECT p.id AS project_id, {cents:p.spend_total} - COALESCE(later.spend_c, 0) AS spend_c
    FROM {project} p
    LEFT JOIN (
        SELECT e.project_id, {sum_cents:e.amount} AS spend_c
        FROM {spend} e
        WHERE e.spent_on > %(as_of)s {few_projects}
        GROUP BY e.project_id
    ) later ON later.project_id = p.id
    WHERE p.id IN (SELECT id FROM scope)
"""


# Spend by month up to A's month, from the rollup, as dates (series.SPEND_BY_MONTH numbers the
# months and takes off the entries after A). With a filter or a few projects: the rollup's rows of
# the scope's projects. Over every project: every row, less those of the projects outside the
# scope (not submitted by A, or without a product manager: SCOPE's conditions turned round),
# which are few; a month stays only while a row of the scope is in it, as the join keeps it.
# That spares joining the 35,000 rows with the scope: ≈ 3.5 ms at 1M entries.
_SPEND_BY_MONTH_OF_SCOPE = """
    SELECT sm.month, {sum_cents:sm.amount} AS spend_c
    FROM {spend_month} sm
    JOIN scope ON scope.id = sm.project_id
    WHERE sm.month <= %(month_start)s {few_projects}
    GROUP BY sm.month
"""
_SPEND_BY_MONTH_OF_ALL = """
    SELECT month, SUM(spend_c) AS spend_c FROM (
        SELECT sm.month, {sum_cents:sm.amount} AS spend_c, COUNT(*) AS rollup_rows
        FROM {spend_month} sm
        WHERE sm.month <= %(month_start)s
        GROUP BY sm.month
        UNION ALL
        SELECT sm.month, -{sum_cents:sm.amount}, -COUNT(*)
        FROM {spend_month} sm
        JOIN {project} p ON p.id = sm.project_id
        WHERE sm.month <= %(month_start)s AND NOT (
            p.submitted_on IS NOT NULL AND p.submitted_on <= %(as_of)s
            AND p.product_manager_id IS NOT NULL
        )
        GROUP BY sm.month
    ) by_month_parts
    GROUP BY month
    HAVING SUM(rollup_rows) > 0
"""


def _spend_by_month(scope: Scope, few_projects: Fragment) -> Fragment:
    filtered = (scope.bucket, scope.research_type, scope.product_manager, scope.projects)
    if any(value is not None for value in filtered):
        return render(_SPEND_BY_MONTH_OF_SCOPE, {"few_projects": few_projects})
    return render(_SPEND_BY_MONTH_OF_ALL, {})


def _spend_by_project(scope: Scope, few_projects: Fragment) -> Fragment:
    from_totals = scope.as_of >= timezone.localdate()
    template = _SPEND_FROM_TOTALS if from_totals else _SPEND_FROM_ROLLUP
    return render(template, {"few_projects": few_projects})


SPEND = CTE(
    "spend",
    "{spend_by_project}",
    needs=(SPEND_AFTER_A,),
    # The groups and the open projects read it: they make one of the two statements run side
    # by side, the other queries (the series' spend by month among them) the other, each
    # about half of the time (engine.py, side_by_side.py).
    apart=True,
)
