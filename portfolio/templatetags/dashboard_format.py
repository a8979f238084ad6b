"""How the dashboard writes numbers: short in tiles, exact in tables, "—" for none."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from portfolio.dashboard import charts as dashboard_charts
from portfolio.models import Bucket, Status

register = template.Library()


@register.filter
def money(value) -> str:
    """Exact, to the cent, with thousands separators: 11,203,825.99."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)):,.2f}"


@register.filter
def thousands(value) -> str:
    """A count with thousands separators: 1,155."""
    return f"{value:,}"


@register.filter
def money_short(value) -> str:
    return dashboard_charts.money_short(value)


@register.filter
def pct(value, digits=1) -> str:
    return dashboard_charts.percent(value, int(digits))


@register.filter
def signed_bias(value) -> str:
    """A calibration bias with its sign, 4 decimals, halves away from zero: +0.0238, −0.0120."""
    rounded = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{'−' if rounded < 0 else '+'}{abs(rounded):f}"


@register.filter
def score(value) -> str:
    """A rate or Brier score as the metrics engine rounds it: 4 decimals."""
    if value is None:
        return "—"
    return f"{float(value):.4f}"


@register.filter
def raw(value) -> str:
    """A machine-readable value for data-value attributes: unlocalized, empty for none."""
    if value is None:
        return ""
    return str(value)


@register.filter
def label_of(value: str, choices: str) -> str:
    """The display label of a bucket or a status: ``{{ row.bucket|label_of:"bucket" }}``."""
    labels = {"bucket": dict(Bucket.choices), "status": dict(Status.choices)}[choices]
    return labels.get(value, value)
