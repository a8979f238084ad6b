"""Small formatting filters of the portfolio pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def short_label(label: str) -> str:
    """A choice label without its parenthesised gloss: "Revenue (grow existing)" → "Revenue"."""
    return str(label).split(" (", 1)[0]
