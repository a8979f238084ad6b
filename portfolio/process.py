"""The sequence rules of the stage-gate process, as pure functions.

Shared by the decision service, the importer and the metrics engine's tests,
so that there is one statement of the rules:

- the first decision is at gate 1;
- after ``go`` at gate g < 4 the next decision is at gate g + 1;
- after ``hold`` or ``recycle`` at gate g the next is at gate g again;
- ``go`` at gate 4 and ``kill`` at any gate end the project.
"""

from __future__ import annotations

from dataclasses import dataclass

GO, KILL, HOLD, RECYCLE = "go", "kill", "hold", "recycle"
DECISIONS = (GO, KILL, HOLD, RECYCLE)
GATES = (1, 2, 3, 4)
LAST_GATE = 4


@dataclass(frozen=True)
class ProcessState:
    """Where a submitted project stands after its decisions so far."""

    status: str = "active"  # active, on_hold, greenlit, killed
    current_gate: int | None = 1

    @property
    def is_closed(self) -> bool:
        return self.status in ("greenlit", "killed")


INITIAL = ProcessState()


def apply(state: ProcessState, gate: int, decision: str) -> ProcessState:
    """The state after ``decision`` at ``gate``; raises ValueError if the rules forbid it."""
    problem = problem_with(state, gate, decision)
    if problem:
        raise ValueError(problem)
    if decision == KILL:
        return ProcessState("killed", None)
    if decision == GO:
        if gate == LAST_GATE:
            return ProcessState("greenlit", None)
        return ProcessState("active", gate + 1)
    if decision == HOLD:
        return ProcessState("on_hold", gate)
    return ProcessState("active", gate)  # recycle: another round at the same gate


def problem_with(state: ProcessState, gate: int, decision: str) -> str | None:
    """Why ``decision`` at ``gate`` may not come next, or None when it may."""
    if decision not in DECISIONS:
        return f"unknown decision {decision!r}: use go, kill, hold or recycle"
    if gate not in GATES:
        return f"unknown gate {gate!r}: use 1, 2, 3 or 4"
    if state.status == "killed":
        return "the project was killed: no decision may follow"
    if state.status == "greenlit":
        return "the project is already greenlit onto the roadmap: no decision may follow"
    if gate != state.current_gate:
        return f"the project is waiting at gate {state.current_gate}, not gate {gate}"
    return None


def replay(decisions) -> ProcessState:
    """Apply (gate, decision) pairs in recorded order."""
    state = INITIAL
    for gate, decision in decisions:
        state = apply(state, gate, decision)
    return state
