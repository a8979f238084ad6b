"""A realistic research portfolio in the interchange format, of any size.

Writes the four CSV files of the portfolio interchange format (projects,
gate_decisions, spend, outcomes) for demos, benchmarks and tests. Pure Python:
no database, no Django.

It streams. Each project is simulated from its own random generator, seeded
from the portfolio's seed and the project's number, so a project can be
simulated twice without keeping it: a first pass only sums how long each
project spends money, and the second pass writes each project's rows as soon
as they are made, giving project i the spend rows its share of that total
says. Memory stays flat however many rows are asked for.

Every draw is made in days counted from the start of the span, never from the
calendar, so a seed gives the same portfolio (same people, statuses, gates,
money) for any end date, only shifted in time. The demo relies on that.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.interchange_format import COLUMNS, DECISIONS, FILES, OUTCOMES, PROJECTS, SPEND
from portfolio.process import (
    ACTIVE,
    GO,
    GREENLIT,
    HOLD,
    KILL,
    KILLED,
    LAST_GATE,
    ON_HOLD,
    RECYCLE,
)

# --- People -----------------------------------------------------------------------

FIRST_NAMES = (
    "Amara", "Bilal", "Chen", "Dalia", "Emil", "Farah", "Goran", "Hana", "Ines", "Jonas",
    "Kemi", "Lars", "Mei", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
    "Uma", "Viktor", "Wen", "Ximena", "Yusuf", "Zofia", "Aiko", "Bruno", "Carmen", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Adeyemi", "Bergstrom", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Quispe", "Rossi", "Sato", "Tanaka", "Urquhart", "Varga", "Weber", "Xu", "Yilmaz",
    "Zhang", "Alvarez", "Brennan", "Costa", "Delgado",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str


@dataclass(frozen=True)
class Staff:
    """Who leads, owns and decides the projects.

    ``featured_share`` of the projects go to the first researcher and, drawn
    separately, to the first product manager: the demo gives its demo persons
    a fair load of work that way. The rest are spread evenly.
    """

    researchers: tuple[Person, ...]
    product_managers: tuple[Person, ...]
    executives: tuple[Person, ...]
    featured_share: float = 0.0

    def __post_init__(self) -> None:
        if not (self.researchers and self.product_managers and self.executives):
            raise ValueError("a portfolio needs researchers, product managers and executives")
        emails = [p.email.lower() for p in self.everyone]
        if len(set(emails)) != len(emails):
            raise ValueError("a person has one role in a generated portfolio")
        if not 0 <= self.featured_share <= 1:
            raise ValueError("featured_share is between 0 and 1")

    @property
    def everyone(self) -> tuple[Person, ...]:
        return self.researchers + self.product_managers + self.executives


def make_staff(
    seed: int,
    *,
    researchers: int = 40,
    product_managers: int = 10,
    executives: int = 3,
    domain: str = "example.org",
) -> Staff:
    """Made-up people with distinct names, the same for the same seed."""
    wanted = researchers + product_managers + executives
    names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    if wanted > len(names):
        raise ValueError(f"at most {len(names)} generated people")
    chosen = random.Random(f"greenlight-staff:{seed}").sample(names, wanted)
    people = tuple(
        Person(f"{first}.{last}@{domain}".lower(), f"{first} {last}") for first, last in chosen
    )
    return Staff(
        researchers=people[:researchers],
        product_managers=people[researchers : researchers + product_managers],
        executives=people[researchers + product_managers :],
    )


# --- Projects ---------------------------------------------------------------------

TECHNIQUES = (
    "Demand forecasting", "Anomaly detection", "Churn prediction", "Document understanding",
    "Route optimisation", "Speech analytics", "Retrieval-augmented search",
    "Image-based inspection", "Price elasticity modelling", "Fraud scoring",
    "Recommendation ranking", "Entity resolution", "Synthetic data generation",
    "Uplift modelling", "Summarisation with language models", "Predictive maintenance",
    "Federated learning", "Scheduling with reinforcement learning", "Active-learning labelling",
    "Load prediction",
)  # fmt: skip
SUBJECTS = (
    "regional warehouses", "payment flows", "support tickets", "supplier invoices",
    "field service visits", "mobile app sessions", "B2B contracts", "call-centre audio",
    "manufacturing lines", "returns processing", "marketing spend", "loyalty members",
    "cloud infrastructure", "insurance claims", "the product catalogue", "sensor telemetry",
    "delivery fleets", "onboarding documents", "store shelves", "the pricing desk",
)  # fmt: skip

# (bucket, share, median expected annual value, share that is science)
BUCKETS = (
    ("efficiency", 0.45, 350_000, 0.15),
    ("revenue", 0.35, 700_000, 0.25),
    ("new_category", 0.20, 1_800_000, 0.55),
)

# Per decision at gate g: base weights of go, kill, hold, recycle. Quality
# scales go up and kill down; roughly 13% of projects that finish are greenlit.
DECISION_WEIGHTS = {
    1: (0.50, 0.36, 0.08, 0.06),
    2: (0.50, 0.34, 0.08, 0.08),
    3: (0.57, 0.25, 0.08, 0.10),
    4: (0.72, 0.16, 0.08, 0.04),
}
# Days a project waits at gate g for its decision: the stage's work.
GATE_WAIT = {1: (21, 75), 2: (45, 150), 3: (90, 270), 4: (30, 120)}
HOLD_WAIT = (60, 300)
PARKED_WAIT = (400, 1500)
# Money released by a go at gate g (for the next stage), and by a recycle.
GO_FUNDING = {1: (20_000, 90_000), 2: (120_000, 600_000), 3: (50_000, 250_000), 4: (0, 0)}
RECYCLE_FUNDING = (15_000, 150_000)
# Relative daily spend while waiting at gate g (its stage's work).
STAGE_INTENSITY = {1: 0.3, 2: 1.0, 3: 2.5, 4: 1.2}
ZOMBIE_INTENSITY = 0.6
MAX_ROUNDS_AT_A_GATE = 3

RATIONALES = {
    GO: (
        "",
        "Clear business metric and a testable hypothesis.",
        "Evidence supports the hypothesis; fund the next stage.",
        "Strong results against the quality bar.",
        "Product team commits to build and own it.",
    ),
    KILL: (
        "Hypothesis did not hold in the feasibility study.",
        "Value too small against the three-year cost.",
        "Data needed is not obtainable.",
        "Overlaps with a project already on the roadmap.",
        "Results stayed below the quality bar after another round.",
        "No product team willing to own it.",
    ),
    HOLD: (
        "Waiting for data access from the business unit.",
        "Paused while the team supports a launch.",
        "Parked until next year's budget.",
        "Sponsor left; looking for a new one.",
    ),
    RECYCLE: (
        "Promising, but the evidence is thin: one more round.",
        "Rework the approach with the new data set.",
        "Narrow the scope and come back.",
    ),
}

SPEND_CATEGORIES = (  # category, share of the rows (and so of the money), notes
    ("people", 0.56, ("Research staff", "Contractor days", "")),
    ("compute", 0.17, ("GPU hours", "Cloud compute", "")),
    ("data", 0.10, ("Data licence", "Labelling batch", "")),
    ("vendor", 0.11, ("Annotation vendor", "Consulting", "")),
    ("other", 0.06, ("Travel", "Conference", "")),
)


@dataclass
class Decision:
    gate: int
    day: int
    decision: str
    funding: int
    decided_by: str
    probability: float | None
    rationale: str


@dataclass
class SimulatedProject:
    """One project's life, in days counted from the start of the span."""

    number: int
    key: str
    title: str
    research_type: str
    bucket: str
    researcher: str
    product_manager: str
    submitted: int
    value_kind: str
    low: int
    expected: int
    high: int
    probability: float
    decisions: list[Decision] = field(default_factory=list)
    status: str = ACTIVE
    current_gate: int | None = 1
    zombie: bool = False
    daily_rate: float = 0.0

    @property
    def spend_until(self) -> int:
        """The last day the project spends: its close, its hold, or the end of the span."""
        if self.status in (GREENLIT, KILLED):
            return self.decisions[-1].day
        if self.status == ON_HOLD and not self.zombie:
            return self.decisions[-1].day
        return -1  # the end of the span; filled in by the caller

    @property
    def greenlit_on(self) -> int | None:
        return self.decisions[-1].day if self.status == GREENLIT else None


