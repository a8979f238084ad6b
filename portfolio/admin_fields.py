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

A related object chosen by its id, a raw-id field (``raw_id_fields``: the id typed in a text
box beside the magnifier), an autocomplete or a select, is a ``ModelChoiceField`` whose
lookup reads the id with int() too: ``5_0`` and ``５０`` chose object 50. Such a field
whose key is a number refuses them as well ("Select a valid choice: “5_0” is not an id
…"), one id or several (a many-to-many raw-id field's comma-separated ids).
"""

from __future__ import annotations

import copy
import functools

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from portfolio.forms import RefusesDigitSeparators
from portfolio.money import digits_as_typed

NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
NUMBER_KEYS = (models.IntegerField, models.DecimalField, models.FloatField)  # AutoField too
NOT_AN_ID = "Select a valid choice: “%(value)s” is not an id, which is written in the digits 0-9."


def _refuse_as_id(value) -> None:
    if isinstance(value, str) and not digits_as_typed(value):
        raise ValidationError(NOT_AN_ID, code="invalid_choice", params={"value": value})


class RefusesDigitSeparatorsInId:
    """A ModelChoiceField (a raw-id, autocomplete or select field) whose key is a number:
    ``5_0`` and ``５０`` are no id, where its lookup read them as 50."""

    def to_python(self, value):
        _refuse_as_id(value)
        return super().to_python(value)


class RefusesDigitSeparatorsInIds:
    """The same for a ModelMultipleChoiceField: each of its ids."""

    def _check_values(self, value):
        if isinstance(value, list | tuple | set | frozenset):
            for one in value:
                _refuse_as_id(one)
        return super()._check_values(value)


def _key_is_a_number(field: forms.ModelChoiceField) -> bool:
    if field.queryset is None:
        return False
    meta = field.queryset.model._meta
    key = meta.get_field(field.to_field_name) if field.to_field_name else meta.pk
    while key.is_relation:  # a parent's link (multi-table inheritance), or to_field a key
        key = key.target_field
    return isinstance(key, NUMBER_KEYS)


def _mixin_for(field: forms.Field) -> type | None:
    """The refusing mixin ``field`` needs, or None (it has it, or reads no number)."""
    if isinstance(
        field, RefusesDigitSeparators | RefusesDigitSeparatorsInId | RefusesDigitSeparatorsInIds
    ):
        return None
    if isinstance(field, NUMBER_FIELDS):
        return RefusesDigitSeparators
    if isinstance(field, forms.ModelChoiceField) and _key_is_a_number(field):
        if isinstance(field, forms.ModelMultipleChoiceField):
            return RefusesDigitSeparatorsInIds
        return RefusesDigitSeparatorsInId
    return None


@functools.cache
def _refusing(field_class: type[forms.Field], mixin: type) -> type[forms.Field]:
    return type(
        field_class.__name__,
        (mixin, field_class),
        {"__module__": __name__, "__qualname__": f"refusing.{field_class.__qualname__}"},
    )


def refuse_digit_separators(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class``, its number fields and its fields choosing an object by a number id
    made to refuse ``1_000`` and ``１０００``.

    A field a form declares is shared with the form it was declared on: it is copied
    before its class changes, so only this (the admin's own) form class changes.
    """
    fields = form_class.base_fields
    for name, field in fields.items():
        mixin = _mixin_for(field)
        if mixin is not None:
            field = copy.deepcopy(field)
            field.__class__ = _refusing(type(field), mixin)
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
