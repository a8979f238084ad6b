"""Unsaved text kept in the browser tab while a long form is written (static/js/drafts.js).

A form opts in with ``data-draft="{% draft_key 'business-case' project.key %}"``: the key
names the signed-in person, the form and its object, so one person's text is never offered
to another who signs in on the same tab, nor one project's text on another's form. The
browser keeps the text in ``sessionStorage`` (this tab only, gone when it closes) as it is
typed, and offers it back when the form is opened again without it: after a save that
went to the sign-in page because the session had ended, for instance.

The text is forgotten when the server confirms the save, not when the form is sent (the
save may not happen): the view calls ``saved(request, ...)`` with the form's key parts,
and the next page drawn (its own, or the one the view redirects to) tells the browser
(``{% drafts_saved %}`` in base.html).
"""

from __future__ import annotations

from django.http import HttpRequest

PREFIX = "greenlight-draft"
SAVED_SESSION_KEY = "drafts_saved"


def draft_key(user, form_name: str, *parts) -> str:
    """``greenlight-draft:<user id>:<form>:<object…>``, e.g. ``greenlight-draft:7:business-case:PR-0012``."""
    return ":".join([PREFIX, str(user.pk), form_name, *(str(part) for part in parts)])


def user_prefix(user) -> str:
    """What every key of ``user`` starts with: the browser drops any other person's text."""
    return f"{PREFIX}:{user.pk}:"


def saved(request: HttpRequest, form_name: str, *parts) -> None:
    """The form was saved: the next page drawn tells the browser to forget its kept text."""
    keys = request.session.get(SAVED_SESSION_KEY, [])
    request.session[SAVED_SESSION_KEY] = [*keys, draft_key(request.user, form_name, *parts)]


def take_saved(request: HttpRequest) -> list[str]:
    """The keys saved since the last page was drawn, once (a flash, like a message)."""
    session = getattr(request, "session", None)
    if session is None or SAVED_SESSION_KEY not in session:
        return []
    return session.pop(SAVED_SESSION_KEY)
