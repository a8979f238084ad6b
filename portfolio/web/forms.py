"""The one way every form of the app is drawn: Django's form renderer, pointed at templates/_form/.

``{{ form.field.as_field_group }}`` renders ``_form/field.html`` (label with the
required mark, help text, the server's errors beside the field, the widget with
``aria-invalid`` and ``aria-describedby`` set by Django, in the order of ``BoundField``
below); ``_form/errors.html`` is the summary at the top of a refused form, which receives
focus (static/js/greenlight.js).
"""

from __future__ import annotations

import re

from django import forms
from django.forms.renderers import TemplatesSetting


class BoundField(forms.BoundField):
    """A field whose description says what is wrong first, then its help.

    Django names the help, then the error; a screen reader reading a refused field should
    hear the refusal before the hint, and still hear the hint (the decision form's kill
    date: when a kill may be dated). The scorecard's yes/no groups take it too
    (gates/gate_review.html); inputs written out by hand (the plan's, the kill's tick)
    name theirs in the same order.
    """

    @property
    def aria_describedby(self) -> str | None:
        # As Django: an aria-describedby set on the widget is kept as it is.
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        described_by = []
        if self.auto_id and not self.is_hidden:
            if self.errors:
                described_by.append(f"{self.auto_id}_error")
            if self.help_text:
                described_by.append(f"{self.auto_id}_helptext")
        return " ".join(described_by)


class FormRenderer(TemplatesSetting):
    """Django's templates for widgets, ours for a field's group (found through TEMPLATES)."""

    field_template_name = "_form/field.html"
    bound_field_class = BoundField


def _name_of(label: str) -> str:
    """A label without a trailing unit in brackets: "Funding (EUR)" names "funding"."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", label).strip().casefold()


def names_its_field(message: str, label: str) -> bool:
    """Whether ``message`` already starts by naming the field of ``label``: "Realized value
    cannot be negative.", "Realized value: at most 2 decimal places." (the services' and the
    limits' messages, which say what they are about wherever they are shown), or a longer
    name of it before a colon ("Spend amount: …" on the field "Amount")."""
    name, text = _name_of(str(label or "")), str(message).casefold()
    if not name:
        return True
    if text.startswith(name):
        return True
    lead, colon, _ = text.partition(":")
    # Not a text quoted back: "“1e” is not an amount: write it …" does not name "Amount".
    return bool(colon) and len(lead) <= 60 and lead.endswith(" " + name) and "“" not in lead


def labelled(label, message) -> str:
    """A field's problem said away from the field (the summary at the top of a form, a list
    of problems): "Label: message", unless the message names the field already, so that
    no problem reads "Realized value: Realized value: …"."""
    if not label or names_its_field(message, label):
        return str(message)
    return f"{label}: {message}"
