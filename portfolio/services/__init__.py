"""Every state change of the portfolio domain: proposals, spend, outcomes, artifacts.

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
from portfolio.services.notifications import notify
from portfolio.services.proposals import (
    PROPOSAL_FIELDS,
    create_proposal,
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
    "PROPOSAL_FIELDS",
    "change_spend",
    "create_proposal",
    "delete_spend",
    "link_reused_artifact",
    "next_artifact_key",
    "notify",
    "recompute_spend_totals",
    "record_adoption",
    "record_outcome",
    "record_spend",
    "register_artifact",
    "submit_proposal",
    "update_proposal",
]
