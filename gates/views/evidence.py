"""What a gate review judges, shown on the review page itself.

Gate 1 judges the proposal; later gates judge their deliverables; every gate after
the first also weighs the decision before it (its rationale and the kill criteria
it registered). All of it comes from what the review page has already read: no
query of its own.
"""

from __future__ import annotations

from gates.models import Gate, GateDecision
from portfolio.models import Project
from portfolio.process import DELIVERABLES, FIRST_GATE


def for_review(
    project: Project, gate: Gate | None, decisions: list[GateDecision], by_kind: dict
) -> dict:
    """The evidence sections: the proposal, the written deliverables, the previous decision."""
    required = {r.kind for r in gate.required_deliverables.all()} if gate else set()
    written = [
        {
            "kind": d.kind,
            "label": d.label,
            "deliverable": by_kind[d.kind],
            "required": d.kind in required,
        }
        for d in DELIVERABLES
        if by_kind.get(d.kind) is not None
    ]
    written.sort(key=lambda row: not row["required"])
    at_first_gate = gate is not None and gate.number == FIRST_GATE and not project.is_closed
    return {
        # Gate 1 is judged on the proposal: it is open; later it is there, folded.
        "proposal_open": at_first_gate,
        "deliverables": written,
        # The decision this review follows (a closed project shows its last one elsewhere).
        "previous": decisions[0] if decisions and not project.is_closed else None,
    }
