"""Every state change of the stage-gate process: deliverables, votes and gate decisions.

``record_decision`` is the only way a decision is made in the app. It locks
the project row, so that of two decisions racing on one project exactly one
is recorded and the other is told why it was refused. One module per subject;
this package re-exports them so that callers write ``services.record_decision(...)``.
"""

from gates.services.decisions import check_decision, record_decision
from gates.services.deliverables import (
    missing_deliverables,
    present_deliverables,
    save_architecture_estimate,
    save_business_case,
    save_feasibility_study,
)
from gates.services.scorecards import (
    Score,
    scorecard_maximum,
    scorecard_total,
    unmet_message,
    unmet_must_meet,
)
from gates.services.votes import (
    KillMark,
    NewKillCriterion,
    cast_vote,
    gatekeepers,
    has_voted,
    is_gatekeeper,
    may_open_review,
    my_open_vote,
    open_votes,
    pending_kill_criteria,
    project_architect,
    review_gate,
    send_vote_reminders,
    vote_values,
)

__all__ = [
    "KillMark",
    "NewKillCriterion",
    "Score",
    "cast_vote",
    "check_decision",
    "gatekeepers",
    "has_voted",
    "is_gatekeeper",
    "may_open_review",
    "my_open_vote",
    "open_votes",
    "pending_kill_criteria",
    "project_architect",
    "review_gate",
    "send_vote_reminders",
    "vote_values",
    "missing_deliverables",
    "present_deliverables",
    "record_decision",
    "save_architecture_estimate",
    "save_business_case",
    "save_feasibility_study",
    "scorecard_maximum",
    "scorecard_total",
    "unmet_message",
    "unmet_must_meet",
]