def project_key(number: int, projects: int) -> str:
    """GL-0001 …: zero-padded so that keys sort in order of submission."""
    return f"GL-{number:0{max(4, len(str(projects)))}d}"


def _weighted(rng: random.Random, weights) -> int:
    point = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        point -= weight
        if point < 0:
            return index
    return len(weights) - 1


def _round_to(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


GROWTH = 1.5  # the last day sees 1 + GROWTH times as many proposals as the first


def _growth(share: float) -> float:
    """The point of the span by which ``share`` of the proposals were submitted."""
    return (math.sqrt(1 + 2 * GROWTH * share * (1 + GROWTH / 2)) - 1) / GROWTH


def _pick(rng: random.Random, people: tuple[Person, ...], featured_share: float) -> str:
    if featured_share and rng.random() < featured_share:
        return people[0].email
    return people[rng.randrange(len(people))].email


def simulate(number: int, *, projects: int, seed: int, span: int, staff: Staff) -> SimulatedProject:
    """Project ``number`` (1-based) of ``projects``, submitted within ``span`` days."""
    rng = random.Random(f"greenlight-project:{seed}:{number}")
    # Stratified submission days keep keys in order of submission without sorting;
    # the portfolio grows, so later years see more proposals than earlier ones.
    submitted = min(span, int(span * _growth((number - 1 + rng.random()) / projects)))
    bucket_index = _weighted(rng, [b[1] for b in BUCKETS])
    bucket, _, median_value, science_share = BUCKETS[bucket_index]
    research_type = "science" if rng.random() < science_share else "applied"
    if bucket == "efficiency":
        value_kind = "cost_savings" if rng.random() < 0.95 else "revenue"
    else:
        value_kind = "revenue" if rng.random() < 0.9 else "cost_savings"
    expected = _round_to(median_value * math.exp(rng.gauss(0, 0.7)), 1000)
    low = min(expected, _round_to(expected * rng.uniform(0.25, 0.7), 1000))
    high = max(expected, _round_to(expected * rng.uniform(1.3, 2.6), 1000))
    quality = rng.random()
    probability = min(0.9, max(0.02, 0.12 + 0.35 * quality + rng.gauss(0, 0.08)))
    title = (
        f"{TECHNIQUES[rng.randrange(len(TECHNIQUES))]} for {SUBJECTS[rng.randrange(len(SUBJECTS))]}"
    )
    project = SimulatedProject(
        number=number,
        key=project_key(number, projects),
        title=title,
        research_type=research_type,
        bucket=bucket,
        researcher=_pick(rng, staff.researchers, staff.featured_share),
        product_manager=_pick(rng, staff.product_managers, staff.featured_share),
        submitted=submitted,
        value_kind=value_kind,
        low=low,
        expected=expected,
        high=high,
        probability=round(probability, 2),
        daily_rate=rng.uniform(350, 1400) * (1.3 if research_type == "science" else 1.0),
    )
    _decide(project, rng, quality=quality, span=span, staff=staff)
    if project.status == ON_HOLD:
        held_for = span - project.decisions[-1].day
        project.zombie = held_for > 120 and rng.random() < 0.5
    return project


def _decide(project: SimulatedProject, rng: random.Random, *, quality: float, span: int, staff):
    """Walk the project through the gates until it closes or the span ends."""
    day = project.submitted
    gate, last, rounds = 1, None, 0
    estimate = project.probability
    slow = 1.4 if project.research_type == "science" else 1.0
    while True:
        if last == HOLD:
            # Many holds are never lifted: the project is parked for good.
            parked = rng.random() < 0.4
            wait = rng.randint(*PARKED_WAIT) if parked else rng.randint(*HOLD_WAIT)
        else:
            low, high = GATE_WAIT[gate]
            wait = rng.randint(low, high) * (slow if gate in (2, 3) else 1.0)
            if last == RECYCLE:
                wait *= 0.6
        day += max(1, int(wait))
        if day > span:
            return
        go, kill, hold, recycle = DECISION_WEIGHTS[gate]
        go *= 0.5 + quality
        kill *= 1.5 - quality
        if project.research_type == "science" and gate == 3:
            go *= 0.85
        if rounds >= MAX_ROUNDS_AT_A_GATE:
            hold = recycle = 0
        decision = (GO, KILL, HOLD, RECYCLE)[_weighted(rng, (go, kill, hold, recycle))]
        executive_share = 0.45 if gate == LAST_GATE else 0.12
        if rng.random() < executive_share:
            decided_by = staff.executives[rng.randrange(len(staff.executives))].email
        else:
            decided_by = project.product_manager
        funding = 0
        if decision == GO:
            funding = _round_to(rng.uniform(*GO_FUNDING[gate]), 5000) if gate < LAST_GATE else 0
            estimate += (1 - estimate) * rng.uniform(0.1, 0.35)
        elif decision == RECYCLE:
            funding = _round_to(rng.uniform(*RECYCLE_FUNDING), 5000)
            estimate *= rng.uniform(0.8, 1.05)
        elif decision == HOLD:
            estimate *= rng.uniform(0.6, 0.95)
        else:
            estimate *= rng.uniform(0.1, 0.5)
        estimate = min(0.99, max(0.01, estimate))
        # Most decision makers give an updated estimate; the column is optional.
        probability = round(estimate, 2) if rng.random() < 0.85 else None
        rationales = RATIONALES[decision]
        rationale = rationales[rng.randrange(len(rationales))]
        project.decisions.append(
            Decision(gate, day, decision, funding, decided_by, probability, rationale)
        )
        if decision == KILL:
            project.status, project.current_gate = KILLED, None
            return
        if decision == GO:
            if gate == LAST_GATE:
                project.status, project.current_gate = GREENLIT, None
                return
            gate, rounds = gate + 1, 0
            project.status, project.current_gate = ACTIVE, gate
        else:
            rounds += 1
            project.status = ON_HOLD if decision == HOLD else ACTIVE
        last = decision


def _spend_days(project: SimulatedProject, span: int) -> int:
    until = project.spend_until
    if until < 0:
        until = span
    return until - project.submitted + 1


# --- Writing ----------------------------------------------------------------------


@dataclass
class Summary:
    projects: int = 0
    decisions: int = 0
    spend_rows: int = 0
    outcomes: int = 0
    statuses: Counter = field(default_factory=Counter)
    current_gates: Counter = field(default_factory=Counter)
    zombies: int = 0
    spend_total: float = 0.0

    def __str__(self) -> str:
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items()))
        gates = ", ".join(f"{n} at gate {g}" for g, n in sorted(self.current_gates.items()))
        return (
            f"{self.projects} projects ({statuses}; open: {gates or 'none'}; "
            f"{self.zombies} on hold but still spending), {self.decisions} gate decisions, "
            f"{self.spend_rows} spend rows ({self.spend_total:,.2f}), {self.outcomes} outcome months"
        )


