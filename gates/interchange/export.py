"""Export: the portfolio as the interchange files, streamed from the database.

Drafts are not part of it. Text cells are written formula-safe (a leading ``'``
before ``=``, ``+``, ``-``, ``@``, a tab or a carriage return), which the importer
removes again, so that export → import gives back the same portfolio.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, BinaryIO

import openpyxl
from django.utils import timezone

from gates.interchange import assets
from gates.interchange.format import (
    ADOPTION,
    ALL_FILES,
    ARTIFACT_USES,
    ARTIFACTS,
    COLUMNS,
    DECISIONS,
    ESTIMATES,
    FORMAT,
    OUTCOMES,
    PROJECTS,
    SPEND,
    as_one_line,
    formula_safe,
)
from gates.interchange.panel import kill_criterion_rows, vote_rows
from gates.interchange.workbook import sheet_name, write_sheet
from gates.models import ArchitectureEstimate, GateDecision
from portfolio.interchange_format import KILL_CRITERIA, VOTES
from portfolio.models import Outcome, Project, SpendEntry
from portfolio.validators import is_blank

CHUNK = 5000


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _optional_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _probability(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


@dataclass
class ExportSummary:
    projects: int = 0
    decisions: int = 0
    spend_entries: int = 0
    outcomes: int = 0
    estimates: int = 0
    votes: int = 0
    kill_criteria: int = 0
    artifacts: int = 0
    artifact_uses: int = 0
    adoption: int = 0
    files: list[str] = field(default_factory=list)  # the files written, in format order

    def __str__(self) -> str:
        panel = (
            f"; {self.votes} vote{'' if self.votes == 1 else 's'} and "
            f"{self.kill_criteria} kill criteri{'on' if self.kill_criteria == 1 else 'a'}"
            if self.votes or self.kill_criteria
            else ""
        )
        return (
            f"Exported {self.projects} projects, {self.decisions} gate decisions, "
            f"{self.spend_entries} spend entries, {self.outcomes} outcome months, "
            f"{self.estimates} architecture estimates, {self.artifacts} artifacts "
            f"({self.artifact_uses} reuses) and {self.adoption} months of adoption{panel}."
        )


def _write_csv(open_text, name: str, rows: Iterator[list]) -> int:
    count = 0
    with open_text(name) as stream:
        writer = csv.writer(stream)
        writer.writerow(list(COLUMNS[name]))
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _projects(submitted) -> Iterator[list]:
    safe = formula_safe
    for (
        key,
        title,
        research_type,
        bucket,
        researcher,
        product_manager,
        submitted_on,
        value_kind,
        low,
        expected,
        high,
        probability,
        ask,
    ) in (
        submitted.order_by("key")
        .values_list(
            "key",
            "title",
            "research_type",
            "bucket",
            "researcher__email",
            "product_manager__email",
            "submitted_on",
            "value_kind",
            "projected_low",
            "projected_expected",
            "projected_high",
            "probability_of_success",
            "next_stage_ask",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            safe(key),
            safe(as_one_line(title)),
            research_type,
            bucket,
            safe(researcher),
            safe(product_manager),
            submitted_on.isoformat(),
            value_kind,
            _money(low),
            _money(expected),
            _money(high),
            _probability(probability),
            _optional_money(ask),
        ]


def _decisions(submitted) -> Iterator[list]:
    """Each project's decisions in the order they were recorded: an import keeps it."""
    safe = formula_safe
    for key, gate, decided_on, decision, funding, decided_by, probability, rationale in (
        GateDecision.objects.filter(project__in=submitted)
        .order_by("project__key", "sequence")
        .values_list(
            "project__key",
            "gate__number",
            "decided_on",
            "decision",
            "funding_granted",
            "decided_by__email",
            "probability_of_success",
            "rationale",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            safe(key),
            gate,
            decided_on.isoformat(),
            decision,
            _money(funding),
            safe(decided_by),
            _probability(probability),
            safe(rationale),
        ]


def _spend(submitted) -> Iterator[list]:
    safe = formula_safe
    for key, spent_on, amount, category, note in (
        SpendEntry.objects.filter(project__in=submitted)
        .order_by("project__key", "spent_on", "id")
        .values_list("project__key", "spent_on", "amount", "category", "note")
        .iterator(chunk_size=CHUNK)
    ):
        yield [safe(key), spent_on.isoformat(), _money(amount), category, safe(note)]


def _outcomes(submitted) -> Iterator[list]:
    for key, month, value in (
        Outcome.objects.filter(project__in=submitted)
        .order_by("project__key", "month")
        .values_list("project__key", "month", "realized_value")
        .iterator(chunk_size=CHUNK)
    ):
        yield [formula_safe(key), month.isoformat(), _money(value)]


def _estimates(submitted) -> Iterator[list]:
    for key, revised, build, run, cadence, per_retrain, author in (
        ArchitectureEstimate.objects.filter(project__in=submitted)
        .order_by("project__key")
        .values_list(
            "project__key",
            "updated_at",
            "build_cost",
            "monthly_run_cost",
            "retraining_cadence",
            "cost_per_retrain",
            "author__email",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield [
            formula_safe(key),
            timezone.localdate(revised).isoformat(),
            _money(build),
            _money(run),
            ArchitectureEstimate.RETRAINS_PER_YEAR[cadence],
            _money(per_retrain),
            formula_safe(author or ""),
        ]


ROWS = {
    PROJECTS: _projects,
    DECISIONS: _decisions,
    SPEND: _spend,
    OUTCOMES: _outcomes,
    ESTIMATES: _estimates,
    VOTES: vote_rows,
    KILL_CRITERIA: kill_criterion_rows,
    ARTIFACTS: assets.artifact_rows,
    ARTIFACT_USES: assets.use_rows,
    ADOPTION: assets.adoption_rows,
}
SUMMARY_FIELDS = {
    PROJECTS: "projects",
    DECISIONS: "decisions",
    SPEND: "spend_entries",
    OUTCOMES: "outcomes",
    ESTIMATES: "estimates",
    VOTES: "votes",
    KILL_CRITERIA: "kill_criteria",
    ARTIFACTS: "artifacts",
    ARTIFACT_USES: "artifact_uses",
    ADOPTION: "adoption",
}
# Version 3's files are written only when they have rows (a folder without them imports).
ONLY_WITH_ROWS = (ARTIFACTS, ARTIFACT_USES, ADOPTION, VOTES, KILL_CRITERIA)


# --- Every required text cell imports -------------------------------------------------------
# The import reads a cell with nothing visible in it ("\u200b", a byte order mark, spaces) as
# blank, and refuses a blank one where the format requires text (a title, an artifact's name,
# a kill criterion's statement, ...: FORMAT's columns that are required and text). Text kept
# from before the pages, the API and the import read it so may be such: the export writes
# each of its characters (one for an empty cell) as U+FFFD, shown for "something that could
# not be written", so that every export imports again.


def _required_text(name: str) -> tuple[int, ...]:
    """The positions of ``name``'s columns that the import requires text in."""
    return tuple(
        position
        for position, column in enumerate(FORMAT[name].columns)
        if column.required and column.text
    )


def _readable_when_required(rows: Iterator[list], positions: tuple[int, ...]) -> Iterator[list]:
    for row in rows:
        for position in positions:
            cell = row[position]
            # A cell that begins with visible ASCII, as nearly every one does, is not blank.
            if not (cell and "!" <= cell[0] <= "~") and is_blank(cell):
                row[position] = "\ufffd" * (len(cell) or 1)
        yield row


def _export(write: Callable[[str, Iterator[list]], int]) -> ExportSummary:
    """Each file's rows handed to ``write(name, rows)``, which returns how many it wrote."""
    submitted = Project.objects.submitted()
    summary = ExportSummary()
    for name in ALL_FILES:
        if name not in ROWS:  # files whose export lives elsewhere join ROWS
            continue
        rows = _readable_when_required(ROWS[name](submitted), _required_text(name))
        if name in ONLY_WITH_ROWS:
            first = next(rows, None)
            if first is None:
                continue
            rows = itertools.chain([first], rows)
        count = write(name, rows)
        setattr(summary, SUMMARY_FIELDS[name], count)
        summary.files.append(name)
    return summary


def _csv_files(
    open_text: Callable[[str], contextlib.AbstractContextManager[IO[str]]],
) -> Callable[[str, Iterator[list]], int]:
    return lambda name, rows: _write_csv(open_text, name, rows)


def export_portfolio(directory: Path) -> ExportSummary:
    """Write the portfolio's files into ``directory`` (created if needed)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return _export(
        _csv_files(lambda name: (directory / name).open("w", encoding="utf-8", newline=""))
    )


def export_portfolio_zip(stream: BinaryIO) -> ExportSummary:
    """The same files, as a zip archive written to ``stream``."""
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def open_text(name: str):
            return io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")

        return _export(_csv_files(open_text))


def export_portfolio_workbook(target: Path | BinaryIO) -> ExportSummary:
    """The same files as one .xlsx workbook, a sheet each (``workbook``), written to
    ``target`` (a path or a binary stream)."""
    book = openpyxl.Workbook(write_only=True)
    summary = _export(lambda name, rows: write_sheet(book, name, rows))
    summary.files = [sheet_name(name) for name in summary.files]
    book.save(target)
    return summary


def exported_files() -> tuple[str, ...]:
    """Every file an export may write (those of ``ONLY_WITH_ROWS`` only when they have rows)."""
    return tuple(name for name in ALL_FILES if name in ROWS)
