"""The stage-gate process, stated once: its gates, decisions, statuses and deliverables.

Everything else reads the process from here: the decision service and the
importer check a decision with :func:`problem_with` and :func:`apply`; the
models take their choices from :data:`DECISIONS`, :data:`STATUSES` and
:data:`DELIVERABLES`; the metrics engine takes a project's status as of a date
from :func:`state_sql`, a SQL ``CASE`` generated from the same
:data:`TRANSITIONS` that :func:`apply` follows. (``gates`` may import
``portfolio``, never the reverse: that is why this module lives here.)

The rules:

- the first decision is at gate 1;
- after ``go`` at gate g < 4 the next decision is at gate g + 1;
- after ``hold`` or ``recycle`` at gate g the next is at gate g again;
- ``go`` at gate 4 (greenlit onto the product roadmap) and ``kill`` at any
  gate end the project.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# --- Gates -------------------------------------------------------------------------


@dataclass(frozen=True)
class GateSpec:
    """A gate as the process defines it; a new database starts with these (admins edit them)."""

    number: int
    name: str
    purpose: str
    # The deliverable kinds a new database requires at this gate.
    requires: tuple[str, ...] = ()


GATE_SPECS = (
    GateSpec(
        1,
        "Exploration",
        "Is the problem worth a feasibility study? Judged on the proposal itself.",
    ),
    GateSpec(
        2,
        "Feasibility",
        "Did the feasibility study support the hypothesis enough to fund research?",
        ("feasibility_study",),
    ),
    GateSpec(
        3,
        "Research",
        "Did research reach the quality bar, at a cost the business can carry in production?",
        ("feasibility_study", "architecture_estimate"),
    ),
    GateSpec(
        4,
        "Roadmap",
        "Put it on the product roadmap: a product team commits to ship it.",
        ("architecture_estimate", "business_case"),
    ),
)
GATES = tuple(gate.number for gate in GATE_SPECS)
FIRST_GATE = GATES[0]
LAST_GATE = GATES[-1]

# --- Decisions and statuses --------------------------------------------------------

GO, KILL, HOLD, RECYCLE = "go", "kill", "hold", "recycle"
DECISIONS = (GO, KILL, HOLD, RECYCLE)
DECISION_LABELS = {GO: "Go", KILL: "Kill", HOLD: "Hold", RECYCLE: "Recycle"}

DRAFT, ACTIVE, ON_HOLD, GREENLIT, KILLED = "draft", "active", "on_hold", "greenlit", "killed"
# Every status a project has, drafts included (a draft is not in the process yet).
STATUS_LABELS = {
    DRAFT: "Draft",
    ACTIVE: "Active",
    ON_HOLD: "On hold",
    GREENLIT: "Greenlit",
    KILLED: "Killed",
}
OPEN_STATUSES = (ACTIVE, ON_HOLD)
CLOSED_STATUSES = (GREENLIT, KILLED)


@dataclass(frozen=True)
class Transition:
    """What a decision does: the status it leaves and where the next decision is.

    ``at_last_gate`` is True or False when the rule depends on the gate, None
    when it holds at any gate. ``next_gate`` is the offset from the decision's
    gate of the next decision (0: the same gate), None when the project is closed.
    """

    decision: str
    at_last_gate: bool | None
    status: str
    next_gate: int | None


TRANSITIONS = (
    Transition(GO, True, GREENLIT, None),
    Transition(GO, False, ACTIVE, 1),
    Transition(KILL, None, KILLED, None),
    Transition(HOLD, None, ON_HOLD, 0),
    Transition(RECYCLE, None, ACTIVE, 0),
)


def transition(gate: int, decision: str) -> Transition:
    for rule in TRANSITIONS:
        if rule.decision == decision and rule.at_last_gate in (None, gate == LAST_GATE):
            return rule
    raise ValueError(f"no rule for {decision!r} at gate {gate!r}")


@dataclass(frozen=True)
class ProcessState:
    """Where a submitted project stands after its decisions so far."""

    status: str = ACTIVE
    current_gate: int | None = FIRST_GATE

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


INITIAL = ProcessState()


def apply(state: ProcessState, gate: int, decision: str) -> ProcessState:
    """The state after ``decision`` at ``gate``; raises ValueError if the rules forbid it."""
    problem = problem_with(state, gate, decision)
    if problem:
        raise ValueError(problem)
    rule = transition(gate, decision)
    next_gate = None if rule.next_gate is None else gate + rule.next_gate
    return ProcessState(rule.status, next_gate)


def problem_with(state: ProcessState, gate: int, decision: str) -> str | None:
    """Why ``decision`` at ``gate`` may not come next, or None when it may."""
    if decision not in DECISIONS:
        return f"unknown decision {decision!r}: use go, kill, hold or recycle"
    if gate not in GATES:
        return f"unknown gate {gate!r}: use 1, 2, 3 or 4"
    if state.status == KILLED:
        return "the project was killed: no decision may follow"
    if state.status == GREENLIT:
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


# --- The same rules in SQL ------------------------------------------------------------


def _literal(value: str) -> str:
    # Only the constants above reach here: plain lower-case words, no quote to escape.
    if not value.replace("_", "").isalpha():
        raise ValueError(f"not a process word: {value!r}")
    return f"'{value}'"


def sql_words() -> dict[str, str]:
    """Every decision kind and status as a SQL string literal, by its own name.

    The metrics engine's templates write ``{greenlit}`` or ``{go}`` for them, so the
    words are stated here only.
    """
    return {word: _literal(word) for word in (*DECISIONS, *STATUS_LABELS)}


def _condition(rule: Transition, decision: str, gate: str) -> str:
    test = f"{decision} = {_literal(rule.decision)}"
    if rule.at_last_gate is True:
        test += f" AND {gate} = {LAST_GATE}"
    elif rule.at_last_gate is False:
        test += f" AND {gate} < {LAST_GATE}"
    return test


def state_sql(decision: str, gate: str, decided_on: str) -> dict[str, str]:
    """SQL expressions for a project's state, given its latest decision's columns.

    ``decision``, ``gate`` and ``decided_on`` name the columns (NULL for a
    project with no decision yet). Returns ``status``, ``current_gate`` (NULL
    once closed), ``closed_gate`` and ``closed_on`` (NULL while open), each a
    ``CASE`` generated from :data:`TRANSITIONS`.
    """
    status = [f"WHEN {decision} IS NULL THEN {_literal(INITIAL.status)}"]
    current = [f"WHEN {decision} IS NULL THEN {INITIAL.current_gate}"]
    closing = []
    for rule in TRANSITIONS:
        condition = _condition(rule, decision, gate)
        status.append(f"WHEN {condition} THEN {_literal(rule.status)}")
        if rule.next_gate is None:
            closing.append(f"({condition})")
        else:
            current.append(f"WHEN {condition} THEN {gate} + {rule.next_gate}")
    closed = " OR ".join(closing)
    return {
        "status": f"CASE {' '.join(status)} END",
        "current_gate": f"CASE {' '.join(current)} END",
        "closed_gate": f"CASE WHEN {closed} THEN {gate} END",
        "closed_on": f"CASE WHEN {closed} THEN {decided_on} END",
    }


# --- Deliverables ---------------------------------------------------------------------


@dataclass(frozen=True)
class Deliverable:
    """A kind of deliverable a gate may require, and everything the app says about it."""

    kind: str
    label: str
    model: str  # "app_label.ModelName" (portfolio reaches it through the app registry)
    relation: str  # the project's reverse one-to-one relation holding it
    author: str  # who writes it, as a role a person reads ("researcher")
    writer: str  # who may write it, in a sentence ("the project's researcher")
    url_name: str  # its edit page

    @property
    def model_name(self) -> str:
        """The model's lower-case name, as in audit actions (``feasibilitystudy.created``)."""
        return self.model.partition(".")[2].lower()