def _money(value: float) -> str:
    return f"{value:.2f}"


def generate_portfolio(
    directory: Path,
    *,
    projects: int,
    spend_rows: int,
    seed: int,
    end: datetime.date | None = None,
    years: float = 3,
    staff: Staff | None = None,
) -> Summary:
    """Write projects.csv, gate_decisions.csv, spend.csv and outcomes.csv into ``directory``.

    ``projects`` are submitted over ``years`` ending on ``end`` (default today),
    with exactly ``spend_rows`` spend rows between them.
    """
    if projects < 0 or spend_rows < 0:
        raise ValueError("projects and spend_rows cannot be negative")
    if spend_rows and not projects:
        raise ValueError("spend rows need at least one project")
    if years <= 0:
        raise ValueError("years must be positive")
    end = end or datetime.date.today()
    span = max(1, int(round(years * 365)))
    start_ordinal = end.toordinal() - span
    staff = staff or make_staff(seed)
    directory.mkdir(parents=True, exist_ok=True)

    # First pass: how many days each project spends, summed; nothing kept.
    total_days = sum(
        _spend_days(simulate(n, projects=projects, seed=seed, span=span, staff=staff), span)
        for n in range(1, projects + 1)
    )

    summary = Summary()
    with contextlib.ExitStack() as files:
        writers = {
            name: csv.writer(
                files.enter_context(open(directory / name, "w", newline="", encoding="utf-8"))
            )
            for name in FILES
        }
        for name in FILES:
            writers[name].writerow(COLUMNS[name])
        days_so_far = 0
        rows_so_far = 0
        for number in range(1, projects + 1):
            project = simulate(number, projects=projects, seed=seed, span=span, staff=staff)
            days_so_far += _spend_days(project, span)
            # Cumulative rounding: every project gets its share and the total is exact.
            rows_until_here = spend_rows * days_so_far // total_days if total_days else 0
            rows = rows_until_here - rows_so_far
            rows_so_far = rows_until_here
            _write_project(project, writers, summary, start_ordinal, span, rows, seed)
    return summary


