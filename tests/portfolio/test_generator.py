"""The portfolio generator: sizes, determinism, the format's rules, realism, streaming."""

from __future__ import annotations

import csv
import datetime
import re
import tracemalloc
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portfolio import process
from portfolio.demo.generator import generate_portfolio
from portfolio.demo.people import make_staff
from portfolio.interchange_format import COLUMNS, FILES

END = datetime.date(2026, 3, 15)
KEY = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MONEY = re.compile(r"^\d+(\.\d{1,2})?$")


def read(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def generate(directory: Path, **kw):
    options = {"projects": 200, "spend_rows": 5000, "seed": 7, "end": END}
    options.update(kw)
    return generate_portfolio(directory, **options)


def money(value: str) -> Decimal:
    assert MONEY.match(value), value
    return Decimal(value)


def check_rules(directory: Path, end: datetime.date) -> dict:
    """Every rule of the interchange format; returns what the checks saw."""
    for name in FILES:
        with open(directory / name, newline="", encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == tuple(COLUMNS[name])

    projects = {}
    for row in read(directory, "projects.csv"):
        assert KEY.match(row["key"]) and row["key"] not in projects
        assert 0 < len(row["title"]) <= 200
        assert row["research_type"] in ("applied", "science")
        assert row["bucket"] in ("efficiency", "revenue", "new_category")
        assert "@" in row["researcher"] and "@" in row["product_manager"]
        assert row["value_kind"] in ("revenue", "cost_savings")
        low, expected, high = (
            money(row[c]) for c in ("projected_low", "projected_expected", "projected_high")
        )
        assert 0 <= low <= expected <= high
        assert 0 <= Decimal(row["probability_of_success"]) <= 1
        submitted = datetime.date.fromisoformat(row["submitted_on"])
        assert submitted <= end
        projects[row["key"]] = {**row, "submitted": submitted}

    decisions = defaultdict(list)
    for row in read(directory, "gate_decisions.csv"):
        project = projects[row["project"]]
        decided_on = datetime.date.fromisoformat(row["decided_on"])
        assert project["submitted"] <= decided_on <= end
        assert money(row["funding_granted"]) >= 0
        if row["probability_of_success"]:
            assert 0 <= Decimal(row["probability_of_success"]) <= 1
        if row["decision"] in ("kill", "hold"):
            assert row["rationale"]
        decisions[row["project"]].append((decided_on, int(row["gate"]), row["decision"]))
    states = {}
    for key in projects:
        history = decisions.get(key, [])
        assert [d[0] for d in history] == sorted(d[0] for d in history)
        states[key] = process.replay([(gate, decision) for _, gate, decision in history])
        # An open project asks for its next stage; a closed one asks nothing.
        ask = projects[key]["next_stage_ask"]
        assert (money(ask) >= 0) if not states[key].is_closed else ask == ""
    greenlit_on = {
        key: decisions[key][-1][0] for key, s in states.items() if s.status == "greenlit"
    }

    spend = Counter()
    for row in read(directory, "spend.csv"):
        spent_on = datetime.date.fromisoformat(row["spent_on"])
        assert projects[row["project"]]["submitted"] <= spent_on <= end
        assert money(row["amount"]) > 0
        assert row["category"] in ("people", "compute", "data", "vendor", "other")
        spend[row["category"]] += Decimal(row["amount"])

    months = set()
    for row in read(directory, "outcomes.csv"):
        month = datetime.date.fromisoformat(row["month"])
        assert month.day == 1 and month <= end
        assert row["project"] in greenlit_on
        # "greenlit on or before month": the month's first day, not just its month.
        assert month >= greenlit_on[row["project"]]
        assert money(row["realized_value"]) >= 0
        assert (row["project"], month) not in months
        months.add((row["project"], month))
    return {"projects": projects, "states": states, "spend": spend, "decisions": decisions}


def test_it_writes_the_sizes_asked_for(tmp_path):
    summary = generate(tmp_path, projects=123, spend_rows=4567)

    assert len(read(tmp_path, "projects.csv")) == 123
    assert len(read(tmp_path, "spend.csv")) == 4567
    assert summary.projects == 123 and summary.spend_rows == 4567
    assert len(read(tmp_path, "gate_decisions.csv")) == summary.decisions
    assert len(read(tmp_path, "outcomes.csv")) == summary.outcomes


def test_it_gives_the_same_files_for_the_same_seed(tmp_path):
    generate(tmp_path / "a", seed=11)
    generate(tmp_path / "b", seed=11)
    generate(tmp_path / "c", seed=12)

    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "projects.csv").read_bytes() != (
        tmp_path / "c" / "projects.csv"
    ).read_bytes()


def test_it_gives_the_same_portfolio_shifted_for_another_end_date(tmp_path):
    generate(tmp_path / "a", end=datetime.date(2026, 3, 15))
    generate(tmp_path / "b", end=datetime.date(2026, 3, 25))

    a, b = read(tmp_path / "a", "projects.csv"), read(tmp_path / "b", "projects.csv")
    assert [(r["key"], r["researcher"], r["title"]) for r in a] == [
        (r["key"], r["researcher"], r["title"]) for r in b
    ]
    decisions_a = read(tmp_path / "a", "gate_decisions.csv")
    decisions_b = read(tmp_path / "b", "gate_decisions.csv")
    assert [(r["project"], r["gate"], r["decision"]) for r in decisions_a] == [
        (r["project"], r["gate"], r["decision"]) for r in decisions_b
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_obeys_every_rule_of_the_format(tmp_path, seed):
    generate(tmp_path, seed=seed)

    check_rules(tmp_path, END)


def test_it_copes_with_tiny_and_empty_portfolios(tmp_path):
    generate(tmp_path / "none", projects=0, spend_rows=0)
    generate(tmp_path / "one", projects=1, spend_rows=3, years=0.01)
    generate(tmp_path / "fewer_rows", projects=50, spend_rows=7)

    assert read(tmp_path / "none", "projects.csv") == []
    assert len(read(tmp_path / "one", "spend.csv")) == 3
    assert len(read(tmp_path / "fewer_rows", "spend.csv")) == 7
    for name in ("none", "one", "fewer_rows"):
        check_rules(tmp_path / name, END)


def test_it_refuses_spend_without_projects(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, projects=0, spend_rows=10)


def test_it_looks_like_a_real_portfolio(tmp_path):
    summary = generate(tmp_path, projects=1500, spend_rows=30000, seed=5)
    seen = check_rules(tmp_path, END)
    projects, states = seen["projects"], seen["states"]

    statuses = Counter(s.status for s in states.values())
    assert set(statuses) == {"active", "on_hold", "greenlit", "killed"}
    assert 0.06 <= statuses["greenlit"] / len(projects) <= 0.16
    assert statuses["killed"] > statuses["greenlit"] * 4
    open_gates = Counter(s.current_gate for s in states.values() if s.current_gate)
    assert set(open_gates) == {1, 2, 3, 4}
    # Many kills early in the funnel, fewer later.
    killed_at = Counter(h[-1][1] for h in seen["decisions"].values() if h[-1][2] == "kill")
    assert killed_at[1] > killed_at[2] > killed_at[3] > killed_at[4] > 0
    kinds = Counter(d[2] for history in seen["decisions"].values() for d in history)
    assert kinds["hold"] > 0 and kinds["recycle"] > 0
    # People dominate spend.
    spend = seen["spend"]
    assert spend["people"] > sum(spend.values()) / 2
    assert summary.zombies > 0
    # About ten product managers, forty researchers, a few executives deciding sometimes.
    assert len({p["product_manager"] for p in projects.values()}) == 10
    assert len({p["researcher"] for p in projects.values()}) == 40
    deciders = Counter(r["decided_by"] for r in read(tmp_path, "gate_decisions.csv"))
    executives = set(deciders) - {p["product_manager"] for p in projects.values()}
    assert 1 <= len(executives) <= 3
    assert sum(deciders[e] for e in executives) < summary.decisions / 3


def test_it_spends_zombies_money_after_their_hold(tmp_path):
    generate(tmp_path, projects=1000, spend_rows=20000)
    decisions = read(tmp_path, "gate_decisions.csv")
    last = {}
    for row in decisions:
        last[row["project"]] = row
    last_spend = {}
    for row in read(tmp_path, "spend.csv"):
        last_spend[row["project"]] = max(last_spend.get(row["project"], ""), row["spent_on"])

    held = [key for key, row in last.items() if row["decision"] == "hold"]
    zombies = [key for key in held if last_spend.get(key, "") > last[key]["decided_on"]]
    assert zombies and len(zombies) < len(held)
    # Killed and greenlit projects stop spending on the day they close.
    closed = [
        (key, row)
        for key, row in last.items()
        if row["decision"] == "kill" or (row["decision"] == "go" and row["gate"] == "4")
    ]
    for key, row in closed:
        assert last_spend.get(key, "") <= row["decided_on"]


def test_it_gives_greenlit_projects_outcomes_under_within_and_over(tmp_path):
    generate(tmp_path, projects=1000, spend_rows=1000, seed=9)
    projects = {r["key"]: r for r in read(tmp_path, "projects.csv")}
    months = defaultdict(list)
    for row in read(tmp_path, "outcomes.csv"):
        months[row["project"]].append(Decimal(row["realized_value"]))

    verdicts = Counter()
    for key, values in months.items():
        annualized = 12 * sum(values) / len(values)
        project = projects[key]
        if annualized < Decimal(project["projected_low"]):
            verdicts["under"] += 1
        elif annualized > Decimal(project["projected_high"]):
            verdicts["over"] += 1
        else:
            verdicts["within"] += 1
    assert verdicts["under"] and verdicts["within"] and verdicts["over"]


def test_it_gives_the_featured_people_their_share(tmp_path):
    base = make_staff(3)
    staff = type(base)(
        researchers=base.researchers,
        product_managers=base.product_managers,
        executives=base.executives,
        featured_share=0.25,
    )
    generate(tmp_path, projects=400, staff=staff)

    projects = read(tmp_path, "projects.csv")
    led = sum(p["researcher"] == staff.researchers[0].email for p in projects)
    owned = sum(p["product_manager"] == staff.product_managers[0].email for p in projects)
    assert 80 <= led <= 140 and 80 <= owned <= 160


@pytest.mark.no_database
def test_it_streams_in_bounded_memory(tmp_path):
    tracemalloc.start()
    try:
        generate(tmp_path, projects=50, spend_rows=200_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(read(tmp_path, "spend.csv")) == 200_000
    # 200k rows held in memory would take tens of MB; streaming stays flat.
    assert peak < 2 * 1024 * 1024


def test_the_command_writes_the_files_without_a_database(tmp_path, capsys):
    call_command(
        "generate_portfolio",
        str(tmp_path),
        "--projects=30",
        "--spend-rows=300",
        "--seed=4",
        "--end=2026-01-31",
    )

    assert "30 projects" in capsys.readouterr().out
    assert len(read(tmp_path, "spend.csv")) == 300
    check_rules(tmp_path, datetime.date(2026, 1, 31))


def test_the_command_explains_bad_options(tmp_path):
    with pytest.raises(CommandError, match="--end"):
        call_command("generate_portfolio", str(tmp_path), "--end=2026-02-30")
    with pytest.raises(CommandError, match="--projects"):
        call_command("generate_portfolio", str(tmp_path), "--projects=-1")