DELIVERABLES = (
    Deliverable(
        "feasibility_study",
        "Feasibility study",
        "gates.FeasibilityStudy",
        "feasibility_study",
        "researcher",
        "the project's researcher",
        "feasibility_study_edit",
    ),
    Deliverable(
        "architecture_estimate",
        "Architecture estimate",
        "gates.ArchitectureEstimate",
        "architecture_estimate",
        "architect",
        "the project's architect",
        "architecture_estimate_edit",
    ),
    Deliverable(
        "business_case",
        "Business case",
        "gates.BusinessCase",
        "pm_business_case",
        "product manager",
        "the project's product manager",
        "business_case_edit",
    ),
)
DELIVERABLES_BY_KIND = {deliverable.kind: deliverable for deliverable in DELIVERABLES}

# An architecture estimate's retraining cadence, as retrains a year (its running cost,
# the planner's ECV and the interchange's ``retrains_per_year`` column all read this).
RETRAINS_PER_YEAR = {"none": 0, "monthly": 12, "quarterly": 4, "semiannual": 2, "annual": 1}

# --- Outcomes ---------------------------------------------------------------------------


def first_outcome_month(greenlit_on: datetime.date) -> datetime.date:
    """The first month a greenlit product's outcome may be recorded for.

    A month counts when the product was greenlit on or before its first day (the
    interchange format's rule, which the outcome service and the importer share): a go
    at the last gate on the 1st counts that month, any later day the month after.
    """
    if greenlit_on.day == 1:
        return greenlit_on
    if greenlit_on.month == 12:
        return datetime.date(greenlit_on.year + 1, 1, 1)
    return datetime.date(greenlit_on.year, greenlit_on.month + 1, 1)
