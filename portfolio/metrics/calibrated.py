"""Calibrated probabilities: each product manager's forecasts corrected for their record.

For a product manager f, take the forecasts of the "Forecast calibration"
metric made on f's projects (the project's own, at submission, and each
decision's that has one) over those projects greenlit or killed as of A,
dated on or before A: n forecasts, their mean p̄ and the mean outcome ō
(1 greenlit, 0 killed). Then

    bias = (ō − p̄) · n / (n + 20)          (0 when n = 0)
    calibrated p = min(0.99, max(0.01, p + bias))

One query for every product manager at once; results are kept per data
version. The planner (``planning``), the gate review, the project page and
the dashboard's risk chart all read them from here.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.apps import apps
from django.core.cache import cache
from django.db import connection

from portfolio import process, versioning
from portfolio.models import Project, User

PROBABILITY_SCALE = 10_000
SHRINK = 20  # a record of n forecasts weighs n / (n + 20): short records are shrunk to no bias
LOWEST, HIGHEST = Decimal("0.01"), Decimal("0.99")
CACHE_SECONDS = 600


_CONTEXT = decimal.Context(prec=40, rounding=ROUND_HALF_UP)


def decimal_context() -> decimal.Context:
    """28+ significant digits, as planning.md asks; rounding happens only on output."""
    return _CONTEXT


@dataclass(frozen=True)
class Calibration:
    """A product manager's record: n forecasts on their closed projects, and their outcomes."""

    forecasts: int = 0
    forecast_total: Decimal = Decimal(0)  # Σ p
    successes: int = 0  # Σ o

    @cached_property
    def bias(self) -> Decimal:
        """(ō − p̄) · n / (n + 20), which is (Σo − Σp) / (n + 20); 0 when n = 0."""
        if not self.forecasts:
            return Decimal(0)
        return decimal_context().divide(
            Decimal(self.successes) - self.forecast_total, self.forecasts + SHRINK
        )

    def calibrate(self, probability: Decimal) -> Decimal:
        return min(HIGHEST, max(LOWEST, decimal_context().add(probability, self.bias)))


NO_RECORD = Calibration()


def _sql(*, one_manager: bool = False) -> str:
    decision = apps.get_model("gates", "GateDecision")._meta.db_table
    gate = apps.get_model("gates", "Gate")._meta.db_table
    scale = PROBABILITY_SCALE
    state = process.state_sql("r.decision", "r.gate", "r.decided_on")
    return f"""
    WITH scope AS (
        SELECT p.id, LOWER(u.email) AS pm_email,
               CAST(ROUND(p.probability_of_success * {scale}) AS BIGINT) AS own_probability
        FROM {Project._meta.db_table} p
        JOIN {User._meta.db_table} u ON u.id = p.product_manager_id
        WHERE p.submitted_on IS NOT NULL AND p.submitted_on <= %(as_of)s
              {"AND u.email = %(email)s" if one_manager else ""}
    ),
    dec AS (
        SELECT d.project_id, g.number AS gate, d.decision, d.decided_on,
               CAST(ROUND(d.probability_of_success * {scale}) AS BIGINT) AS probability,
               ROW_NUMBER() OVER (
                   PARTITION BY d.project_id ORDER BY d.decided_on DESC, d.sequence DESC
               ) AS recency
        FROM {decision} d
        JOIN scope s ON s.id = d.project_id
        JOIN {gate} g ON g.id = d.gate_id
        WHERE d.decided_on <= %(as_of)s
    ),
    state AS (
        SELECT s.id, s.pm_email, s.own_probability, {state["status"]} AS status
        FROM scope s
        JOIN dec r ON r.project_id = s.id AND r.recency = 1
    ),
    closed AS (
        SELECT id, pm_email, own_probability,
               CASE WHEN status = '{process.GREENLIT}' THEN 1 ELSE 0 END AS outcome
        FROM state WHERE status IN ('{process.GREENLIT}', '{process.KILLED}')
    ),
    forecasts AS (
        SELECT pm_email, own_probability AS probability, outcome FROM closed
        UNION ALL
        SELECT c.pm_email, d.probability, c.outcome
        FROM dec d JOIN closed c ON c.id = d.project_id
        WHERE d.probability IS NOT NULL
    )
    SELECT pm_email, COUNT(*), SUM(probability), SUM(outcome)
    FROM forecasts GROUP BY pm_email
    """


def load_records(as_of: datetime.date) -> dict[str, Calibration]:
    """Every product manager's record (by lower-case e-mail) as of ``as_of``: one query."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(), {"as_of": connection.ops.adapt_datefield_value(as_of)})
        rows = cursor.fetchall()
    return {
        email: Calibration(
            forecasts=int(n),
            forecast_total=Decimal(int(total or 0)) / PROBABILITY_SCALE,
            successes=int(successes or 0),
        )
        for email, n, total, successes in rows
    }


def records(as_of: datetime.date) -> dict[str, Calibration]:
    """:func:`load_records`, kept per data version (so never stale)."""
    key = f"greenlight:calibration:{versioning.current()}:{as_of.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = load_records(as_of)
        cache.set(key, found, CACHE_SECONDS)
    return found


def record_of(email: str, as_of: datetime.date) -> Calibration:
    """One product manager's record: one query over their projects alone (e-mails are lower-case)."""
    params = {"as_of": connection.ops.adapt_datefield_value(as_of), "email": email.lower()}
    with connection.cursor() as cursor:
        cursor.execute(_sql(one_manager=True), params)
        row = cursor.fetchone()
    if row is None:
        return NO_RECORD
    _, n, total, successes = row
    return Calibration(
        forecasts=int(n),
        forecast_total=Decimal(int(total or 0)) / PROBABILITY_SCALE,
        successes=int(successes or 0),
    )
