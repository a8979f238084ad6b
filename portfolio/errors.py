"""The domain's errors, and the one place that puts them in front of a person.

A service raises ``DomainError`` (a rule says no, with a message a person can
read) or ``PermissionDenied`` (this actor may not). ``PermissionDenied`` is also
Django's, so a view need not translate it: it becomes the 403 page by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core import exceptions as django_exceptions

if TYPE_CHECKING:
    from django import forms


class DomainError(Exception):
    """A state change the rules forbid, with a message a user can read.

    ``field`` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError, django_exceptions.PermissionDenied):
    """The actor may not make this change: a 403 wherever it is not caught."""


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it names, or above the form.

    A refusal of permission is not a form error: it goes on up, to the 403 page.
    """
    if isinstance(error, PermissionDenied):
        raise error
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
