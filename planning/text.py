"""A plan for a terminal (``portfolio_plan --format text``) and as CSV cells."""

from __future__ import annotations

from decimal import Decimal

from planning.engine import Plan, round_money, round_ratio
from portfolio.web.csv import formula_safe

CSV_COLUMNS = (
    "rank",
    "key",
    "title",
    "bucket",
    "gate",
    "probability",
    "raw_probability",
    "calibrated_probability",
    "forecasts",
    "bias",
    "ask",
    "ecv",
    "pi",
    "cumulative_ask",
    "funded",
    "reason",
    "why_not_funded",  # the page's words for a project left out; empty for a funded one
    "no_estimate",
)


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_rows(plan: Plan):
    """The header, then one row per candidate in the plan's order.

    Text cells go through ``portfolio.web.csv.formula_safe``, as every CSV the app
    writes: a title or note never runs as a spreadsheet formula. Numbers are written
    as numbers (a negative ECV stays one).
    """
    yield list(CSV_COLUMNS)
    for row in plan.rows:
        yield [
            _plain(row.rank),
            formula_safe(row.key),
            formula_safe(row.title),
            row.bucket,
            _plain(row.gate),
            _plain(round_ratio(row.probability)),
            _plain(round_ratio(row.raw_probability)),
            _plain(round_ratio(row.calibrated_probability)),
            _plain(row.calibration.forecasts),
            _plain(round_ratio(row.calibration.bias)),
            _plain(round_money(row.ask)),
            _plain(None if row.ecv is None else round_money(row.ecv)),
            _plain(None if row.pi is None else round_ratio(row.pi)),
            _plain(None if row.cumulative_ask is None else round_money(row.cumulative_ask)),
            _plain(row.funded),
            row.reason,
            formula_safe(row.why_not_funded),
            _plain(row.no_estimate),
        ]


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{round_money(value):,}"


def _waterline(row) -> str:
    """As the page says it: with bucket targets or pins not all the asks above are funded."""
    if row.cumulative_funded == row.cumulative_ask:
        return "waterline: the budget runs out here"
    return (
        f"waterline: the asks above add up to {_money(row.cumulative_ask)}, "
        f"{_money(row.cumulative_funded)} of them funded (targets and pins come first; "
        "each project left out says why)"
    )


def plan_to_text(plan: Plan) -> str:
    request = plan.request
    lines = [
        f"Plan as of {request.as_of.isoformat()}: budget {_money(request.budget)}, "
        f"{request.horizon} years at {(request.discount_rate * 100).normalize():f}%, "
        f"{request.probabilities} probabilities",
        f"Funded {_money(plan.funded_ask)} ({len(plan.funded_keys)} projects), "
        f"unspent {_money(plan.unspent)}, funded ECV {_money(plan.funded_ecv)}",
        "",
    ]
    for bucket in plan.buckets:
        target = "" if bucket.target is None else f" of a target of {_money(bucket.target)}"
        lines.append(f"  {bucket.bucket:<13} funded {_money(bucket.funded_ask)}{target}")
    lines.append("")
    header = f"{'rank':>4}  {'key':<14} {'bucket':<13} gate {'p':>6} {'ask':>14} {'ECV':>16} {'PI':>9}  reason"
    lines.append(header)
    for row in plan.rows:
        pi = "—" if row.pi is None else f"{round_ratio(row.pi)}"
        flag = " (no estimate)" if row.no_estimate else ""
        lines.append(
            f"{row.rank or '':>4}  {row.key:<14} {row.bucket:<13} {row.gate:>4} "
            f"{round_ratio(row.probability):>6} {_money(row.ask):>14} {_money(row.ecv):>16} "
            f"{pi:>9}  {row.reason}{flag}"
        )
        if row.shortfall is not None:
            lines.append(f"{'':>6}{row.shortfall_note}")
        if row.rank is not None and row.rank == plan.waterline_after:
            lines.append("  " + "~" * 40 + " " + _waterline(row))
    return "\n".join(lines) + "\n"
