"""The checks before anything is written: projects, decisions (replayed through the process
rules), estimates and the keys already in the database; outcomes once the decisions are known.

spend.csv is checked as it is written (``spend_pass``) and outcomes.csv meanwhile;
when these have problems the import is rolled back. When the first files have
problems, the others are still read here, so that every problem is listed at once.
What is kept grows with projects and decisions, never with spend rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models.functions import Lower

from gates.interchange.format import (
    DECISIONS,
    ESTIMATES,
    FILES,
    OUTCOMES,
    PROJECTS,
    WHOLE_FILE,
    Dates,
    ImportFailed,
    Problems,
    Row,
    parse_decision,
    parse_estimate,
    parse_outcome,
    parse_project,
    too_large,
)
from gates.interchange.panel import PanelRows, check_kill_criteria, check_votes
from gates.interchange.reading import Source
from portfolio import process
from portfolio.interchange_format import KILL_CRITERIA, LARGEST_AMOUNT, VOTES
from portfolio.models import Project, Status

PROGRESS_EVERY = 10_000

# progress(stage, file, rows so far, finished?) — stage is "checking" or "writing".
Progress = Callable[[str, str, int, bool], None]


@dataclass
class Decision:
    line: int
    decided_on: datetime.date
    gate: int
    decision: str
    funding: Decimal
    probability: Decimal | None
    decided_by: str
    rationale: str
    sequence: int = 0  # the order of recording in its project, set by replay


@dataclass
class ProjectState:
    """What the checks keep about one project: small, whatever the size of the files."""

    line: int
    submitted_on: datetime.date | None = None
    decisions: list[Decision] = field(default_factory=list)
    decisions_broken: bool = False
    # What the services would maintain, computed from the files.
    status: str = Status.ACTIVE
    current_gate: int | None = 1
    last_decision_on: datetime.date | None = None
    latest_probability: Decimal | None = None
    funding_total: Decimal = Decimal(0)
    greenlit_on: datetime.date | None = None
    decisions_count: int = 0
    existing_id: int | None = None
    # The app's project of this key, when only a replace would overwrite it (an import that
    # does not replace refuses the key): its artifacts are refused with the same advice.
    refused_id: int | None = None
    # A project of the app whose rows in the files are what it holds: a replace leaves it
    # as it is (``unchanged``), and its rows are not written.
    unchanged: bool = False


@dataclass
class Plan:
    """Everything the checks learned that the writing needs."""

    dates: Dates
    projects: dict[str, ProjectState] = field(default_factory=dict)
    # The rows to write, kept from the checks (spend.csv's are not: it is read once,
    # checked as it is written). They grow with projects and months, not with spend.
    project_rows: list[dict] = field(default_factory=list)
    outcomes: list[tuple[str, datetime.date, Decimal]] = field(default_factory=list)
    estimates: list[dict] = field(default_factory=list)
    # votes.csv and kill_criteria.csv (optional): the decision panel's rows.
    panel: PanelRows = field(default_factory=PanelRows)
    people: set[str] = field(default_factory=set)
    projects_readable: bool = True
    assets: Any = None  # version 3's files: an ``assets.AssetPlan``

    @property
    def replaced_ids(self) -> list[int]:
        """The projects of the app that the import replaces: those it has, but unchanged."""
        return [
            s.existing_id
            for s in self.projects.values()
            if s.existing_id is not None and not s.unchanged
        ]


class Counter:
    """Counts rows and reports progress every so often."""

    def __init__(self, progress: Progress | None, stage: str, name: str):
        self.progress = progress
        self.stage = stage
        self.name = name
        self.rows = 0

    def tick(self) -> None:
        self.rows += 1
        if self.progress is not None and self.rows % PROGRESS_EVERY == 0:
            self.progress(self.stage, self.name, self.rows, False)

    def add(self, rows: int) -> None:
        before = self.rows
        self.rows += rows
        if self.progress is not None and before // PROGRESS_EVERY != self.rows // PROGRESS_EVERY:
            self.progress(self.stage, self.name, self.rows, False)

    def done(self) -> None:
        if self.progress is not None:
            self.progress(self.stage, self.name, self.rows, True)


def unknown_key(row: Row, key: str) -> None:
    row.problem("project", f"unknown project key {key!r} (not in {PROJECTS})")


def check(
    source: Source, *, replace: bool, progress: Progress | None, today: datetime.date
) -> Plan:
    """Check projects.csv, gate_decisions.csv and estimates.csv; raise ImportFailed on
    any problem (after reading the other files too, to list every problem)."""
    from gates.interchange.spend_pass import SpendPass  # it needs the plan's types

    problems = Problems()
    plan = Plan(dates=Dates(today=today))
    missing = [name for name in FILES if not source.exists(name)]
    for name in missing:
        problems.add(
            name, 1, WHOLE_FILE, f"missing: a portfolio is the four files {', '.join(FILES)}"
        )
    problems.fail_if_any()
    for problem in source.own_problems():
        problems.add_first(problem)

    _check_projects(source, plan, problems, progress)
    check_existing_keys(plan.projects, problems, replace=replace)
    _check_decisions(source, plan, problems, progress)
    for state in plan.projects.values():
        _replay(state, problems)
    if source.exists(ESTIMATES):
        _check_estimates(source, plan, problems, progress)
    if source.exists(VOTES):
        check_votes(source, plan, problems, plan.panel)
    if source.exists(KILL_CRITERIA):
        check_kill_criteria(source, plan, problems, plan.panel)
    from gates.interchange.assets import AssetPlan, check_assets  # they need this module

    plan.assets = AssetPlan()
    check_assets(source, plan, problems, progress)

    if problems:
        # Still read the other files, so that every problem is listed at once.
        SpendPass(source, plan, problems, progress).run()
        check_outcomes(source, plan, problems, progress)
        problems.fail_if_any()
    return plan


def _check_projects(
    source: Source, plan: Plan, problems: Problems, progress: Progress | None
) -> None:
    folded_keys: dict[str, int] = {}  # key ignoring case -> line of its first row
    counter = Counter(progress, "checking", PROJECTS)
    with source.rows(PROJECTS, problems) as rows:
        for line, values in rows:
            counter.tick()
            row = Row(PROJECTS, line, values, problems)
            parsed = parse_project(row, plan.dates)
            key = row.raw("key")
            if not key:
                continue
            folded = key.lower()
            if folded in folded_keys:
                row.problem("key", f"duplicate key {key!r} (first on line {folded_keys[folded]})")
                continue
            folded_keys[folded] = line
            plan.projects[key] = ProjectState(
                line=line,
                submitted_on=parsed["submitted_on"] if parsed else row.submitted_on_if_readable(),
            )
            if parsed:
                plan.people.update((parsed["researcher"], parsed["product_manager"]))
                plan.project_rows.append(parsed)
        # A broken header leaves no keys to check the other files against.
        plan.projects_readable = rows.readable
    counter.done()


def _check_decisions(
    source: Source, plan: Plan, problems: Problems, progress: Progress | None
) -> None:
    """Collected per project, then replayed in date order."""
    counter = Counter(progress, "checking", DECISIONS)
    with source.rows(DECISIONS, problems) as rows:
        for line, values in rows:
            counter.tick()
            row = Row(DECISIONS, line, values, problems)
            parsed = parse_decision(row, plan.dates)
            key = row.raw("project")
            state = plan.projects.get(key) if key else None
            if state is None:
                if key and plan.projects_readable:
                    unknown_key(row, key)
                continue
            if parsed is None:
                state.decisions_broken = True
                continue
            if state.submitted_on and parsed["decided_on"] < state.submitted_on:
                row.problem(
                    "decided_on",
                    f"{parsed['decided_on']} is before the project was submitted "
                    f"({state.submitted_on})",
                )
                state.decisions_broken = True
                continue
            plan.people.add(parsed["decided_by"])
            state.decisions.append(
                Decision(
                    line=line,
                    decided_on=parsed["decided_on"],
                    gate=parsed["gate"],
                    decision=parsed["decision"],
                    funding=parsed["funding_granted"],
                    probability=parsed["probability_of_success"],
                    decided_by=parsed["decided_by"],
                    rationale=parsed["rationale"],
                )
            )
        if not rows.readable:
            # Its header or encoding is wrong (reported): no project's decisions are known,
            # so what depends on them (greenlit or not, a month's place) is not judged.
            for state in plan.projects.values():
                state.decisions_broken = True
    counter.done()


def _check_estimates(
    source: Source, plan: Plan, problems: Problems, progress: Progress | None
) -> None:
    """estimates.csv (optional, version 2): at most one per project."""
    counter = Counter(progress, "checking", ESTIMATES)
    first_line: dict[str, int] = {}
    with source.rows(ESTIMATES, problems) as rows:
        for line, values in rows:
            counter.tick()
            row = Row(ESTIMATES, line, values, problems)
            parsed = parse_estimate(row, plan.dates)
            key = row.raw("project")
            state = plan.projects.get(key) if key else None
            if state is None:
                if key and plan.projects_readable:
                    unknown_key(row, key)
                continue
            first = first_line.setdefault(key, line)
            if first != line:
                row.problem("project", f"{key} already has an estimate (line {first})")
                continue
            if parsed is None:
                continue
            if state.submitted_on and parsed["estimated_on"] < state.submitted_on:
                row.problem(
                    "estimated_on",
                    f"{parsed['estimated_on']} is before the project was submitted "
                    f"({state.submitted_on})",
                )
                continue
            if parsed["estimated_by"]:
                plan.people.add(parsed["estimated_by"])
            plan.estimates.append(parsed)
    counter.done()


def check_outcomes(
    source: Source, plan: Plan, problems: Problems, progress: Progress | None
) -> None:
    """outcomes.csv, after the decisions (a project has outcomes once greenlit)."""
    projects = plan.projects
    counter = Counter(progress, "checking", OUTCOMES)
    months_seen: dict[tuple[str, datetime.date], int] = {}
    with source.rows(OUTCOMES, problems) as rows:
        for line, values in rows:
            counter.tick()
            row = Row(OUTCOMES, line, values, problems)
            parsed = parse_outcome(row, plan.dates)
            key = row.raw("project") or None
            state = projects.get(key) if key is not None else None
            if state is None and key is not None and plan.projects_readable:
                unknown_key(row, key)
            if state is None or parsed is None:
                continue
            if greenlit_month_ok(
                row,
                key,
                state,
                parsed["month"],
                months_seen,
                repeated="an outcome",
                not_greenlit="it cannot have outcomes",
            ):
                plan.outcomes.append((key, parsed["month"], parsed["realized_value"]))
    counter.done()


def greenlit_month_ok(
    row: Row,
    key: str,
    state: ProjectState,
    month: datetime.date,
    seen: dict[tuple[str, datetime.date], int],
    *,
    repeated: str,
    not_greenlit: str,
) -> bool:
    """A month of a greenlit product (an outcome, adoption): once per month, not before
    the product was greenlit; the problem, if any, is recorded on the row."""
    first = seen.setdefault((key, month), row.line)
    if first != row.line:
        row.problem("month", f"{key} already has {repeated} for {month:%Y-%m} (line {first})")
        return False
    if state.decisions_broken:
        return False  # its decisions are wrong already; do not pile up problems
    if state.greenlit_on is None:
        row.problem("project", f"{key} is not greenlit (no go at gate 4): {not_greenlit}")
        return False
    if month < process.first_outcome_month(state.greenlit_on):  # the services' one rule
        row.problem("month", f"{key} was greenlit on {state.greenlit_on}, after {month}")
        return False
    return True


def _replay(state: ProjectState, problems: Problems) -> None:
    """Apply the process rules in date order (file order on one date); number the decisions."""
    if state.decisions_broken:
        return
    state.decisions.sort(key=lambda d: (d.decided_on, d.line))
    current = process.INITIAL
    for sequence, decision in enumerate(state.decisions, start=1):
        problem = process.problem_with(current, decision.gate, decision.decision)
        if problem:
            column = "decision" if current.is_closed else "gate"
            problems.add(DECISIONS, decision.line, column, f"out of sequence: {problem}")
            state.decisions_broken = True
            return
        current = process.apply(current, decision.gate, decision.decision)
        decision.sequence = sequence
        state.funding_total += decision.funding
        if state.funding_total > LARGEST_AMOUNT:  # the project's total is an amount too
            problems.add(
                DECISIONS,
                decision.line,
                "funding_granted",
                too_large(state.funding_total, "the project's funding granted comes to "),
            )
            state.decisions_broken = True
            return
        if decision.probability is not None:
            state.latest_probability = decision.probability
        state.last_decision_on = decision.decided_on
        if current.status == Status.GREENLIT:
            state.greenlit_on = decision.decided_on
    state.status = current.status
    state.current_gate = current.current_gate
    state.decisions_count = len(state.decisions)


# Keys that exist, in an import that does not replace, are listed one per line up to this
# many; more are one line naming the first of them: a portfolio imported twice is one
# mistake, not hundreds (every project of the demo).
EXISTING_KEYS_LISTED = 3
REPLACE_ADVICE = "(a superuser's, on the import page; --replace on the command line)"


def check_existing_keys(
    projects: dict[str, ProjectState], problems: Problems, *, replace: bool
) -> None:
    """Keys already in the database: refused, unless they are to be replaced. A draft is
    never replaced: it is a researcher's unsubmitted work, which no file speaks for."""
    refused: list[tuple[int, str]] = []  # (line, key) of the keys only a replace overwrites
    keys = list(projects)
    for start in range(0, len(keys), 500):
        chunk = {key.lower(): key for key in keys[start : start + 500]}
        existing = (
            Project.objects.annotate(folded=Lower("key"))
            .filter(folded__in=list(chunk))
            .values_list("folded", "id", "status")
        )
        for folded, project_id, status in existing:
            key = chunk[folded]
            state = projects[key]
            if status == Status.DRAFT:
                problems.add(
                    PROJECTS,
                    state.line,
                    "key",
                    f"{key} is a draft proposal in the app: an import never changes a draft; "
                    "choose another key",
                )
            elif replace:
                state.existing_id = project_id
            else:
                state.refused_id = project_id
                refused.append((state.line, key))
    add_existing_keys(
        problems,
        PROJECTS,
        refused,
        one=lambda key: f"{key} already exists: only a replace overwrites it {REPLACE_ADVICE}",
        many=lambda count, named: (
            f"{count} keys already exist ({named}): only a replace overwrites them {REPLACE_ADVICE}"
        ),
    )


