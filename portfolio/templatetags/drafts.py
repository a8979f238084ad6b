"""Keys of the unsaved text the browser keeps for a long form (portfolio.web.drafts)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from portfolio.web import drafts

register = template.Library()


@register.simple_tag(takes_context=True)
def draft_key(context, form_name: str, *parts) -> str:
    """``data-draft="{% draft_key 'feasibility-study' project.key %}"``: the signed-in
    person's key for this form and object."""
    return drafts.draft_key(context["user"], form_name, *parts)


@register.simple_tag(takes_context=True)
def drafts_of_user(context) -> str:
    """What the signed-in person's keys start with: the browser drops anyone else's text."""
    return drafts.user_prefix(context["user"])


@register.simple_tag(takes_context=True)
def drafts_saved(context) -> SafeString:
    """A marker for each form saved since the last page: the browser forgets its text."""
    request = context.get("request")
    if request is None or not getattr(request, "user", None):
        return SafeString("")
    keys = drafts.take_saved(request)
    return format_html_join("", '<div hidden data-draft-saved="{}"></div>', ((k,) for k in keys))
