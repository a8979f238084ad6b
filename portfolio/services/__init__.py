"""Every state change of the portfolio domain: proposals, spend, outcomes (and their
corrections), artifacts.

Each function is atomic, checks the rules and the actor's permission, raises
``DomainError`` with a message a person can read, and writes the audit trail.
Views, the admin and management commands call these; they never write models
themselves. One module per subject; this package re-exports them so that callers
write ``services.record_spend(...)``.
"""

from portfolio.services.adoption import record_adoption
from portfolio.services.artifacts import (
    link_reused_artifact,
    next_artifact_key,
    register_artifact,
)
from portfolio.services.assignments import assign_architect, take_estimate
from portfolio.services.corrections import (
    change_adoption,
    change_outcome,
    delete_adoption,
    delete_outcome,
)
from portfolio.services.notifications import (
    mark_all_read,
    mark_read,
    notify,
    send_daily_digests,
    send_digests,
    set_notification_preferences,
)
from portfolio.services.people import (
    grant_role,
    record_password_change,
    remove_role,
    set_role,
)
from portfolio.services.proposals import (
    CORRECTABLE_FIELDS,
    PROPOSAL_FIELDS,
    correct_project,
    create_proposal,
    delete_draft,
    next_proposal_key,
    save_and_submit_proposal,
    submit_proposal,
    update_proposal,
)
from portfolio.services.spend import (
    change_spend,
    delete_spend,
    recompute_spend_totals,
    record_outcome,
    record_spend,
)

__all__ = [
    "CORRECTABLE_FIELDS",
    "PROPOSAL_FIELDS",
    "assign_architect",
    "change_adoption",
    "change_outcome",
    "change_spend",
    "correct_project",
    "create_proposal",
    "delete_adoption",
    "delete_draft",
    "delete_outcome",
    "delete_spend",
    "grant_role",
    "link_reused_artifact",
    "mark_all_read",
    "mark_read",
    "next_artifact_key",
    "next_proposal_key",
    "notify",
    "recompute_spend_totals",
    "record_adoption",
    "record_password_change",
    "record_outcome",
    "record_spend",
    "register_artifact",
    "remove_role",
    "save_and_submit_proposal",
    "send_daily_digests",
    "send_digests",
    "set_notification_preferences",
    "set_role",
    "submit_proposal",
    "take_estimate",
    "update_proposal",
]
