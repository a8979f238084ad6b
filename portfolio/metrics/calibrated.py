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

from django.core.cache import cache

from portfolio import metrics, versioning
from portfolio.metrics.calibration import FORECASTS
from portfolio.metrics.engine import Query, Rows
from portfolio.metrics.numbers import PROBABILITY_SCALE
from portfolio.metrics.scope import Scope

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


# Each product manager's forecasts on closed projects (the "Forecast calibration" metric's).
RECORDS_QUERY = Query(
    "calibration_records",
    (FORECASTS,),
    """
    SELECT pm_email, COUNT(*), SUM(probability), SUM(greenlit)
    FROM forecasts GROUP BY pm_email
    """,
    ("pm_email", "forecasts", "total", "successes"),
)


def records_from(rows: Rows) -> dict[str, Calibration]:
    """The records in the rows of :data:`RECORDS_QUERY`, by lower-case e-mail."""
    return {
        row["pm_email"]: Calibration(
            forecasts=int(row["forecasts"]),
            forecast_total=Decimal(int(row["total"] or 0)) / PROBABILITY_SCALE,
            successes=int(row["successes"] or 0),
        )
        for row in rows[RECORDS_QUERY.name]
    }


def load_records(as_of: datetime.date) -> dict[str, Calibration]:
    """Every product manager's record (by lower-case e-mail) as of ``as_of``: one query."""
    return records_from(metrics.rows_for(Scope.of(as_of=as_of), (RECORDS_QUERY,)))


def _key(as_of: datetime.date, version: int | None = None) -> str:
    version = versioning.current() if version is None else version
    return f"greenlight:calibration:{version}:{as_of.isoformat()}"


def records(as_of: datetime.date) -> dict[str, Calibration]:
    """:func:`load_records`, kept per data version (so never stale)."""
    key = _key(as_of)
    found = cache.get(key)
    if found is None:
        found = load_records(as_of)
        cache.set(key, found, CACHE_SECONDS)
    return found


def keep_records(
    as_of: datetime.date, rows: Rows, version: int | None = None
) -> dict[str, Calibration]:
    """Keep the records in ``rows`` (:data:`RECORDS_QUERY`'s, read over every project as of
    ``as_of`` with other queries) for :func:`records` to find at the data version they were
    read at: ``version`` when the rows say it (read in their statement), else the current."""
    found = records_from(rows)
    cache.set(_key(as_of, version), found, CACHE_SECONDS)
    return found


def record_of(email: str, as_of: datetime.date) -> Calibration:
    """One product manager's record: one query over their projects alone (the engine's filter)."""
    checked = Scope.of(as_of=as_of, product_manager=email)
    found = records_from(metrics.rows_for(checked, (RECORDS_QUERY,)))
    return found.get(checked.product_manager, NO_RECORD)
