"""Optimistic concurrency (RFC 9110 §13.1.1): ``ETag`` on a record's GET and PUT, ``If-Match``
on its PUT.

The pages refuse a save from a page drawn before someone else saved the record
(``portfolio.edits``: the hidden ``version_seen``, a digest of the fields the form edits).
The API says the same with HTTP: the ETag is that digest, quoted (a strong validator: the
same fields, the same tag), and a PUT sending it in ``If-Match`` passes it to the service
as the page passes its ``version_seen``. The service compares it with the row it locked,
in its transaction, so of two PUTs sent with the same tag only the first saves; the
second is a 412 that writes nothing. ``If-Match: *`` or none: saved as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from api import problems, schemas
from portfolio import edits
from portfolio.models import AuditEntry

IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        "The ETag of your GET of this record: the change is refused (412, nothing saved) if "
        "the record changed since. Send it; without it (or with *) the last write wins."
    ),
}
# ``openapi_extra`` of a PUT that takes If-Match.
IF_MATCH = {"parameters": [IF_MATCH_PARAMETER]}
# The responses of such a PUT, besides its 200.
PUT_ERRORS = {**schemas.WRITE_ERRORS, 412: problems.Problem}

_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*')
_DIGEST = re.compile(r"[0-9a-f]{20}")
# Passed to the service for a tag that cannot be any record's: it never matches.
_NO_RECORD = "not-a-version"


def etag(values: dict | None) -> str:
    """The ETag of a record whose edited fields hold ``values`` (``edits.values_of``)."""
    return f'"{edits.digest(values)}"'


def tagged(response: HttpResponse, values: dict | None) -> None:
    response["ETag"] = etag(values)


def seen(request: HttpRequest) -> str | None:
    """What the service compares (its ``seen``): the digest ``If-Match`` names; None when
    there is no If-Match or it is ``*`` (nothing to compare). A weak tag, or one that is
    no tag of ours, is passed as a version no record has (a 412: a weak tag never matches
    for If-Match). Several tags or a malformed header: a 400."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = _TAG.fullmatch(header)
    if match is None:
        raise _malformed("If-Match: send one ETag, as the GET gave it (in quotes), or *.")
    weak, tag = match.groups()
    if weak or not _DIGEST.fullmatch(tag):
        return _NO_RECORD
    return tag


def _malformed(detail: str) -> problems.ApiProblem:
    return problems.ApiProblem(400, "invalid-input", "Invalid input", detail, field="If-Match")


@contextmanager
def precondition(
    what: str,
    names: Iterable[str],
    *,
    actions: Iterable[str] = (),
    absent: str | None = None,
) -> Iterator[None]:
    """Around the service call: its ``ChangedSince`` as a 412 whose ``ETag`` is the
    record's now (as the service read it from the locked row).

    ``actions``: audit actions that change the record without naming its fields (a
    vote's); ``absent``: what to say when there is no record now."""
    try:
        yield
    except edits.ChangedSince as error:
        raise changed_since(error, what=what, names=names, actions=actions, absent=absent) from None


def changed_since(
    error: edits.ChangedSince,
    *,
    what: str,
    names: Iterable[str],
    actions: Iterable[str] = (),
    absent: str | None = None,
) -> problems.ApiProblem:
    record, values = error.record, error.values
    said = f"{what[:1].upper()}{what[1:]} changed since it was read"
    last = _last_change(record, set(names), set(actions))
    if values is None:
        said = absent or f"There is no {what.removeprefix('the ')} (it was never written)"
    elif last is not None:
        who = str(last.actor) if last.actor else "someone"
        said += f": last by {who} on {timezone.localtime(last.at):%Y-%m-%d at %H:%M}"
    if values is None:  # nothing to GET (a 404): it is written without If-Match
        detail = f"{said}. Nothing was saved. Send it without If-Match to write it."
    else:
        detail = (
            f"{said}. Nothing was saved. GET it again, and send its new ETag in If-Match to "
            "replace it knowingly."
        )
    return problems.ApiProblem(
        412,
        "changed-since",
        "Changed since it was read",
        detail,
        headers={"ETag": etag(values)},
    )


def _last_change(record, names: set[str], actions: set[str]) -> AuditEntry | None:
    """The latest audit entry that wrote ``record``, changed one of ``names``, or is one of
    ``actions``."""
    if record is None or record.pk is None:
        return None
    found = (
        AuditEntry.objects.filter(object_type=record._meta.label, object_id=str(record.pk))
        .select_related("actor")
        .order_by("-at", "-id")
    )
    for entry in found[:50]:
        if (
            entry.action.endswith(".created")
            or entry.action in actions
            or names & set(entry.changes or {})
        ):
            return entry
    return None
