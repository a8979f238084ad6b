"""One generated project's life: its proposal, its gate decisions, its spending pattern.

Each project is simulated from its own random generator, seeded from the
portfolio's seed and the project's number, so a project can be simulated twice
without keeping it (``portfolio.demo.generator`` does, to spread the spend rows).

Every draw is made in days counted from the start of the span, never from the
calendar, so a seed gives the same portfolio (same people, statuses, gates,
money) for any end date, only shifted in time. The demo relies on that.
Pure Python: no database, no Django.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from portfolio.demo.people import Person, Staff
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


# The demo's keys' prefix: `make run` sets PROPOSAL_KEY_PREFIX to it, so that a new proposal
# is offered the demo's next key.
DEMO_KEY_PREFIX = "GL"


def project_key(number: int, projects: int) -> str:
    """GL-0001 …: zero-padded so that keys sort in order of submission."""
    return f"{DEMO_KEY_PREFIX}-{number:0{max(4, len(str(projects)))}d}"


def weighted_index(rng: random.Random, weights) -> int:
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
    bucket_index = weighted_index(rng, [b[1] for b in BUCKETS])
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
        decision = (GO, KILL, HOLD, RECYCLE)[weighted_index(rng, (go, kill, hold, recycle))]
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


def spend_days(project: SimulatedProject, span: int) -> int:
    until = project.spend_until
    if until < 0:
        until = span
    return until - project.submitted + 1