def add_existing_keys(
    problems: Problems,
    file: str,
    refused: list[tuple[int, str]],
    *,
    one: Callable[[str], str],
    many: Callable[[str, str], str],
) -> None:
    """The (line, key) of ``file`` refused as existing: each on its line (``one(key)``) up
    to EXISTING_KEYS_LISTED of them; more are one problem on the first one's line
    (``many(count, named)``, ``named`` the first ones with their lines)."""
    refused = sorted(refused)
    if len(refused) <= EXISTING_KEYS_LISTED:
        for line, key in refused:
            problems.add(file, line, "key", one(key))
        return
    named = ", ".join(f"{key} on line {line}" for line, key in refused[:EXISTING_KEYS_LISTED])
    named += f" and {len(refused) - EXISTING_KEYS_LISTED:,} more"
    problems.add(file, refused[0][0], "key", many(f"{len(refused):,}", named))


def recheck_existing_keys(plan: Plan, *, replace: bool) -> None:
    """Again, inside the writing transaction: someone may have added a key since."""
    problems = Problems()
    for state in plan.projects.values():
        state.existing_id = state.refused_id = None
        state.unchanged = False
    check_existing_keys(plan.projects, problems, replace=replace)
    problems.fail_if_any()


__all__ = ["ImportFailed", "Plan", "Progress", "check", "check_outcomes", "recheck_existing_keys"]
