"""The waterline plan: which open projects a budget funds (docs/planning.md).

Pure computation over inputs read with a fixed number of queries (two on
SQLite, one on PostgreSQL, plus one when a pinned key is not a candidate),
whatever the size of the portfolio. The inputs are read by the metrics
engine (``portfolio.metrics``): its scope and each project's state as of the
date, and a query of its own held as data like the engine's. The planning page, ``manage.py portfolio_plan``, the JSON API and
the gate review all use this module; nothing computes ECV a second way.

- :func:`load_inputs` reads, as of a date, each candidate (a project active on
  that date) with its latest probability, value, ask and the architect's
  estimate, and each product manager's forecast record for calibration.
- :func:`compute` ranks the candidates by productivity index (ECV per unit of
  ask) and funds from the top, in decimal arithmetic, rounding only output.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from planning.inputs import BUCKETS, PlanRequest
from portfolio import metrics, versioning
from portfolio.errors import DomainError
from portfolio.metrics import calibrated
from portfolio.metrics.calibrated import NO_RECORD, Calibration, decimal_context
from portfolio.metrics.engine import Query
from portfolio.metrics.numbers import money, probability
from portfolio.metrics.open_projects import LATEST_PROBABILITY, OPEN_PROJECTS
from portfolio.metrics.scope import Scope
from portfolio.models import Bucket, Project
from portfolio.process import ACTIVE, RETRAINS_PER_YEAR, STATUS_LABELS
from portfolio.templatetags.numbers import money_cents

FUNDED, PINNED_IN = "funded", "pinned_in"
PINNED_OUT, NEGATIVE_ECV, OVER_BUDGET, NO_ASK = (
    "pinned_out",
    "negative_ecv",
    "over_budget",
    "no_ask",
)
REASON_LABELS = {
    FUNDED: "funded",
    PINNED_IN: "pinned in",
    PINNED_OUT: "pinned out",
    NEGATIVE_ECV: "ECV not above 0",
    OVER_BUDGET: "does not fit",
    NO_ASK: "no ask",
}


BUCKET_LABELS = dict(Bucket.choices)
FUNDED_FIRST_NAMED = 3  # the projects a "does not fit" note names before "and N more"


def round_money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def round_ratio(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# --- Inputs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    build_cost: Decimal
    monthly_run_cost: Decimal
    retrains_per_year: int
    cost_per_retrain: Decimal


@dataclass(frozen=True)
class Candidate:
    key: str
    title: str
    bucket: str
    gate: int
    product_manager: str
    probability: Decimal  # the raw one: latest decision's, else the project's own
    calibrated_probability: Decimal
    value: Decimal  # projected_expected, a year
    ask: Decimal | None
    estimate: Estimate | None


@dataclass(frozen=True)
class Inputs:
    as_of: datetime.date
    candidates: tuple[Candidate, ...]
    calibration: dict[str, Calibration]

    def calibration_of(self, email: str) -> Calibration:
        return self.calibration.get(email.lower(), NO_RECORD)


# The candidates: projects active as of A (the engine's state), each with its latest
# probability (the latest decision's that has one, else its own), value, ask and estimate.
CANDIDATES_QUERY = Query(
    "plan_candidates",
    (OPEN_PROJECTS, LATEST_PROBABILITY),
    """
    SELECT o.key, o.title, o.bucket, o.current_gate, o.pm_email,
           COALESCE(lp.probability, o.probability), o.expected_c, {cents:p.next_stage_ask},
           e.id IS NOT NULL, {cents:e.build_cost}, {cents:e.monthly_run_cost},
           e.retraining_cadence, {cents:e.cost_per_retrain}
    FROM open_projects o
    JOIN {project} p ON p.id = o.id
    LEFT JOIN latest_probability lp ON lp.project_id = o.id AND lp.recency = 1
    LEFT JOIN {architecture_estimate} e ON e.project_id = o.id
    WHERE o.status = {active}
    ORDER BY o.key
    """,
    (
        "key",
        "title",
        "bucket",
        "gate",
        "pm_email",
        "probability",
        "expected_c",
        "ask_c",
        "has_estimate",
        "build_c",
        "run_c",
        "cadence",
        "retrain_c",
    ),
)


def load_inputs(as_of: datetime.date) -> Inputs:
    """Candidates and forecast records as of ``as_of``: two queries (one on PostgreSQL)."""
    rows = metrics.rows_for(Scope.of(as_of=as_of), (CANDIDATES_QUERY, calibrated.RECORDS_QUERY))
    calibration = calibrated.records_from(rows)
    candidates = []
    for row in rows[CANDIDATES_QUERY.name]:
        estimate = None
        if row["has_estimate"]:
            estimate = Estimate(
                build_cost=money(row["build_c"]),
                monthly_run_cost=money(row["run_c"]),
                retrains_per_year=RETRAINS_PER_YEAR.get(row["cadence"], 0),
                cost_per_retrain=money(row["retrain_c"]),
            )
        raw = probability(row["probability"])
        record = calibration.get(row["pm_email"], NO_RECORD)
        candidates.append(
            Candidate(
                key=row["key"],
                title=row["title"],
                bucket=row["bucket"],
                gate=int(row["gate"]),
                product_manager=row["pm_email"],
                probability=raw,
                calibrated_probability=record.calibrate(raw),
                value=money(row["expected_c"]),
                ask=None if row["ask_c"] is None else money(row["ask_c"]),
                estimate=estimate,
            )
        )
    return Inputs(as_of=as_of, candidates=tuple(candidates), calibration=calibration)


_RECENT: dict[tuple[int, datetime.date], Inputs] = {}
RECENT_KEPT = 4


def forget_inputs() -> None:
    """Drop the inputs kept in memory (tests that write without bumping the version)."""
    _RECENT.clear()


def cached_inputs(as_of: datetime.date) -> Inputs:
    """:func:`load_inputs`, kept per data version: a what-if changes pins, not data.

    Kept in this process's memory, not the cache backend: a thousand candidates
    would be unpickled on every what-if. The version key means never stale.
    """
    key = (versioning.current(), as_of)
    inputs = _RECENT.get(key)
    if inputs is None:
        inputs = load_inputs(as_of)
        if len(_RECENT) >= RECENT_KEPT:
            _RECENT.pop(next(iter(_RECENT)))
        _RECENT[key] = inputs
    return inputs


# --- ECV ---------------------------------------------------------------------------


def annuity_factor(horizon: int, rate: Decimal) -> Decimal:
    """Σ_{t=1..H} (1 + r)^(−t)."""
    ctx = decimal_context()
    base = ctx.add(Decimal(1), rate)
    return sum(
        (ctx.divide(Decimal(1), ctx.power(base, t)) for t in range(1, horizon + 1)), Decimal(0)
    )


def expected_commercial_value(
    *,
    probability: Decimal,
    value: Decimal,
    ask: Decimal,
    estimate: Estimate | None,
    annuity: Decimal,
) -> Decimal:
    """p · (V·AF − (12·C_m + k·C_r)·AF − C_b) − ask, exact."""
    ctx = decimal_context()
    if estimate is None:
        running, build = Decimal(0), Decimal(0)
    else:
        running = ctx.add(
            ctx.multiply(12, estimate.monthly_run_cost),
            ctx.multiply(estimate.retrains_per_year, estimate.cost_per_retrain),
        )
        build = estimate.build_cost
    payoff = ctx.subtract(
        ctx.subtract(ctx.multiply(value, annuity), ctx.multiply(running, annuity)), build
    )
    return ctx.subtract(ctx.multiply(probability, payoff), ask)


# --- The plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shortfall:
    """Why a project that may be funded is not (``over_budget``): the money at its turn.

    ``budget_left`` is what was left of the budget when the final walk down the ranking
    reached it; ``bucket_left`` what its bucket's target had left when its bucket's own
    walk reached it (None without targets). ``funded_first`` holds the projects ranked
    below it that were funded before its turn (pinned in, or within a bucket's target):
    with targets or pins the money may go to them first.
    """

    budget: Decimal
    pinned_total: Decimal
    budget_left: Decimal
    bucket_target: Decimal | None = None
    bucket_left: Decimal | None = None
    funded_first: tuple[PlanRow, ...] = ()


@dataclass
class PlanRow:
    key: str
    title: str
    bucket: str
    gate: int
    product_manager: str
    raw_probability: Decimal
    calibrated_probability: Decimal
    calibration: Calibration
    probability: Decimal  # the one used
    ask: Decimal  # 0 when none
    ecv: Decimal | None
    pi: Decimal | None
    no_estimate: bool
    rank: int | None = None
    funded: bool = False
    reason: str = NO_ASK
    cumulative_ask: Decimal | None = None  # over the ranked rows, in rank order
    # Over the funded rows only, in rank order: the money allocated down to this row. With
    # bucket targets or pins it differs from cumulative_ask above the waterline too.
    cumulative_funded: Decimal | None = None
    cumulative_ecv: Decimal | None = None
    below_waterline: bool = False
    shortfall: Shortfall | None = None  # for an over_budget row: the money at its turn

    is_gap = False  # the page's table also holds markers for rows it leaves out

    @property
    def reason_label(self) -> str:
        return REASON_LABELS[self.reason]

    @property
    def shortfall_note(self) -> str:
        """Why a "does not fit" row does not: "asks EUR 186,000.00: its bucket's target had
        EUR 60,000.00 left and the budget EUR 120,000.00 at its turn; funded before it
        though ranked below: GL-0084 (Efficiency (cost savings) target)." Empty for other rows."""
        short = self.shortfall
        if short is None:
            return ""

        def amount(value: Decimal) -> str:
            return money_cents(round_money(value))

        asks = f"asks {amount(self.ask)}"
        if self.ask > short.budget:
            return f"{asks}: more than the whole budget of {amount(short.budget)}."
        if short.pinned_total and self.ask > short.budget - short.pinned_total:
            why = f"the pinned-in projects leave {amount(short.budget - short.pinned_total)}"
        elif short.bucket_target is None:
            why = f"the budget had {amount(short.budget_left)} left at its turn"
        elif not short.bucket_target:
            why = f"its bucket has no target, and the budget had {amount(short.budget_left)} left at its turn"
        elif self.ask > short.bucket_left:
            why = (
                f"its bucket's target had {amount(short.bucket_left)} left and the budget "
                f"{amount(short.budget_left)} at its turn"
            )
        else:
            why = f"the budget had {amount(short.budget_left)} left at its turn"
        if not short.funded_first:
            return f"{asks}: {why}."
        named = [
            f"{row.key} ({'pinned in' if row.reason == PINNED_IN else BUCKET_LABELS[row.bucket] + ' target'})"
            for row in short.funded_first[:FUNDED_FIRST_NAMED]
        ]
        more = len(short.funded_first) - len(named)
        if more:
            named.append(f"and {more} more")
        return f"{asks}: {why}; funded before it though ranked below: {', '.join(named)}."

    @property
    def why_not_funded(self) -> str:
        """Why the plan leaves this project out, in the page's words: a "does not fit" row's
        :attr:`shortfall_note`, else its reason ("pinned out", "ECV not above 0", "no ask").
        Empty for a funded row. The downloads (CSV, JSON) carry it beside ``reason``."""
        if self.funded:
            return ""
        return self.shortfall_note or self.reason_label


@dataclass
class BucketRow:
    bucket: str
    target_share: Decimal | None
    target: Decimal | None
    funded_ask: Decimal


@dataclass
class Plan:
    request: PlanRequest
    rows: list[PlanRow]
    buckets: list[BucketRow]
    funded_ask: Decimal
    funded_ecv: Decimal
    annuity: Decimal
    waterline_after: int | None = None  # rank of the last row above the waterline
    extra: dict = field(default_factory=dict)

    @property
    def unspent(self) -> Decimal:
        return self.request.budget - self.funded_ask

    @property
    def ranked(self) -> list[PlanRow]:
        return [row for row in self.rows if row.rank is not None]

    @property
    def funded_keys(self) -> list[str]:
        return [row.key for row in self.rows if row.funded]

    def as_json(self) -> dict:
        """The shape of ``portfolio_plan --format json`` (planning.md)."""
        request = self.request
        return {
            "as_of": request.as_of.isoformat(),
            "budget": float(round_money(request.budget)),
            "horizon": request.horizon,
            "discount_rate": float(request.discount_rate),
            "probabilities": request.probabilities,
            "funded_ask": float(round_money(self.funded_ask)),
            "unspent": float(round_money(self.unspent)),
            "funded_ecv": float(round_money(self.funded_ecv)),
            "buckets": [
                {
                    "bucket": b.bucket,
                    "target_share": None if b.target_share is None else float(b.target_share),
                    "target": None if b.target is None else float(round_money(b.target)),
                    "funded_ask": float(round_money(b.funded_ask)),
                }
                for b in self.buckets
            ],
            "projects": [
                {
                    "key": row.key,
                    "bucket": row.bucket,
                    "gate": row.gate,
                    "probability": float(round_ratio(row.probability)),
                    "ask": float(round_money(row.ask)),
                    "ecv": None if row.ecv is None else float(round_money(row.ecv)),
                    "pi": None if row.pi is None else float(round_ratio(row.pi)),
                    "rank": row.rank,
                    "funded": row.funded,
                    "reason": row.reason,
                    "why_not_funded": row.why_not_funded,
                    "no_estimate": row.no_estimate,
                }
                for row in self.rows
            ],
        }


def _check_pins(request: PlanRequest, candidate_keys: set[str]) -> None:
    """A pinned key must name a project, and one pinned in a project the plan may fund
    (pinning out one it would not fund anyway changes nothing and is let be)."""
    unknown = [key for key in (*request.pin_in, *request.pin_out) if key not in candidate_keys]
    if not unknown:
        return
    found = dict(Project.objects.filter(key__in=unknown).values_list("key", "status"))
    missing = [key for key in unknown if key not in found]
    if missing:
        field_name = "pin_in" if missing[0] in request.pin_in else "pin_out"
        raise DomainError(f"Pinned: no project has the key {', '.join(missing)}.", field=field_name)
    for key in request.pin_in:
        if key in found:
            status = found[key]
            why = (
                f"was not active on {request.as_of:%Y-%m-%d}"
                if status == ACTIVE
                else f"is {STATUS_LABELS[status].lower()}"
            )
            raise DomainError(
                f"Pinned in: {key} {why}, and the plan funds only active projects: unpin it.",
                field="pin_in",
            )


def compute(request: PlanRequest, inputs: Inputs | None = None) -> Plan:
    """The plan for ``request``; DomainError for unknown pins or pinned asks over budget."""
    inputs = inputs if inputs is not None else cached_inputs(request.as_of)
    _check_pins(request, {c.key for c in inputs.candidates})
    annuity = annuity_factor(request.horizon, request.discount_rate)
    ctx = decimal_context()

    rows: list[PlanRow] = []
    for c in inputs.candidates:
        record = inputs.calibration_of(c.product_manager)
        calibrated = c.calibrated_probability
        probability = calibrated if request.calibrated else c.probability
        ask = c.ask or Decimal(0)
        ecv = pi = None
        if ask > 0:
            ecv = expected_commercial_value(
                probability=probability,
                value=c.value,
                ask=ask,
                estimate=c.estimate,
                annuity=annuity,
            )
            pi = ctx.divide(ecv, ask)
        rows.append(
            PlanRow(
                key=c.key,
                title=c.title,
                bucket=c.bucket,
                gate=c.gate,
                product_manager=c.product_manager,
                raw_probability=c.probability,
                calibrated_probability=calibrated,
                calibration=record,
                probability=probability,
                ask=ask,
                ecv=ecv,
                pi=pi,
                no_estimate=c.estimate is None,
            )
        )

    ranked = sorted((r for r in rows if r.pi is not None), key=lambda r: (-r.pi, r.key))
    unranked = sorted((r for r in rows if r.pi is None), key=lambda r: r.key)
    for rank, row in enumerate(ranked, start=1):
        row.rank = rank
    funded_ask = _fund(request, ranked)

    running_ask = running_ecv = running_funded = Decimal(0)
    waterline_after = None
    for row in ranked:
        running_ask += row.ask
        running_ecv += row.ecv
        running_funded += row.ask if row.funded else Decimal(0)
        row.cumulative_ask, row.cumulative_ecv = running_ask, running_ecv
        row.cumulative_funded = running_funded
        row.below_waterline = running_ask > request.budget
        if not row.below_waterline:
            waterline_after = row.rank

    buckets = []
    for bucket in BUCKETS:
        share = request.targets.get(bucket, Decimal(0)) if request.has_targets else None
        buckets.append(
            BucketRow(
                bucket=bucket,
                target_share=share,
                target=None if share is None else ctx.multiply(request.budget, share),
                funded_ask=sum(
                    (r.ask for r in ranked if r.funded and r.bucket == bucket), Decimal(0)
                ),
            )
        )
    return Plan(
        request=request,
        rows=ranked + unranked,
        buckets=buckets,
        funded_ask=funded_ask,
        funded_ecv=sum((r.ecv for r in ranked if r.funded), Decimal(0)),
        annuity=annuity,
        waterline_after=waterline_after,
    )


def _pins_over_budget(pinned: list[PlanRow], total: Decimal, budget: Decimal) -> str:
    """The refusal of pinned-in asks over the budget, amounts written as the page writes them."""
    over = f"more than the budget of {money_cents(round_money(budget))}."
    if len(pinned) == 1:
        return f"Pinned in: {pinned[0].key} asks {money_cents(round_money(total))}, {over}"
    keys = [row.key for row in pinned]
    named = f"{', '.join(keys[:-1])} and {keys[-1]}"
    return f"Pinned in: the asks of {named} add up to {money_cents(round_money(total))}, {over}"


def _fund(request: PlanRequest, ranked: list[PlanRow]) -> Decimal:
    """Mark each ranked row funded or not, with its reason; the total funded ask."""
    pinned_out = set(request.pin_out)
    pinned_in = set(request.pin_in) - pinned_out
    eligible: list[PlanRow] = []
    for row in ranked:
        if row.key in pinned_out:
            row.reason = PINNED_OUT
        elif row.key in pinned_in:
            row.reason, row.funded = PINNED_IN, True
        elif row.ecv <= 0:
            row.reason = NEGATIVE_ECV
        else:
            row.reason = OVER_BUDGET  # until funded below
            eligible.append(row)
    pinned = [r for r in ranked if r.funded]
    pinned_total = sum((r.ask for r in pinned), Decimal(0))
    if pinned_total > request.budget:
        raise DomainError(_pins_over_budget(pinned, pinned_total, request.budget), field="pin_in")
    left = request.budget - pinned_total
    # Funded before the final walk (pinned in, then within the bucket targets): the money a
    # project ranked above them may find gone at its turn.
    funded_first = list(pinned)
    bucket_at_turn: dict[str, tuple[Decimal, Decimal]] = {}  # key: (target, what it had left)

    def fund(row: PlanRow) -> None:
        nonlocal left
        row.funded, row.reason = True, FUNDED
        left -= row.ask

    if request.has_targets:
        for bucket in BUCKETS:
            share = request.targets.get(bucket, Decimal(0))
            target = request.budget * share
            bucket_left = target - sum(
                (r.ask for r in ranked if r.reason == PINNED_IN and r.bucket == bucket), Decimal(0)
            )
            for row in eligible:
                if row.bucket != bucket:
                    continue
                if row.ask <= bucket_left and row.ask <= left:
                    fund(row)
                    funded_first.append(row)
                    bucket_left -= row.ask
                else:
                    bucket_at_turn[row.key] = (target, bucket_left)
    # Without targets this is the whole walk; with them it is the second pass over what is left.
    for row in eligible:
        if row.funded:
            continue
        if row.ask <= left:
            fund(row)
            continue
        target, bucket_left = bucket_at_turn.get(row.key, (None, None))
        row.shortfall = Shortfall(
            budget=request.budget,
            pinned_total=pinned_total,
            budget_left=left,
            bucket_target=target,
            bucket_left=bucket_left,
            funded_first=tuple(
                sorted((r for r in funded_first if r.rank > row.rank), key=lambda r: r.rank)
            ),
        )
    return request.budget - left