def _date(start_ordinal: int, day: int) -> str:
    return datetime.date.fromordinal(start_ordinal + day).isoformat()


def _write_project(project, writers, summary: Summary, start_ordinal, span, rows, seed) -> None:
    key = project.key
    writers[PROJECTS].writerow(
        (
            key,
            project.title,
            project.research_type,
            project.bucket,
            project.researcher,
            project.product_manager,
            _date(start_ordinal, project.submitted),
            project.value_kind,
            project.low,
            project.expected,
            project.high,
            f"{project.probability:.2f}",
            _next_stage_ask(project),
        )
    )
    for d in project.decisions:
        writers[DECISIONS].writerow(
            (
                key,
                d.gate,
                _date(start_ordinal, d.day),
                d.decision,
                d.funding,
                d.decided_by,
                "" if d.probability is None else f"{d.probability:.2f}",
                d.rationale,
            )
        )
    summary.projects += 1
    summary.decisions += len(project.decisions)
    summary.statuses[project.status] += 1
    if project.current_gate is not None:
        summary.current_gates[project.current_gate] += 1
    summary.zombies += project.zombie

    rng = random.Random(f"greenlight-money:{seed}:{project.number}")
    _write_spend(project, writers[SPEND], summary, rng, start_ordinal, span, rows)
    if project.status == GREENLIT:
        _write_outcomes(project, writers[OUTCOMES], summary, rng, start_ordinal, span)


