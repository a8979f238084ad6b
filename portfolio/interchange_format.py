"""The portfolio interchange format, stated once: its files, their columns, the shape of a value.

docs/interchange.md describes it for people. The importer and exporter
(``gates.interchange``) and the demo generator (``portfolio.demo.generator``)
read the files and columns from here; a new file or column is one entry in
``FORMAT``, then its parsing, writing and export in ``gates/interchange/``.

Pure Python (no Django), so that the generator stays usable without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from portfolio import money, process
from portfolio.web.csv import formula_safe, formula_unquoted

FORMAT_VERSION = 3

PROJECTS = "projects.csv"
DECISIONS = "gate_decisions.csv"
SPEND = "spend.csv"
OUTCOMES = "outcomes.csv"
ESTIMATES = "estimates.csv"
ARTIFACTS = "artifacts.csv"
ARTIFACT_USES = "artifact_uses.csv"
ADOPTION = "adoption.csv"
VOTES = "votes.csv"
KILL_CRITERIA = "kill_criteria.csv"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True
    since: int = 1  # the format version that added it
    text: bool = False  # free or named text: written formula-safe, read back un-quoted


@dataclass(frozen=True)
class FileFormat:
    name: str
    columns: tuple[Column, ...]
    required: bool = True  # a folder without it is refused
    since: int = 1

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


FORMAT: dict[str, FileFormat] = {
    PROJECTS: FileFormat(
        PROJECTS,
        (
            Column("key", text=True),
            Column("title", text=True),
            Column("research_type"),
            Column("bucket"),
            Column("researcher", text=True),
            Column("product_manager", text=True),
            Column("submitted_on"),
            Column("value_kind"),
            Column("projected_low"),
            Column("projected_expected"),
            Column("projected_high"),
            Column("probability_of_success"),
            Column("next_stage_ask", required=False, since=2),
        ),
    ),
    DECISIONS: FileFormat(
        DECISIONS,
        (
            Column("project", text=True),
            Column("gate"),
            Column("decided_on"),
            Column("decision"),
            Column("funding_granted", required=False),
            Column("decided_by", text=True),
            Column("probability_of_success", required=False),
            Column("rationale", required=False, text=True),
        ),
    ),
    SPEND: FileFormat(
        SPEND,
        (
            Column("project", text=True),
            Column("spent_on"),
            Column("amount"),
            Column("category"),
            Column("note", required=False, text=True),
        ),
    ),
    OUTCOMES: FileFormat(
        OUTCOMES,
        (Column("project", text=True), Column("month"), Column("realized_value")),
    ),
    ESTIMATES: FileFormat(
        ESTIMATES,
        (
            Column("project", text=True),
            Column("estimated_on"),
            Column("build_cost"),
            Column("monthly_run_cost"),
            Column("retrains_per_year"),
            Column("cost_per_retrain", required=False),
            Column("estimated_by", required=False, text=True),
        ),
        required=False,
        since=2,
    ),
    # Version 3: research artifacts, their reuse by other projects, adoption of products.
    ARTIFACTS: FileFormat(
        ARTIFACTS,
        (
            Column("key", text=True),
            Column("name", text=True),
            Column("kind"),
            Column("project", text=True),
            Column("created_on"),
        ),
        required=False,
        since=3,
    ),
    ARTIFACT_USES: FileFormat(
        ARTIFACT_USES,
        (Column("artifact", text=True), Column("project", text=True), Column("used_on")),
        required=False,
        since=3,
    ),
    ADOPTION: FileFormat(
        ADOPTION,
        (
            Column("project", text=True),
            Column("month"),
            Column("active_users"),
            Column("tasks_completed"),
            Column("minutes_per_task", required=False),
            Column("baseline_minutes_per_task", required=False),
        ),
        required=False,
        since=3,
    ),
    # The decision panel (docs/decision-panel.md): gatekeepers' votes and kill criteria.
    VOTES: FileFormat(
        VOTES,
        (
            Column("project", text=True),
            Column("decision", required=False),
            Column("gate"),
            Column("voter", text=True),
            Column("recommendation", required=False),
            Column("probability_of_success", required=False),
            Column("comment", required=False, text=True),
            Column("scorecard_total", required=False),
        ),
        required=False,
        since=3,
    ),
    KILL_CRITERIA: FileFormat(
        KILL_CRITERIA,
        (
            Column("project", text=True),
            Column("decision"),
            Column("position"),
            Column("statement", text=True),
            Column("comparison", required=False),
            Column("target", required=False),
            Column("met", required=False),
            Column("judged_by", required=False),
            Column("note", required=False, text=True),
        ),
        required=False,
        since=3,
    ),
    # Other files join here: one FileFormat each, required=False.
}

# Every file, in the order problems are listed and files are exported.
ALL_FILES = tuple(FORMAT)
# The files every portfolio has; the others are optional.
FILES = tuple(name for name, spec in FORMAT.items() if spec.required)
OPTIONAL_FILES = tuple(name for name, spec in FORMAT.items() if not spec.required)

# column -> required?, per file.
COLUMNS: dict[str, dict[str, bool]] = {
    name: {column.name: column.required for column in spec.columns} for name, spec in FORMAT.items()
}

# The value rules that do not depend on the app's models.
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
GATE_NUMBERS = tuple(str(number) for number in process.GATES)
RETRAINS_PER_YEAR = tuple(str(n) for n in sorted(set(process.RETRAINS_PER_YEAR.values())))
MAX_TITLE_LENGTH = 200
# Digits before the point: the app's one limit (portfolio.money), 9999999999999.99 at most.
MAX_MONEY_DIGITS = money.MONEY_DIGITS_BEFORE_POINT
LARGEST_AMOUNT = money.LARGEST_AMOUNT

__all__ = [
    "ADOPTION",
    "ALL_FILES",
    "ARTIFACTS",
    "ARTIFACT_USES",
    "COLUMNS",
    "DATE_PATTERN",
    "DECISIONS",
    "ESTIMATES",
    "FILES",
    "FORMAT",
    "FORMAT_VERSION",
    "GATE_NUMBERS",
    "KEY_PATTERN",
    "KILL_CRITERIA",
    "LARGEST_AMOUNT",
    "MAX_MONEY_DIGITS",
    "MAX_TITLE_LENGTH",
    "OPTIONAL_FILES",
    "OUTCOMES",
    "PROJECTS",
    "RETRAINS_PER_YEAR",
    "SPEND",
    "VOTES",
    "Column",
    "FileFormat",
    "formula_safe",
    "formula_unquoted",
]
