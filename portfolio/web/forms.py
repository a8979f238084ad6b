"""The one way every form of the app is drawn: Django's form renderer, pointed at templates/_form/.

``{{ form.field.as_field_group }}`` renders ``_form/field.html`` (label with the
required mark, help text, the server's errors beside the field, the widget with
``aria-invalid`` and ``aria-describedby`` set by Django); ``_form/errors.html`` is the
summary at the top of a refused form, which receives focus (static/js/greenlight.js).
"""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's templates for widgets, ours for a field's group (found through TEMPLATES)."""

    field_template_name = "_form/field.html"