def _next_stage_ask(project: SimulatedProject) -> str:
    """An open project asks for about half a year of its next stage's spending."""
    if project.status not in (ACTIVE, ON_HOLD) or project.current_gate is None:
        return ""
    intensity = STAGE_INTENSITY[min(project.current_gate + 1, LAST_GATE)]
    return f"{round(project.daily_rate * intensity * 182, -3):.2f}"


def _stages(project: SimulatedProject) -> list[tuple[int, float]]:
    """(first day, spend intensity) of each stage of the project's life, in order."""
    stages = [(project.submitted, STAGE_INTENSITY[1])]
    for d in project.decisions:
        if d.decision == HOLD:
            intensity = ZOMBIE_INTENSITY
        else:
            gate = d.gate + 1 if d.decision == GO else d.gate
            intensity = STAGE_INTENSITY[min(gate, LAST_GATE)]
        # A decision's day still belongs to the stage it closes.
        stages.append((d.day + 1, intensity))
    return stages


# Where one uniform draw moves from one category to the next (bisect gives the index).
CATEGORY_CUTS = tuple(
    sum(c[1] for c in SPEND_CATEGORIES[: i + 1]) / sum(c[1] for c in SPEND_CATEGORIES)
    for i in range(len(SPEND_CATEGORIES) - 1)
)


