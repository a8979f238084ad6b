"""A realistic research portfolio in the interchange format, of any size.

Writes the four CSV files of the portfolio interchange format (projects,
gate_decisions, spend, outcomes) for demos, benchmarks and tests. Pure Python:
no database, no Django.

The people are made in ``people``, each project's life in ``simulation``; this
module writes the files. It streams: a project can be simulated twice without
keeping it, so a first pass only sums how long each project spends money, and
the second pass writes each project's rows as soon as they are made, giving
project i the spend rows its share of that total says. Memory stays flat
however many rows are asked for.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portfolio.demo.people import Staff, make_staff
from portfolio.demo.simulation import (
    STAGE_INTENSITY,
    ZOMBIE_INTENSITY,
    SimulatedProject,
    simulate,
    spend_days,
    weighted_index,
)
from portfolio.interchange_format import COLUMNS, DECISIONS, FILES, OUTCOMES, PROJECTS, SPEND
from portfolio.process import ACTIVE, GO, GREENLIT, HOLD, LAST_GATE, ON_HOLD


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
        spend_days(simulate(n, projects=projects, seed=seed, span=span, staff=staff), span)
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
            days_so_far += spend_days(project, span)
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


SPEND_CATEGORIES = (  # category, share of the rows (and so of the money), notes
    ("people", 0.56, ("Research staff", "Contractor days", "")),
    ("compute", 0.17, ("GPU hours", "Cloud compute", "")),
    ("data", 0.10, ("Data licence", "Labelling batch", "")),
    ("vendor", 0.11, ("Annotation vendor", "Consulting", "")),
    ("other", 0.06, ("Travel", "Conference", "")),
)

# Where one uniform draw moves from one category to the next (bisect gives the index).
CATEGORY_CUTS = tuple(
    sum(c[1] for c in SPEND_CATEGORIES[: i + 1]) / sum(c[1] for c in SPEND_CATEGORIES)
    for i in range(len(SPEND_CATEGORIES) - 1)
)


def _write_spend(project, writer, summary: Summary, rng, start_ordinal, span, rows) -> None:
    """``rows`` rows spread over the project's spending days; the hot loop of a big portfolio."""
    if rows <= 0:
        return
    days = spend_days(project, span)
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
    performance = PERFORMANCE[weighted_index(rng, [p[1] for p in PERFORMANCE])][0]
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
