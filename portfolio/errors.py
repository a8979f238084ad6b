"""The domain's errors, and the one place that puts them in front of a person.

A service raises ``DomainError`` (a rule says no, with a message a person can
read) or ``PermissionDenied`` (this actor may not). ``PermissionDenied`` is also
Django's, so a view need not translate it: it becomes the 403 page by itself.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.core import exceptions as django_exceptions

if TYPE_CHECKING:
    from django import forms


class DomainError(Exception):
    """A state change the rules forbid, with a message a user can read.

    ``field`` names the form field the message belongs beside, when there is one. When
    that field is a list, ``item`` is the position (from 1) of the entry the message is
    about and ``part`` the entry's attribute (the third kill criterion's target:
    ``field="kill_criteria", item=3, part="target"``); ``subject`` is the object it is
    about when it is not in the list (a kill criterion left unjudged).

    A change refused for several reasons raises one error that carries each of them in
    ``problems`` (see ``Problems``); ``message`` then says them all, one after another.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        item: int | None = None,
        part: str | None = None,
        subject: Any = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.item = item
        self.part = part
        self.subject = subject
        self.problems: list[DomainError] = [self]

    @classmethod
    def of(cls, problems: list[DomainError]) -> DomainError:
        """One error for ``problems``: the problem itself when there is one."""
        if len(problems) == 1:
            return problems[0]
        error = cls(" ".join(p.message for p in problems), field=problems[0].field)
        error.problems = list(problems)
        return error


class PermissionDenied(DomainError, django_exceptions.PermissionDenied):
    """The actor may not make this change: a 403 wherever it is not caught."""


class Problems:
    """What is wrong with a change, gathered so that one refusal names every problem:
    a person corrects them all at once instead of one per attempt.

    A refusal of permission is not gathered: it goes on up at once.
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, message: str, **where: Any) -> None:
        self.found.append(DomainError(message, **where))

    @contextmanager
    def gather(self):
        """Run a check that raises what it finds: keep its problems and carry on."""
        try:
            yield
        except PermissionDenied:
            raise
        except DomainError as error:
            self.found.extend(error.problems)

    def raise_any(self) -> None:
        if self.found:
            raise DomainError.of(self.found)


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal beside the field it names, or above the form.

    A refusal of permission is not a form error: it goes on up, to the 403 page.
    """
    if isinstance(error, PermissionDenied):
        raise error
    for problem in error.problems:
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, problem.message)
