"""Number formats of the gate pages: money with thousands separators, probabilities as %."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(value) -> str:
    """1234567.5 → "1,234,567.50"; 250000 → "250,000" (cents only when there are any)."""
    if value is None or value == "":
        return "—"
    return floatformat(value, "-2g")


@register.filter
def percent(value) -> str:
    """A fraction as a percentage: 0.4 → "40%", 0.125 → "12.5%"."""
    if value is None or value == "":
        return "—"
    try:
        share = Decimal(value) * 100
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    return f"{floatformat(share, -1)}%"


@register.filter
def share(value) -> str:
    """A percentage already scaled to 0–100: 62.5 → "63%"."""
    if value is None or value == "":
        return "—"
    return f"{floatformat(value, 0)}%"
