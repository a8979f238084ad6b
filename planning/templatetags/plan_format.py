"""How the planner writes its numbers: rounded as the CLI rounds them (halves away from zero),
a negative one with the typographic minus as every page writes it (``numbers.minus``): PI
−0.4000, ECV EUR −1,280.00. The data-* attributes take the ``plan_raw_*`` filters, ASCII."""

from __future__ import annotations

from decimal import Decimal

from django import template

from planning.access import can_set_next_stage_ask
from planning.engine import round_money, round_ratio
from portfolio.templatetags.numbers import minus, money_cents, signed_bias

register = template.Library()


@register.filter
def plan_money(value) -> str:
    """To the cent, with the currency, as numbers.money_cents writes it: EUR 429,160.03."""
    return money_cents(None if value is None else round_money(Decimal(value)))


@register.filter
def plan_raw_money(value) -> str:
    return "" if value is None else f"{round_money(Decimal(value)):f}"


@register.filter
def plan_raw_ratio(value) -> str:
    """A probability or productivity index to 4 decimals, for a data-* attribute: -0.4000."""
    return "" if value is None else f"{round_ratio(Decimal(value)):f}"


@register.filter
def plan_ratio(value) -> str:
    """A probability or productivity index to 4 decimals."""
    if value is None:
        return "—"
    return minus(f"{round_ratio(Decimal(value)):f}")


@register.filter
def plan_pct(value) -> str:
    """A probability as a percentage with one decimal: 52.4%."""
    if value is None or value == "":
        return "—"
    return minus(f"{(Decimal(value) * 100).quantize(Decimal('0.1'))}") + "%"


@register.filter
def plan_share(value) -> str:
    """A setting typed as a fraction, exactly as typed: a bucket target's share of the budget
    (40.0%, 12.5%, 33.33%; at most four decimals, planning.inputs) or the discount rate
    (7.25%, which one decimal would show as 7.3%)."""
    if value is None or value == "":
        return "—"
    percent = Decimal(value) * 100
    if percent == percent.quantize(Decimal("0.1")):
        return minus(f"{percent.quantize(Decimal('0.1'))}") + "%"
    return minus(f"{percent.normalize():f}") + "%"


@register.filter
def signed(value) -> str:
    """A calibration bias with its sign, 4 decimals: +0.0238, −0.0120."""
    return signed_bias(value)


@register.filter
def ask_editable_by(project, user) -> bool:
    """``{% if project|ask_editable_by:user %}``: may this person set the next-stage ask?"""
    return can_set_next_stage_ask(user, project)


@register.filter
def setting_parts(settings: dict) -> list:
    """``{% for part in scenario.settings|setting_parts %}``: its settings in the list's
    words (``planning.text.settings_parts``, which the compare page uses too)."""
    from planning.text import settings_parts

    return settings_parts(settings)
