"""A plan for a terminal (``portfolio_plan --format text``) and as CSV cells."""

from __future__ import annotations

from dataclasses import dataclass, replace
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


# --- A scenario's settings in words ---------------------------------------------------------


@dataclass(frozen=True)
class SettingPart:
    """One setting as the scenario list and the compare page write it: ``separator`` goes
    before it unless it comes first; ``differs`` marks it on the compare page."""

    name: str
    text: str
    separator: str
    differs: bool = False


# What each part is called when the compare page says which settings differ.
SETTING_NAMES = {
    "budget": "budget",
    "as_of": "as-of date",
    "horizon": "horizon and rate",
    "probabilities": "probabilities",
    "targets": "bucket targets",
    "pin_in": "pinned in",
    "pin_out": "pinned out",
}
# What a compare column says of a part the other scenario has and this one has not.
SETTING_ABSENT = {
    "targets": "no bucket targets",
    "pin_in": "none pinned in",
    "pin_out": "none pinned out",
}


def settings_parts(settings: dict, *, as_of: bool = False) -> list[SettingPart]:
    """A saved scenario's settings in the list's words, in order: "1 year at 0.0%, raw
    probabilities; targets New category 20.0%; pinned in B; pinned out A" (``as_of``:
    "as of 2026-06-30, " first, where the as-of date has no column of its own)."""
    from planning.templatetags.plan_format import plan_share
    from portfolio.templatetags.numbers import label_of

    parts = []
    if as_of and settings.get("as_of"):
        parts.append(SettingPart("as_of", f"as of {settings['as_of']}", ", "))
    horizon = settings.get("horizon")
    if horizon is not None:
        text = f"{horizon} year{'' if str(horizon) == '1' else 's'}"
        if settings.get("discount_rate"):
            text += f" at {plan_share(settings['discount_rate'])}"
        parts.append(SettingPart("horizon", text, ", "))
    if settings.get("probabilities"):
        parts.append(
            SettingPart("probabilities", f"{settings['probabilities']} probabilities", ", ")
        )
    if targets := settings.get("targets"):
        shares = ", ".join(
            f"{label_of(bucket, 'bucket')} {plan_share(share)}" for bucket, share in targets.items()
        )
        parts.append(SettingPart("targets", f"targets {shares}", "; "))
    for name, said in (("pin_in", "pinned in"), ("pin_out", "pinned out")):
        if keys := settings.get(name):
            parts.append(SettingPart(name, f"{said} {', '.join(keys)}", "; "))
    return parts


def compare_settings(first: dict, second: dict) -> tuple[list, list, list[str]]:
    """Both scenarios' settings parts (``as_of`` included), each marked where it differs
    from the other's, a part only one has set beside the other's "no bucket targets" or
    "none pinned in"; and the names of the settings that differ, budget included."""
    a = {part.name: part for part in settings_parts(first, as_of=True)}
    b = {part.name: part for part in settings_parts(second, as_of=True)}
    order = [name for name in SETTING_NAMES if name in a or name in b]
    differing = [
        name
        for name in order
        if getattr(a.get(name), "text", None) != getattr(b.get(name), "text", None)
    ]

    def side(parts: dict) -> list[SettingPart]:
        shown = []
        for name in order:
            part = parts.get(name)
            if part is None and name in differing and name in SETTING_ABSENT:
                part = SettingPart(name, SETTING_ABSENT[name], "; ")
            if part is not None:
                shown.append(replace(part, differs=name in differing))
        return shown

    budgets = [Decimal(str(s.get("budget") or 0)) for s in (first, second)]
    names = (["budget"] if budgets[0] != budgets[1] else []) + differing
    return side(a), side(b), [SETTING_NAMES[name] for name in names]
