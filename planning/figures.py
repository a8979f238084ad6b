"""A single project's ECV and PI, as the planner computes them: the gate review and project page.

The same formula and calibration as :mod:`planning.engine` (which this module
calls), with the horizon and rate from the plan settings and as of today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from planning.engine import Estimate, annuity_factor, expected_commercial_value
from portfolio.metrics import calibrated as calibration
from portfolio.metrics.calibrated import Calibration, decimal_context
from portfolio.models import Project
from portfolio.process import RETRAINS_PER_YEAR


@dataclass(frozen=True)
class ProjectValue:
    """A project's ECV and PI as the planner computes them, with every input shown."""

    probability: Decimal
    calibrated_probability: Decimal
    calibration: Calibration
    value: Decimal
    ask: Decimal | None
    estimate: Estimate | None
    horizon: int
    discount_rate: Decimal
    annuity: Decimal
    ecv: Decimal | None
    pi: Decimal | None
    calibrated_ecv: Decimal | None
    calibrated_pi: Decimal | None

    @property
    def no_estimate(self) -> bool:
        return self.estimate is None

    @property
    def running_cost(self) -> Decimal:
        """12 · C_m + k · C_r, a year."""
        if self.estimate is None:
            return Decimal(0)
        e = self.estimate
        return 12 * e.monthly_run_cost + e.retrains_per_year * e.cost_per_retrain


def project_value(
    project: Project,
    *,
    estimate: Estimate | None,
    horizon: int,
    discount_rate: Decimal,
    as_of: datetime.date,
) -> ProjectValue:
    """ECV and PI of ``project`` now (raw and calibrated), for the horizon and rate given."""
    record = calibration.record_of(project.product_manager.email, as_of)
    probability = project.current_probability
    calibrated = record.calibrate(probability)
    annuity = annuity_factor(horizon, discount_rate)
    ask = project.next_stage_ask
    ecv = pi = calibrated_ecv = calibrated_pi = None
    if ask:
        common = {"value": project.projected_expected, "ask": ask, "estimate": estimate}
        ecv = expected_commercial_value(probability=probability, annuity=annuity, **common)
        calibrated_ecv = expected_commercial_value(
            probability=calibrated, annuity=annuity, **common
        )
        pi, calibrated_pi = (
            decimal_context().divide(ecv, ask),
            decimal_context().divide(calibrated_ecv, ask),
        )
    return ProjectValue(
        probability=probability,
        calibrated_probability=calibrated,
        calibration=record,
        value=project.projected_expected,
        ask=ask,
        estimate=estimate,
        horizon=horizon,
        discount_rate=discount_rate,
        annuity=annuity,
        ecv=ecv,
        pi=pi,
        calibrated_ecv=calibrated_ecv,
        calibrated_pi=calibrated_pi,
    )


def estimate_of(architecture_estimate) -> Estimate | None:
    """The engine's view of a gates.ArchitectureEstimate (or None)."""
    if architecture_estimate is None:
        return None
    return Estimate(
        build_cost=architecture_estimate.build_cost,
        monthly_run_cost=architecture_estimate.monthly_run_cost,
        retrains_per_year=RETRAINS_PER_YEAR.get(architecture_estimate.retraining_cadence, 0),
        cost_per_retrain=architecture_estimate.cost_per_retrain,
    )
