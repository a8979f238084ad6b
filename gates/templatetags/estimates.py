"""The cost estimate's page says whose estimate it is, and why a reader may not write it."""

from __future__ import annotations

from django import template

from portfolio import access
from portfolio.reads import worklists

register = template.Library()


@register.inclusion_tag("gates/_estimate_writer.html", takes_context=True)
def estimate_writer(context, project) -> dict:
    """Assigned to whom (or in the shared queue, or not asked for yet); to an architect who
    may not write it, the reason, and Take it while it is theirs to take."""
    user = context["request"].user
    is_architect = user.is_authenticated and user.is_architect
    open_ = not project.is_draft and not project.is_closed
    return {
        "project": project,
        "open": open_,
        "queued": open_ and worklists.in_estimate_queue(project),
        "refusal": access.architecture_estimate_refusal(user, project) if is_architect else None,
        "take": open_ and access.can_take_estimate(user, project),
        "csrf_token": context.get("csrf_token"),
    }
