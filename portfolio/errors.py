from __future__ import annotations


class DomainError(Exception):
    """A state change the rules forbid, with a message a user can read.

    ``field`` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The actor may not make this change."""
