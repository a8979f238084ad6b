"""The pure sequence rules of the stage-gate process (portfolio/process.py)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio import process
from portfolio.process import (
    DECISIONS,
    GATES,
    GO,
    HOLD,
    INITIAL,
    KILL,
    RECYCLE,
    ProcessState,
    apply,
    problem_with,
    replay,
)

OPEN_STATES = [ProcessState(status, gate) for status in ("active", "on_hold") for gate in GATES]
CLOSED_STATES = [ProcessState("greenlit", None), ProcessState("killed", None)]


def test_a_new_project_waits_at_gate_1():
    assert ProcessState("active", 1) == INITIAL
    assert not INITIAL.is_closed


@pytest.mark.parametrize("decision", DECISIONS)
def test_the_first_decision_is_at_gate_1(decision):
    assert problem_with(INITIAL, 1, decision) is None
    for gate in (2, 3, 4):
        assert problem_with(INITIAL, gate, decision) == (
            f"the project is waiting at gate 1, not gate {gate}"
        )


@pytest.mark.parametrize("gate", [1, 2, 3])
def test_go_below_the_last_gate_moves_on(gate):
    assert apply(ProcessState("active", gate), gate, GO) == ProcessState("active", gate + 1)
    assert apply(ProcessState("on_hold", gate), gate, GO) == ProcessState("active", gate + 1)


def test_go_at_gate_4_greenlights():
    state = apply(ProcessState("active", 4), 4, GO)
    assert state == ProcessState("greenlit", None)
    assert state.is_closed


@pytest.mark.parametrize("state", OPEN_STATES)
def test_kill_ends_the_project_at_any_gate(state):
    after = apply(state, state.current_gate, KILL)
    assert after == ProcessState("killed", None)
    assert after.is_closed


@pytest.mark.parametrize("state", OPEN_STATES)
def test_hold_stays_at_the_gate(state):
    assert apply(state, state.current_gate, HOLD) == ProcessState("on_hold", state.current_gate)


@pytest.mark.parametrize("state", OPEN_STATES)
def test_recycle_stays_at_the_gate_and_releases_a_hold(state):
    assert apply(state, state.current_gate, RECYCLE) == ProcessState("active", state.current_gate)


@pytest.mark.parametrize(
    ("state", "gate", "decision"),
    [
        (state, gate, decision)
        for state in OPEN_STATES
        for gate, decision in itertools.product(GATES, DECISIONS)
        if gate != state.current_gate
    ],
)
def test_no_decision_at_another_gate_than_the_current_one(state, gate, decision):
    problem = problem_with(state, gate, decision)
    assert problem == f"the project is waiting at gate {state.current_gate}, not gate {gate}"
    with pytest.raises(ValueError, match="waiting at gate"):
        apply(state, gate, decision)


@pytest.mark.parametrize(("gate", "decision"), list(itertools.product(GATES, DECISIONS)))
def test_nothing_follows_a_kill(gate, decision):
    assert problem_with(ProcessState("killed", None), gate, decision) == (
        "the project was killed: no decision may follow"
    )


@pytest.mark.parametrize(("gate", "decision"), list(itertools.product(GATES, DECISIONS)))
def test_nothing_follows_a_greenlight(gate, decision):
    assert "already greenlit" in problem_with(ProcessState("greenlit", None), gate, decision)


@pytest.mark.parametrize("decision", ["", "Go", "approve", None])
def test_an_unknown_decision_is_named(decision):
    assert "unknown decision" in problem_with(INITIAL, 1, decision)


@pytest.mark.parametrize("gate", [0, 5, -1, "1", None])
def test_an_unknown_gate_is_named(gate):
    assert "unknown gate" in problem_with(INITIAL, gate, GO)


def test_replay_walks_a_whole_history():
    history = [(1, HOLD), (1, RECYCLE), (1, GO), (2, GO), (3, RECYCLE), (3, GO), (4, GO)]
    assert replay(history) == ProcessState("greenlit", None)
    assert replay([]) == INITIAL
    assert replay([(1, GO), (2, HOLD)]) == ProcessState("on_hold", 2)


def test_replay_refuses_a_broken_history():
    with pytest.raises(ValueError, match="waiting at gate 2, not gate 3"):
        replay([(1, GO), (3, GO)])
    with pytest.raises(ValueError, match="killed"):
        replay([(1, KILL), (1, RECYCLE)])


def test_the_rules_are_stated_once():
    assert process.LAST_GATE == max(GATES) == 4
    assert set(DECISIONS) == {"go", "kill", "hold", "recycle"}


@given(st.lists(st.tuples(st.sampled_from(GATES), st.sampled_from(DECISIONS)), max_size=30))
def test_any_sequence_either_replays_or_names_its_first_problem(steps):
    state = INITIAL
    for gate, decision in steps:
        problem = problem_with(state, gate, decision)
        if problem:
            with pytest.raises(ValueError):
                apply(state, gate, decision)
            continue
        after = apply(state, gate, decision)
        # Closed states have no gate; open states always have one, never going backwards.
        assert (after.current_gate is None) == after.is_closed
        if not after.is_closed:
            assert after.current_gate >= state.current_gate
        state = after


@given(st.lists(st.sampled_from(DECISIONS), max_size=40))
def test_following_the_current_gate_always_replays(decisions):
    state, history = INITIAL, []
    for decision in decisions:
        if state.is_closed:
            break
        history.append((state.current_gate, decision))
        state = apply(state, state.current_gate, decision)
    assert replay(history) == state


# --- The same rules in SQL, and the table of deliverables ----------------------------------


def _state_in_sql(decision, gate):
    import sqlite3

    sql = process.state_sql("d", "g", "'2026-01-31'")
    row = sqlite3.connect(":memory:").execute(
        f"SELECT {sql['status']}, {sql['current_gate']}, {sql['closed_gate']}, {sql['closed_on']}"  # nosec B608: constants from process
        " FROM (SELECT ? AS d, ? AS g)",
        (decision, gate),
    )
    return row.fetchone()


@pytest.mark.parametrize(("gate", "decision"), list(itertools.product(GATES, DECISIONS)))
def test_the_sql_state_agrees_with_the_rules(gate, decision):
    after = apply(ProcessState("active", gate), gate, decision)
    closed = after.is_closed
    assert _state_in_sql(decision, gate) == (
        after.status,
        after.current_gate,
        gate if closed else None,
        "2026-01-31" if closed else None,
    )


def test_a_project_without_decisions_is_active_at_gate_1_in_sql_too():
    assert _state_in_sql(None, None) == ("active", 1, None, None)


def test_the_deliverable_table_names_the_models_relations_and_pages():
    from django.apps import apps
    from django.urls import reverse

    from portfolio.models import Project

    for deliverable in process.DELIVERABLES:
        model = apps.get_model(deliverable.model)
        field = model._meta.get_field("project")
        assert field.remote_field.related_name == deliverable.relation
        assert Project._meta.get_field(deliverable.relation).related_model is model
        assert reverse(deliverable.url_name, kwargs={"key": "P-1"}).startswith("/")
    required = {kind for gate in process.GATE_SPECS for kind in gate.requires}
    assert required <= set(process.DELIVERABLES_BY_KIND)
