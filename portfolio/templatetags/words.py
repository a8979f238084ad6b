"""Filters for words people and the app write: where a long one may break."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from portfolio.web.forms import labelled

register = template.Library()

# An e-mail address: a word of the text (between spaces, or the whole text) with one "@".
_EMAIL = re.compile(r"(?<!\S)[^\s@]+@[^\s@]+(?!\S)")


def _address(text: str) -> SafeString:
    *broken, last = re.split(r"(?<=[@.])", text)
    return format_html_join("", "{}<wbr>", ((part,) for part in broken)) + escape(last)


@register.filter
def breakable(value) -> SafeString:
    """Text whose e-mail addresses may break after their "@" and their dots (``<wbr>``),
    not mid-word: on a narrow card "goran.dubois@demo.greenlight" wraps as "goran.dubois@ /
    demo.greenlight", not "goran.dubois@demo.g / reenlight". The address may be the whole
    text or a word of it ("Product manager: Bob → goran.dubois@demo.greenlight"); the rest
    is only escaped."""
    text = "" if value is None else str(value)
    pieces, start = [], 0
    for match in _EMAIL.finditer(text):
        pieces += [escape(text[start : match.start()]), _address(match.group())]
        start = match.end()
    pieces.append(escape(text[start:]))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


@register.filter
def person(address, names: dict[str, str] | None) -> SafeString:
    """Someone the numbers name by e-mail address, as the pages name them: by their name
    (``names``: :func:`portfolio.dashboard.forms.people_names`), or by the address, breakable,
    when they have none."""
    text = "" if address is None else str(address)
    return breakable((names or {}).get(text.lower(), text))


@register.filter
def with_label(message, label) -> str:
    """A field's problem in a form's summary: "Label: message", or the message alone when
    it names its field already ("Realized value cannot be negative.")."""
    return labelled(label, message)


@register.filter
def marks_required(form) -> bool:
    """Whether ``form`` shows a field marked * (_form/field.html marks a required field with
    a label, not hidden): then _form/required_note.html says what * means above it."""
    if form is None or not hasattr(form, "visible_fields"):
        return False
    return any(bound.field.required and bound.label for bound in form.visible_fields())