def _write_spend(project, writer, summary: Summary, rng, start_ordinal, span, rows) -> None:
    """``rows`` rows spread over the project's spending days; the hot loop of a big portfolio."""
    if rows <= 0:
        return
    days = _spend_days(project, span)
    # Each row stands for days / rows days of the project's spending.
    per_row = project.daily_rate * days / rows
    stages = _stages(project)
    stage, next_stage_on = 0, stages[1][0] if len(stages) > 1 else span + 1
    intensity = stages[0][1]
    random_ = rng.random
    write = writer.writerow
    key = project.key
    last_day, date_text = -1, ""
    total = 0.0
    for j in range(rows):
        # Stratified over the window: dates come out in order, nothing to sort.
        day = project.submitted + min(days - 1, int(days * (j + random_()) / rows))
        if day != last_day:
            last_day, date_text = day, datetime.date.fromordinal(start_ordinal + day).isoformat()
            while day >= next_stage_on:
                stage += 1
                intensity = stages[stage][1]
                next_stage_on = stages[stage + 1][0] if stage + 1 < len(stages) else span + 1
        amount = max(0.01, round(per_row * intensity * (0.5 + random_()), 2))
        category, _, notes = SPEND_CATEGORIES[bisect.bisect(CATEGORY_CUTS, random_())]
        write((key, date_text, f"{amount:.2f}", category, notes[int(random_() * len(notes))]))
        total += amount
    summary.spend_total += total
    summary.spend_rows += rows


# How a greenlit project does against its projected range, and how often.
PERFORMANCE = (("under", 0.3), ("within", 0.5), ("over", 0.2))


def _write_outcomes(project, writer, summary: Summary, rng, start_ordinal, span) -> None:
    greenlit = datetime.date.fromordinal(start_ordinal + project.greenlit_on)
    last = datetime.date.fromordinal(start_ordinal + span)
    # An outcome month must start on or after the day of the go at gate 4 (the
    # format's rule), so the first possible one is the next month unless it was
    # the 1st. Months from then to launch realize nothing yet, so have no rows.
    first = greenlit.year * 12 + greenlit.month - 1 + (greenlit.day > 1)
    launch = first + rng.randint(0, 3)
    final = last.year * 12 + last.month - 1
    performance = PERFORMANCE[_weighted(rng, [p[1] for p in PERFORMANCE])][0]
    if performance == "under":
        annual = project.low * rng.uniform(0.2, 0.9)
    elif performance == "over":
        annual = project.high * rng.uniform(1.1, 1.8)
    else:
        annual = rng.uniform(project.low, project.high)
    months = final - launch + 1
    if months <= 0:
        return
    # Value ramps up over the first months; scaled so the mean month is annual / 12.
    shape = [min(1.0, (m + 1) / 3) * rng.uniform(0.8, 1.2) for m in range(months)]
    scale = annual / 12 * months / sum(shape)
    for m, weight in enumerate(shape):
        year, month = divmod(launch + m, 12)
        writer.writerow(
            (project.key, datetime.date(year, month + 1, 1).isoformat(), _money(weight * scale))
        )
    summary.outcomes += months
