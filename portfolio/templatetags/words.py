"""Filters for words people and the app write: where a long one may break."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+$")


@register.filter
def breakable(value) -> SafeString:
    """An e-mail address that may break after its "@" and its dots (``<wbr>``), not
    mid-word: on a narrow card "goran.dubois@demo.greenlight" wraps as "goran.dubois@ /
    demo.greenlight", not "goran.dubois@demo.g / reenlight". Anything else is only
    escaped."""
    text = "" if value is None else str(value)
    if not _EMAIL.match(text):
        return escape(text)
    *broken, last = re.split(r"(?<=[@.])", text)
    return format_html_join("", "{}<wbr>", ((part,) for part in broken)) + escape(last)
