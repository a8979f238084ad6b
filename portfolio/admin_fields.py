"""The admin's number fields read numbers as the app's forms do: ``1_000`` and ``１０００``
are refused with the field's own message ("Enter a whole number.", "Enter a number."),
as ``portfolio.forms.RefusesDigitSeparators`` refuses them on the pages.

Django's IntegerField, DecimalField and FloatField read with Python's int, Decimal and
float, which take both as 1000 (``portfolio.money.digits_as_typed``). The admin site
(``AdminSite``, the project's ``admin.site`` through ``portfolio.apps.AdminConfig``) gives
every model admin registered on it, Greenlight's, Django's and the packages', and every
inline of theirs, ``PlainNumbersAdmin``: each number field of every form they build, the
model's fields and any a form declares, refuses what the pages refuse. A new admin class
gets it by being registered; it needs no base class.
"""

from __future__ import annotations

import copy
import functools

from django import forms
from django.contrib import admin

from portfolio.forms import RefusesDigitSeparators

NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


@functools.cache
def _refusing(field_class: type[forms.Field]) -> type[forms.Field]:
    return type(
        field_class.__name__,
        (RefusesDigitSeparators, field_class),
        {"__module__": __name__, "__qualname__": f"refusing.{field_class.__qualname__}"},
    )


def refuse_digit_separators(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class``, its number fields made to refuse ``1_000`` and ``１０００``.

    A field a form declares is shared with the form it was declared on: it is copied
    before its class changes, so only this (the admin's own) form class changes.
    """
    fields = form_class.base_fields
    for name, field in fields.items():
        if isinstance(field, NUMBER_FIELDS) and not isinstance(field, RefusesDigitSeparators):
            field = copy.deepcopy(field)
            field.__class__ = _refusing(type(field))
            fields[name] = field
    return form_class


class PlainNumbersAdmin:
    """For a ModelAdmin or an InlineModelAdmin: the forms it builds (add, change, its
    inlines' rows, the change list's editable columns) refuse ``1_000`` and ``１０００``."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        return refuse_digit_separators(super().get_form(request, obj, change=change, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):  # an inline's rows
        formset = super().get_formset(request, obj, **kwargs)
        refuse_digit_separators(formset.form)
        return formset

    def get_changelist_formset(self, request, **kwargs):
        formset = super().get_changelist_formset(request, **kwargs)
        refuse_digit_separators(formset.form)
        return formset

    def get_inlines(self, request, obj):
        return [plain_numbers(inline) for inline in super().get_inlines(request, obj)]


@functools.cache
def plain_numbers(admin_class: type) -> type:
    """``admin_class`` with ``PlainNumbersAdmin`` mixed in (itself when it has it)."""
    if issubclass(admin_class, PlainNumbersAdmin):
        return admin_class
    return type(
        admin_class.__name__,
        (PlainNumbersAdmin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


class AdminSite(admin.AdminSite):
    """Django's admin site, every model admin registered on it a ``PlainNumbersAdmin``."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = plain_numbers(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)
