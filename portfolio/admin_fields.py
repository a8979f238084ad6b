"""The admin's number fields read numbers as the app's forms do: ``1_000`` and ``１０００``
are refused with the field's own message ("Enter a whole number.", "Enter a number."),
as ``portfolio.forms.RefusesDigitSeparators`` refuses them on the pages, and ``1e6`` with
"Amount: write the number in plain digits, e.g. 1000000 (not 1e6)." (the field's label),
as ``portfolio.forms.RefusesExponents`` does.

Django's IntegerField, DecimalField and FloatField read with Python's int, Decimal and
float, which take both as 1000 (``portfolio.money.digits_as_typed``); Decimal and float
read ``1e6`` as 1,000,000 (``portfolio.money.written_with_exponent``). The admin site
(``AdminSite``, the project's ``admin.site`` through ``portfolio.apps.AdminConfig``) gives
every model admin registered on it, Greenlight's, Django's and the packages', and every
inline of theirs, ``PlainNumbersAdmin``: each number field of every form they build, the
model's fields and any a form declares, refuses what the pages refuse. A new admin class
gets it by being registered; it needs no base class.

A related object chosen by its id, a raw-id field (``raw_id_fields``: the id typed in a text
box beside the magnifier), an autocomplete or a select, is a ``ModelChoiceField`` whose
lookup reads the id with int() too: ``5_0`` and ``５０`` chose object 50. Such a field
whose key is a number refuses them as well ("Select a valid choice: “5_0” is not an id
…"), one id or several (a many-to-many raw-id field's comma-separated ids). An id
written with an exponent (``5e1``) is refused as before, by the lookup's int() ("Select a
valid choice. That choice is not one of the available choices."): int() reads none.

The admin's URLs read an id too: ``/admin/<app>/<model>/5_0/change/`` (and the history,
delete and password pages, the "view on site" link ``/admin/r/…``) is answered as for an
id that does not exist, and a change list's filter in the query string given such a number
(``?project__id__exact=5_0``, a list filter's, a date hierarchy's year) as a lookup Django
cannot read (the list without filters, ``?e=1``). A raw-id field's box names no object
beside an id it refused, and a refused field gets one message, not the model's own besides
("Choose the person who judges this gate.", the model having seen the field empty).

The ids a change list's action is sent (``_selected_action``, the boxes ticked) are read
the same way: one written otherwise and the action acts on none of them, with a message,
where ``5_0`` deleted record 50. A page number (``?p=1_0``, a change list's or an object's
history) is read as Django reads ``?p=abc``: the first page, not page 10.

Dates and times are typed in the digits 0-9 too: a date field of an admin form (a date and
time's two boxes included) refuses ``２０２６-11-03`` with its own "Enter a valid date.", as
the pages' ``portfolio.forms.DateField`` does, and says in the pages' words why a day written
YYYY-MM-DD is none ("“2026-02-30” is not a date (February has 28 days in 2026)."); a change
list's filter on a date (``?spent_on__gte=２０２６-１１-０３``, a date list filter's) is a
lookup Django cannot read.
"""

from __future__ import annotations

import contextlib
import copy
import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import PAGE_VAR
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.core.paginator import PageNotAnInteger
from django.db import models
from django.db.models.sql.query import Query
from django.http import Http404
from django.utils.translation import gettext

from portfolio.forms import RefusesDigitSeparators, RefusesExponents, not_in_the_calendar
from portfolio.money import digits_as_typed

NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
TEMPORAL_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField)
NUMBER_KEYS = (models.IntegerField, models.DecimalField, models.FloatField)  # AutoField too
TEMPORAL_KEYS = (models.DateField, models.TimeField)  # DateTimeField too
NOT_AN_ID = "Select a valid choice: “%(value)s” is not an id, which is written in the digits 0-9."


class SaysWhyNotADate(RefusesDigitSeparators):
    """An admin's date field (a date and time's date box too): text written YYYY-MM-DD that
    is no day of the calendar says why, as the pages' ``portfolio.forms.DateField`` says it
    ("“2026-02-30” is not a date (February has 28 days in 2026)."), not "Enter a valid
    date."; other text gets the field's own message, as before."""

    def to_python(self, value):
        if isinstance(value, str) and (message := not_in_the_calendar(value.strip())):
            raise ValidationError(message, code="not_in_calendar")
        return super().to_python(value)


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


def _is_a_number(key: models.Field) -> bool:
    """Whether ``key`` (a model's field) holds a number, the field a relation points to
    for a relation (a parent's link of multi-table inheritance, a to_field a key)."""
    while key.is_relation:
        key = key.target_field
    return isinstance(key, NUMBER_KEYS)


def _key_is_a_number(field: forms.ModelChoiceField) -> bool:
    if field.queryset is None:
        return False
    meta = field.queryset.model._meta
    return _is_a_number(meta.get_field(field.to_field_name) if field.to_field_name else meta.pk)


