"""For the tests of a replace: the app's projects edited since the files were written.

A replace leaves a project whose rows in the files are what the app holds as it is
(gates.interchange.unchanged); a test of what a replace does to a project first makes
the app's project differ from the files, as an edit in the app would.
"""

from __future__ import annotations

from django.db.models import F

from portfolio.models import Project, Status


def edit_every_project(**filters) -> int:
    """Raise each submitted project's high projection by a cent in the app (those of
    ``filters`` only, if given): the files then hold another value for it, so that a replace
    replaces it. Returns how many were edited."""
    return (
        Project.objects.exclude(status=Status.DRAFT)
        .filter(**filters)
        .update(projected_high=F("projected_high") + 1)
    )