def not_an_id(model: type[models.Model], key: models.Field | None, text) -> bool:
    """Whether ``text``, typed or in a URL as the id of a ``model`` (its ``key``, the
    primary key unless given), is no id because it is not written in the digits 0-9."""
    key = model._meta.pk if key is None else key
    return isinstance(text, str) and not digits_as_typed(text) and _is_a_number(key)


def _compared_field(model: type[models.Model], lookup: str) -> tuple[models.Field, str] | None:
    """The field a change list's filter ``lookup`` (``project__id__exact``,
    ``spent_on__year``) compares its value with, after its transforms (a date's ``year``
    is a number), and the lookup's last word; None when Django cannot read it."""
    query = Query(model)
    try:
        words, path, _ = query.solve_lookup_type(lookup)
        _, _, targets, _ = query.names_to_path(list(path), model._meta)
    except FieldError:
        return None
    if len(targets) != 1:
        return None
    field, last = targets[0], "exact"
    for word in words:
        transform = field.get_transform(word)
        if transform is None:
            last = word  # the lookup itself (exact, in, gte, isnull ...)
            break
        output = getattr(transform, "output_field", None)
        if isinstance(output, models.Field):  # a class's own, as Extract's IntegerField
            field = output
    return field, last


def _mixin_for(field: forms.Field) -> type | None:
    """The refusing mixin ``field`` needs, or None (it has it, or reads no number)."""
    if isinstance(field, NUMBER_FIELDS):
        return None if isinstance(field, RefusesExponents) else RefusesExponents
    if isinstance(
        field, RefusesDigitSeparators | RefusesDigitSeparatorsInId | RefusesDigitSeparatorsInIds
    ):
        return None
    if isinstance(field, forms.DateField):
        return SaysWhyNotADate  # "Enter a valid date.", or why a day written so is none
    if isinstance(field, TEMPORAL_FIELDS):
        return RefusesDigitSeparators  # "Enter a valid time." for a time
    if isinstance(field, forms.ModelChoiceField) and _key_is_a_number(field):
        if isinstance(field, forms.ModelMultipleChoiceField):
            return RefusesDigitSeparatorsInIds
        return RefusesDigitSeparatorsInId
    return None


@functools.cache
def _refusing(cls: type, mixin: type) -> type:
    """``cls`` with ``mixin`` first (a field, widget, change list or paginator class), made once."""
    return type(
        cls.__name__,
        (mixin, cls),
        {"__module__": __name__, "__qualname__": f"refusing.{cls.__qualname__}"},
    )


def refuse_digit_separators(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class``, its number fields and its fields choosing an object by a number id
    made to refuse ``1_000`` and ``１０００``, its number fields ``1e6`` too.

    A field a form declares is shared with the form it was declared on: it is copied
    before its class changes, so only this (the admin's own) form class changes.
    """
    fields = form_class.base_fields
    for name, field in fields.items():
        if isinstance(field, forms.MultiValueField):  # a date and a time (SplitDateTimeField)
            if any(_mixin_for(part) for part in field.fields):
                field = copy.deepcopy(field)  # its parts too
                for part in field.fields:
                    mixin = _mixin_for(part)
                    if mixin is not None:
                        part.__class__ = _refusing(type(part), mixin)
                fields[name] = field
            continue
        mixin = _mixin_for(field)
        if mixin is not None:
            field = copy.deepcopy(field)
            field.__class__ = _refusing(type(field), mixin)
            if isinstance(field.widget, ForeignKeyRawIdWidget):
                field.widget.__class__ = _refusing(type(field.widget), NamesNoObjectForANonId)
            fields[name] = field
    if issubclass(form_class, forms.BaseModelForm) and "_update_errors" not in vars(form_class):
        form_class._update_errors = _one_error_a_field(form_class)
    return form_class


def _one_error_a_field(form_class: type[forms.BaseModelForm]):
    """The model's own check's messages (``Model.clean``) for a field the form refused are
    left out: the model saw the field empty (its value before), not what was typed, and
    said so beside the form's message ("Choose the person who judges this gate." beside
    "“5_0” is not an id …"). Its messages for other fields and the whole row are kept."""
    update_errors = form_class._update_errors

    def _update_errors(self, errors: ValidationError) -> None:
        if hasattr(errors, "error_dict"):
            kept = {
                field: messages
                for field, messages in errors.error_dict.items()
                if field == NON_FIELD_ERRORS or field not in self._errors
            }
            if not kept:
                return
            errors = ValidationError(kept)
        update_errors(self, errors)

    return _update_errors


class NamesNoObjectForANonId:
    """A raw-id widget: beside a refused id (``5_0``) it names no object, where its label's
    lookup read it as 50 and named object 50."""

    def label_and_url_for_value(self, value):
        if isinstance(value, str) and not digits_as_typed(value):
            return "", ""
        return super().label_and_url_for_value(value)


def _written_in_digits(field: models.Field) -> bool:
    """Whether a value for ``field`` is written in the digits 0-9: a number or a date."""
    return _is_a_number(field) or isinstance(field, TEMPORAL_KEYS)


class ChangeListReadsPlainIds:
    """A change list whose filters in the query string (``?project__id__exact=5_0``, a
    list filter's, a date hierarchy's ``spent_on__year=2_026``, a date's
    ``spent_on__gte=２０２６-１１-０３``) refuse a number or a date not written in the digits
    0-9, as Django refuses a value its field cannot read: the admin sends the list back
    without filters (``?e=1``). Its page number ``?p=1_0`` is read as ``?p=abc`` is, the
    first page, where int() read it as page 10."""

    def get_filters(self, request):
        found = super().get_filters(request)  # first: Django refuses a lookup not allowed
        for lookup, values in self.get_filters_params().items():
            compared = _compared_field(self.model, lookup)
            if compared is None or compared[1] == "isnull":
                continue
            if not _written_in_digits(compared[0]):
                continue
            for value in values:
                if isinstance(value, str) and not digits_as_typed(value):
                    raise IncorrectLookupParameters(f"{lookup}: {value!r} is not in digits 0-9")
        return found

    def get_results(self, request):  # called by __init__, page_num read with int() before
        if not digits_as_typed(str(request.GET.get(PAGE_VAR, "1"))):
            self.page_num = 1  # as Django reads ?p=abc
        super().get_results(request)


class ReadsPlainPageNumbers:
    """A paginator for which a page number not written in the digits 0-9 (``1_0``) is not
    a number, as ``abc`` is: ``get_page`` gives the first page (an object's history)."""

    def validate_number(self, number):
        if isinstance(number, str) and not digits_as_typed(number):
            raise PageNotAnInteger(self.error_messages["invalid_page"])
        return super().validate_number(number)


def not_ids_message(refused: list[str]) -> str:
    """What a change list says when an action was sent ``refused``, ids written otherwise."""
    quoted = ", ".join(f"“{value}”" for value in refused)
    if len(refused) == 1:
        return f"{quoted} is not an id, which is written in the digits 0-9. {NOTHING_CHANGED}"
    return f"{quoted} are not ids, which are written in the digits 0-9. {NOTHING_CHANGED}"


NOTHING_CHANGED = "No items have been changed."


class PlainNumbersAdmin:
    """For a ModelAdmin or an InlineModelAdmin: the forms it builds (add, change, its
    inlines' rows, the change list's editable columns) refuse ``1_000`` and ``１０００``;
    for a ModelAdmin, so do the ids of its URLs (``/admin/…/5_0/change/`` is as an id that
    does not exist), the filters and page number of its change list, the ids its actions
    are sent and the page number of an object's history."""

    def response_action(self, request, queryset, *args, **kwargs):
        """An action sent an id written otherwise (``_selected_action=5_0``) acts on none
        of the ids it was sent: the list again, with a warning, as for none ticked."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        refused = [value for value in selected if not_an_id(self.model, None, value)]
        if refused:
            self.message_user(request, not_ids_message(refused), messages.WARNING)
            return None
        return super().response_action(request, queryset, *args, **kwargs)

    def get_paginator(self, request, queryset, per_page, *args, **kwargs):
        paginator = super().get_paginator(request, queryset, per_page, *args, **kwargs)
        paginator.__class__ = _refusing(type(paginator), ReadsPlainPageNumbers)
        return paginator

    def get_object(self, request, object_id, from_field=None):
        key = None if from_field is None else self.model._meta.get_field(from_field)
        if not_an_id(self.model, key, object_id):
            return None  # the admin says "… with ID “5_0” doesn’t exist", or a 404
        return super().get_object(request, object_id, from_field)

    def get_changelist(self, request, **kwargs):
        return _refusing(super().get_changelist(request, **kwargs), ChangeListReadsPlainIds)

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

    def get_urls(self):
        urls = super().get_urls()
        for url in urls:
            if getattr(url, "name", None) == "view_on_site":  # /admin/r/<type id>/<id>/
                url.callback = functools.update_wrapper(
                    self.admin_view(_view_on_site), url.callback
                )
        return urls


def _view_on_site(request, content_type_id, object_id):
    """Django's "view on site" redirect (``contenttypes.views.shortcut``) answering a
    content type's id or an object's id not written in the digits 0-9 with its 404 for
    one that does not exist; it read ``5_0`` as 50."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    def does_not_exist():
        return Http404(
            gettext("Content type %(ct_id)s object %(obj_id)s doesn’t exist")
            % {"ct_id": content_type_id, "obj_id": object_id}
        )

    if not_an_id(ContentType, None, content_type_id):
        raise does_not_exist()
    model = None
    with contextlib.suppress(ContentType.DoesNotExist, ValueError, ValidationError):
        model = ContentType.objects.get(pk=content_type_id).model_class()  # or Django's 404
    if model is not None and not_an_id(model, None, object_id):
        raise does_not_exist()
    return shortcut(request, content_type_id, object_id)
