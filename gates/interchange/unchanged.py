"""Which projects a replace leaves as they are: those whose rows in the files are what the app holds.

A replace rewrites every project the files name, archiving what it held first. A project
whose rows in the files are exactly what the app holds for it (what an export writes for
it: the format round-trips) is left untouched instead: not archived, not rewritten, no
audit entry. Only the projects whose rows differ are replaced.

"Exactly" is the format's values as the import reads them, not the text of the files:
money to the cent (``1200.5`` is ``1200.50``), probabilities as numbers (``0.5`` is
``0.5000``), dates, e-mail addresses in lower case, text as the import keeps it (a
formula-safe ``'`` removed, line breaks as ``\\n``). What is compared, per project:

- its row of projects.csv, and what its decisions make of it (status, gate, decisions,
  the latest probability, the funding granted);
- its decisions, in their order (the order the import numbers them in);
- its spend entries as a multiset (their order in the file means nothing), and its
  outcome months;
- its votes of decided reviews and its kill criteria (a replace rewrites them even when
  the files have none), and the votes of its open review when the files have some;
- its estimate when estimates.csv has a row for it; the artifacts artifacts.csv lists
  for it; its artifact uses and adoption months when those files are present: what a
  replace would rewrite from each file (docs/interchange.md, "Optional files in a replace").

What the files do not carry (scorecards, vote reminders, the feasibility study, …) is not
compared: an unchanged project keeps all of it, which a replace would archive.

Each side is reduced to a fingerprint per project, made the same way from the files' parsed
rows and from the database's: the rows but spend, each written as text by one function for
both sides and sorted where their order means nothing, hashed (SHA-256); then, for the
projects alike in all that, the spend, by far the most rows (a million at 5,000 projects):
the SHA-256 of the project's entries written as lines (``spend_line``: as the export
writes the values) sorted and joined, so that they compare as a multiset, whatever their
order. PostgreSQL works out its side in one statement (``_SPEND_DIGEST``), no entry
becoming a Python object, while a thread reads spend.csv, keeping only the lines of the
project being read. Any row the comparison cannot read makes its project changed:
archiving an unchanged project is the safe error, skipping a change is not.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from gates.interchange.checks import Counter, Plan, Progress
from gates.interchange.database import among, chunks
from gates.interchange.format import (
    MAX_MONEY_DIGITS,
    OUTCOMES,
    PROJECTS,
    SPEND,
    SPEND_CATEGORIES,
    Problems,
    Row,
    parse_outcome,
    parse_spend,
)
from gates.interchange.reading import CsvFile, Source
from gates.interchange.spend_pass import SPEND_BLOCK_BYTES, SPEND_FAST_CELLS, SPEND_ORDER, SpendPass
from gates.models import ArchitectureEstimate, GateDecision, KillCriterion, Vote
from portfolio.interchange_format import ADOPTION, ARTIFACT_USES, ARTIFACTS
from portfolio.models import Adoption, Artifact, ArtifactReuse, Outcome, Project, SpendEntry
from portfolio.sql_text import render

# --- One way of writing a value, for both sides ----------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


def _whole(value) -> str:
    return "" if value is None else str(int(value))


def _day(value: datetime.date | None) -> str:
    return "" if value is None else value.isoformat()


def _cents(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _number(value: Decimal | None) -> str:
    """A probability, a target, a total: its value, whatever its trailing zeros."""
    return "" if value is None else format(value.normalize(), "f")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


Formats = tuple[Callable[[object], str], ...]

# Each kind of row, as the values both sides give in this order.
PROJECT: Formats = (
    _text,  # key (as written: a replace would rewrite its case)
    _text,  # title
    _text,  # research_type
    _text,  # bucket
    _text,  # researcher
    _text,  # product_manager
    _day,  # submitted_on
    _text,  # value_kind
    _cents,  # projected_low
    _cents,  # projected_expected
    _cents,  # projected_high
    _number,  # probability_of_success
    _cents,  # next_stage_ask (an ask of 0 is none)
    _text,  # status ... and the rest, what the decisions make of the project
    _whole,  # current_gate
    _whole,  # decisions_count
    _day,  # last_decision_on
    _number,  # latest_probability
    _cents,  # funding_granted_total
)
DECISION: Formats = (_whole, _whole, _day, _text, _cents, _text, _number, _text)
OUTCOME: Formats = (_day, _cents)
ESTIMATE: Formats = (_day, _cents, _cents, _whole, _cents, _text)
VOTE: Formats = (_whole, _whole, _text, _text, _number, _text, _number)
KILL_CRITERION: Formats = (
    _whole,  # the decision that registered it
    _whole,  # position
    _whole,  # gate
    _text,  # statement
    _text,  # comparison
    _number,  # target
    _yes_no,  # met
    _whole,  # judged by
    _text,  # note (of the verdict)
)
ARTIFACT: Formats = (_text, _text, _text, _day)
USE: Formats = (_text, _day)
ADOPTION_MONTH: Formats = (_day, _whole, _whole, _cents, _cents)


def _rows(formats: Formats, rows: Iterable[tuple], *, ordered: bool = False) -> list[list[str]]:
    written = [[write(value) for write, value in zip(formats, row, strict=True)] for row in rows]
    return written if ordered else sorted(written)


@dataclass
class Held:
    """What one side holds of one project, as rows of values (each kind in its FORMATS)."""

    project: tuple = ()
    decisions: list[tuple] = field(default_factory=list)  # in their order
    outcomes: list[tuple] = field(default_factory=list)
    estimate: tuple | None = None
    votes: list[tuple] = field(default_factory=list)
    kill_criteria: list[tuple] = field(default_factory=list)
    artifacts: list[tuple] = field(default_factory=list)
    uses: list[tuple] = field(default_factory=list)
    adoption: list[tuple] = field(default_factory=list)

    def fingerprint(self) -> bytes:
        parts = [
            _rows(PROJECT, [self.project]),
            _rows(DECISION, self.decisions, ordered=True),
            _rows(OUTCOME, self.outcomes),
            _rows(ESTIMATE, [self.estimate] if self.estimate else []),
            _rows(VOTE, self.votes),
            _rows(KILL_CRITERION, self.kill_criteria),
            _rows(ARTIFACT, self.artifacts),
            _rows(USE, self.uses),
            _rows(ADOPTION_MONTH, self.adoption),
        ]
        text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


# --- Spend: a multiset digest --------------------------------------------------------------------


def spend_line(spent_on: datetime.date, amount: Decimal, category: str, note: str) -> str:
    """A spend entry as the digest reads it: its values as the export writes them, on one
    line (the note's backslashes doubled, its line breaks written as a backslash and n,
    as ``_SPEND_DIGEST`` writes them)."""
    if "\\" in note or "\n" in note:
        note = note.replace("\\", "\\\\").replace("\n", "\\n")
    return f"{spent_on.isoformat()},{amount:.2f},{category},{note}"


def spend_digest(lines: list[str]) -> bytes:
    """A project's spend entries, whatever their order: the SHA-256 of their lines sorted
    (by code point, which is UTF-8's byte order) and joined by line breaks. ``lines`` is
    sorted in place."""
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).digest()


# PostgreSQL's side: each project's digest, its lines written as spend_line writes them
# (numeric(16,2) as text has its two decimals) and sorted byte by byte (COLLATE "C": given
# to the line where it is made, as a collation in the ORDER BY made PostgreSQL write each
# line twice, 1.5 s against 1.0 s at 1M entries).
_SPEND_DIGEST = r"""
    SELECT project_id, sha256(convert_to(string_agg(line, E'\n' ORDER BY line), 'UTF8'))
    FROM (
        SELECT project_id, (
            to_char(spent_on, 'YYYY-MM-DD') || ',' || CAST(amount AS text) || ','
            || category || ',' || replace(replace(note, '\', '\\'), E'\n', '\n')
        ) COLLATE "C" AS line
        FROM {spend}
        WHERE project_id = ANY(%s)
    ) AS entries
    GROUP BY project_id
"""


def _database_spend(project_ids: list[int]) -> dict[int, bytes]:
    """Each project's spend digest (none for a project without spend)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(render(_SPEND_DIGEST, {}), [project_ids])
            return {pk: bytes(digest) for pk, digest in cursor.fetchall()}
    lines: dict[int, list[str]] = defaultdict(list)
    for pk, *values in SpendEntry.objects.filter(project_id__in=project_ids).values_list(
        "project_id", "spent_on", "amount", "category", "note"
    ):
        lines[pk].append(spend_line(*values))
    return {pk: spend_digest(rows) for pk, rows in lines.items()}


# A run of lines of spend.csv of one project, in the usual column order, whose cells the
# import keeps exactly as written (SPEND_FAST_CELLS: it writes them to the database as they
# are; a note without a backslash) with each amount written as the export writes it (two
# decimals, no leading zero): each line after the key is then what spend_line writes.
_CANONICAL_REST = "{spent_on},{amount},{category},{note}".format(
    spent_on=SPEND_FAST_CELLS["spent_on"],
    amount=r"(?:0|[1-9][0-9]{0," + str(MAX_MONEY_DIGITS - 1) + r"})\.[0-9]{2}",
    category="(?:" + "|".join(re.escape(c) for c in SPEND_CATEGORIES) + ")",
    note=SPEND_FAST_CELLS["note"],
)
_CANONICAL_RUN = re.compile(
    f"({SPEND_FAST_CELLS['project']}),{_CANONICAL_REST}\n(?:\\1,{_CANONICAL_REST}\n)*"
)
_CANONICAL_LINE = re.compile(f"({SPEND_FAST_CELLS['project']}),({_CANONICAL_REST})")
# A project's rows scattered through the file (not one run) are gathered by further passes,
# this many rows at most at a time: memory stays bounded whatever the file's order.
SCATTERED_ROWS_PER_PASS = 200_000


class _FileSpend:
    """spend.csv read for the spend digests of the projects ``wanted``.

    A project's rows are usually one run (exports and the generator write them by
    project): each run is digested as the file is read, and only its lines are held. A
    project whose rows are spread over the file is digested by further passes, that gather
    the rows of a few such projects each. Plain blocks go a run at a time through a regular
    expression that also tells that the rows are written as the export writes them; any
    other row is read as the import reads it (``Row``), and one it cannot read makes its
    project changed."""

    def __init__(self, source: Source, plan: Plan, wanted: set[str], progress: Progress | None):
        self.source = source
        self.dates = plan.dates
        self.wanted = wanted
        self.progress = progress
        self.digests: dict[str, bytes] = {}
        self.unreadable: set[str] = set()
        self._reading = wanted  # the projects whose rows a pass reads (the others: their keys)
        # The first pass: the project of the run being read, and its lines so far.
        self._current: str | None = None
        self._pending: list[str] = []
        self._rows_of: dict[str, int] = defaultdict(int)
        self._scattered: set[str] = set()
        self._gathering: dict[str, list[str]] = {}  # a further pass's projects

    def read(self) -> None:
        self._pass(self._in_runs, Counter(self.progress, "comparing", SPEND))
        self._end_run(None)
        batch: list[str] = []
        rows = 0
        for key in sorted(self._scattered):
            if batch and rows + self._rows_of[key] > SCATTERED_ROWS_PER_PASS:
                self._gather(batch)
                batch, rows = [], 0
            batch.append(key)
            rows += self._rows_of[key]
        if batch:
            self._gather(batch)

    def _gather(self, keys: list[str]) -> None:
        self._gathering = {key: [] for key in keys}
        self._reading = set(keys)
        self._pass(self._gathered, None)
        for key, lines in self._gathering.items():
            self.digests[key] = spend_digest(lines)
        self._gathering = {}

    # -- what each pass does with a run of one project's lines (none: another's)

    def _in_runs(self, key: str, lines: list[str]) -> None:
        if key != self._current:
            self._end_run(key)
        if key in self.wanted:
            self._rows_of[key] += len(lines)
            if key not in self._scattered:
                self._pending.extend(lines)

    def _end_run(self, following: str | None) -> None:
        ended = self._current
        if ended in self.wanted and ended not in self._scattered:
            self.digests[ended] = spend_digest(self._pending)
        self._pending = []
        self._current = following
        if following in self.digests:  # seen before: its rows are spread over the file
            del self.digests[following]
            self._scattered.add(following)

    def _gathered(self, key: str, lines: list[str]) -> None:
        gathering = self._gathering.get(key)
        if gathering is not None:
            gathering.extend(lines)

    # -- reading the file

    def _pass(self, take, counter: Counter | None) -> None:
        if not self.source.streams:  # a workbook's sheet
            with self.source.rows(SPEND, Problems()) as rows:
                self._rows(rows, take, counter)
        else:
            with self.source.open(SPEND) as stream:
                first = stream.readline()
                header = first.removeprefix(b"\xef\xbb\xbf")
                text = SpendPass._plain_text(header) if header.endswith(b"\n") else None
                if text is None or [c.strip() for c in text[:-1].split(",")] != SPEND_ORDER:
                    rest = itertools.chain([first], iter(stream.readline, b""))
                    self._rows(CsvFile(None, SPEND, Problems(), raw_lines=rest), take, counter)
                else:
                    self._blocks(stream, take, counter)
        if counter is not None:
            counter.done()

    def _blocks(self, stream, take, counter: Counter | None) -> None:
        line = 2  # of the block's first row
        while block := stream.read(SPEND_BLOCK_BYTES):
            if not block.endswith(b"\n"):
                block += stream.readline()  # whole lines only
            text = SpendPass._plain_text(block)
            if text is None:  # quotes or the like: the rest of the file the general way
                rest = itertools.chain(
                    iter(io.BytesIO(block).readline, b""), iter(stream.readline, b"")
                )
                csv_rows = CsvFile(
                    None, SPEND, Problems(), raw_lines=rest, first_line=line, header=SPEND_ORDER
                )
                self._rows(csv_rows, take, counter)
                return
            count = text.count("\n")
            if not self._runs(text, take):
                self._lines(text, line, take)
            line += count
            if counter is not None:
                counter.add(count)

    @staticmethod
    def _runs(text: str, take) -> bool:
        """The block a run of one project at a time; False, taking nothing, if a line is
        not written as the export writes it."""
        runs = []
        end = 0
        for run in _CANONICAL_RUN.finditer(text):
            if run.start() != end:
                return False
            end = run.end()
            runs.append((run.group(1), run.group()))
        if end != len(text):
            return False
        for key, rows in runs:
            take(key, rows[len(key) + 1 : -1].replace(f"\n{key},", "\n").split("\n"))
        return True

    def _lines(self, text: str, first: int, take) -> None:
        for index, cells in enumerate(text.split("\n")[:-1]):
            match = _CANONICAL_LINE.fullmatch(cells)
            if match is not None:
                take(match.group(1), [match.group(2)])
                continue
            values = cells.split(",")
            if not any(value.strip() for value in values):
                continue  # a blank line
            if len(values) != len(SPEND_ORDER):
                continue  # a problem of the import's, which refuses the files
            self._row(first + index, dict(zip(SPEND_ORDER, values, strict=True)), take)

    def _rows(self, rows: Iterable[tuple[int, dict[str, str]]], take, counter) -> None:
        for line, values in rows:
            if counter is not None:
                counter.tick()
            self._row(line, values, take)

    def _row(self, line: int, values: dict[str, str], take) -> None:
        row = Row(SPEND, line, values, Problems())
        key = row.raw("project")
        if key not in self._reading:
            take(key, [])  # the run of another project
            return
        parsed = parse_spend(row, self.dates)
        if parsed is None:
            self.unreadable.add(key)
            return
        take(
            key,
            [spend_line(parsed["spent_on"], parsed["amount"], parsed["category"], parsed["note"])],
        )


# --- The files' side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compared:
    """What of the optional files' data a replace would rewrite, so what both sides compare:
    told by the files (their checked rows), the same for both."""

    with_estimate: frozenset[str]  # keys with a row in estimates.csv
    with_open_votes: frozenset[str]  # keys with votes of their open review in votes.csv
    artifact_keys: frozenset[str]  # of artifacts.csv, in lower case
    files: frozenset[str]  # the optional files present (artifacts.csv, …)

    @classmethod
    def of(cls, plan: Plan) -> Compared:
        assets = plan.assets
        return cls(
            with_estimate=frozenset(row["project"] for row in plan.estimates),
            with_open_votes=frozenset(
                row["project"] for row in plan.panel.votes if row["sequence"] is None
            ),
            artifact_keys=frozenset(
                row["key"].lower() for row in (assets.artifacts if assets else ())
            ),
            files=frozenset(assets.files if assets else ()),
        )


def _file_outcomes(
    source: Source, plan: Plan, wanted: set[str], progress: Progress | None
) -> tuple[dict[str, list[tuple]], set[str]]:
    outcomes: dict[str, list[tuple]] = defaultdict(list)
    unreadable: set[str] = set()
    counter = Counter(progress, "comparing", OUTCOMES)
    problems = Problems()
    with source.rows(OUTCOMES, problems) as rows:
        for line, values in rows:
            counter.tick()
            row = Row(OUTCOMES, line, values, problems)
            key = row.raw("project")
            if key not in wanted:
                continue
            parsed = parse_outcome(row, plan.dates)
            if parsed is None:
                unreadable.add(key)
            else:
                outcomes[key].append((parsed["month"], parsed["realized_value"]))
    counter.done()
    return outcomes, unreadable


def _held_in_files(
    plan: Plan, wanted: set[str], outcomes: dict[str, list[tuple]]
) -> dict[str, Held]:
    held = {key: Held() for key in wanted}
    for parsed in plan.project_rows:
        key = parsed["key"]
        if key not in held:
            continue
        state = plan.projects[key]
        held[key].project = (
            key,
            parsed["title"],
            parsed["research_type"],
            parsed["bucket"],
            parsed["researcher"],
            parsed["product_manager"],
            parsed["submitted_on"],
            parsed["value_kind"],
            parsed["projected_low"],
            parsed["projected_expected"],
            parsed["projected_high"],
            parsed["probability_of_success"],
            parsed["next_stage_ask"] or None,  # as the import writes it
            state.status,
            state.current_gate,
            state.decisions_count,
            state.last_decision_on,
            state.latest_probability,
            state.funding_total,
        )
        held[key].decisions = [
            (
                d.sequence,
                d.gate,
                d.decided_on,
                d.decision,
                d.funding,
                d.decided_by,
                d.probability,
                d.rationale,
            )
            for d in plan.projects[key].decisions
        ]
        held[key].outcomes = outcomes.get(key, [])
    for parsed in plan.estimates:
        if parsed["project"] in held:
            held[parsed["project"]].estimate = (
                parsed["estimated_on"],
                parsed["build_cost"],
                parsed["monthly_run_cost"],
                parsed["retrains_per_year"],
                parsed["cost_per_retrain"],
                parsed["estimated_by"],
            )
    for vote in plan.panel.votes:
        if vote["project"] in held:
            held[vote["project"]].votes.append(
                (
                    vote["sequence"],
                    vote["gate"],
                    vote["voter"],
                    vote["recommendation"],
                    vote["probability_of_success"],
                    vote["comment"],
                    vote["scorecard_total"],
                )
            )
    for criterion in plan.panel.kill_criteria:
        if criterion["project"] in held:
            judged = criterion["met"] is not None
            held[criterion["project"]].kill_criteria.append(
                (
                    criterion["sequence"],
                    criterion["position"],
                    criterion["gate"],
                    criterion["statement"],
                    criterion["comparison"],
                    criterion["target"],
                    criterion["met"],
                    criterion["judged_by"],
                    criterion["note"] if judged else "",  # the import keeps a verdict's only
                )
            )
    assets = plan.assets
    if assets is not None:
        for artifact in assets.artifacts:
            if artifact["project"] in held:
                held[artifact["project"]].artifacts.append(
                    (artifact["key"], artifact["name"], artifact["kind"], artifact["created_on"])
                )
        for use in assets.uses:
            if use["project"] in held:
                held[use["project"]].uses.append((use["artifact"].lower(), use["used_on"]))
        for month in assets.adoption:
            if month["project"] in held:
                held[month["project"]].adoption.append(
                    (
                        month["month"],
                        month["active_users"],
                        month["tasks_completed"],
                        month["minutes_per_task"],
                        month["baseline_minutes_per_task"],
                    )
                )
    return held


# --- The database's side ---------------------------------------------------------------------------


def _held_in_database(ids: dict[int, str], files: Compared) -> dict[int, Held]:
    """What the app holds of these projects (id -> key), as _held_in_files reads the files;
    of the optional files, only what a replace would rewrite from them."""
    held = {pk: Held() for pk in ids}
    chunk = among(ids)
    for pk, *values in Project.objects.filter(pk__in=chunk).values_list(
        "pk",
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
        "status",
        "current_gate",
        "decisions_count",
        "last_decision_on",
        "latest_probability",
        "funding_granted_total",
    ):
        held[pk].project = tuple(values)
    for pk, *values in (
        GateDecision.objects.filter(project_id__in=chunk)
        .order_by("project_id", "sequence")
        .values_list(
            "project_id",
            "sequence",
            "gate__number",
            "decided_on",
            "decision",
            "funding_granted",
            "decided_by__email",
            "probability_of_success",
            "rationale",
        )
    ):
        held[pk].decisions.append(tuple(values))
    for pk, *values in Outcome.objects.filter(project_id__in=chunk).values_list(
        "project_id", "month", "realized_value"
    ):
        held[pk].outcomes.append(tuple(values))
    with_estimate = [pk for pk, key in ids.items() if key in files.with_estimate]
    for pk, revised, *values, author in ArchitectureEstimate.objects.filter(
        project_id__in=with_estimate
    ).values_list(
        "project_id",
        "updated_at",
        "build_cost",
        "monthly_run_cost",
        "retraining_cadence",
        "cost_per_retrain",
        "author__email",
    ):
        build, run, cadence, per_retrain = values
        held[pk].estimate = (
            timezone.localdate(revised),  # as the export writes it
            build,
            run,
            ArchitectureEstimate.RETRAINS_PER_YEAR[cadence],
            per_retrain,
            author,
        )
    with_open_votes = {pk for pk, key in ids.items() if key in files.with_open_votes}
    for pk, *values in Vote.objects.filter(project_id__in=chunk).values_list(
        "project_id",
        "decision__sequence",
        "gate__number",
        "voter__email",
        "recommendation",
        "probability_of_success",
        "comment",
        "scorecard_total",
    ):
        # An open review's votes, which an export leaves out, are kept by a replace when
        # the files have none for it (gates.interchange.panel.open_reviews_to_keep).
        if values[0] is not None or pk in with_open_votes:
            held[pk].votes.append(tuple(values))
    for pk, *values in KillCriterion.objects.filter(project_id__in=chunk).values_list(
        "project_id",
        "decision__sequence",
        "position",
        "gate__number",
        "statement",
        "comparison",
        "target",
        "verdict__met",
        "verdict__decision__sequence",
        "verdict__note",
    ):
        *rest, note = values
        held[pk].kill_criteria.append((*rest, note or ""))
    if ARTIFACTS in files.files:
        # A replace rewrites the artifacts the file lists, and keeps the others.
        for pk, key, *values in Artifact.objects.filter(project_id__in=chunk).values_list(
            "project_id", "key", "name", "kind", "created_on"
        ):
            if key.lower() in files.artifact_keys:
                held[pk].artifacts.append((key, *values))
    if ARTIFACT_USES in files.files:
        for pk, artifact, used_on in ArtifactReuse.objects.filter(project_id__in=chunk).values_list(
            "project_id", "artifact__key", "used_on"
        ):
            held[pk].uses.append((artifact.lower(), used_on))
    if ADOPTION in files.files:
        for pk, *values in Adoption.objects.filter(project_id__in=chunk).values_list(
            "project_id",
            "month",
            "active_users",
            "tasks_completed",
            "minutes_per_task",
            "baseline_minutes_per_task",
        ):
            held[pk].adoption.append(tuple(values))
    return held


class _SpendReading(threading.Thread):
    """The files' spend digests, read while the caller's thread waits for the database's."""

    def __init__(self, spend: _FileSpend):
        super().__init__(name="import-compare-spend", daemon=True)
        self.spend = spend
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.spend.read()
        except BaseException as exc:  # re-raised in the caller's thread
            self.error = exc


def unchanged_keys(source: Source, plan: Plan, progress: Progress | None = None) -> set[str]:
    """The keys of the projects of the app whose rows in the files are what the app holds,
    compared with the database as it is now (in a replace: inside its transaction).

    Everything but the spend first; then the spend of the projects alike in the rest, the
    most rows by far: the file's read on a thread (Python, no database) while PostgreSQL
    works out its side."""
    ids = {
        state.existing_id: key
        for key, state in plan.projects.items()
        if state.existing_id is not None and not state.decisions_broken
    }
    if not ids:
        return set()
    outcomes, unreadable = _file_outcomes(source, plan, set(ids.values()), progress)
    in_files = _held_in_files(plan, set(ids.values()), outcomes)
    compared = Compared.of(plan)
    alike: dict[int, str] = {}
    # A few queries for all (a parameter per id on SQLite: fewer at a time).
    size = 5000 if connection.vendor == "postgresql" else 500
    for chunk in chunks(sorted(ids), size):
        held = _held_in_database({pk: ids[pk] for pk in chunk}, compared)
        alike.update(
            (pk, ids[pk])
            for pk in chunk
            if ids[pk] not in unreadable
            and held[pk].fingerprint() == in_files[ids[pk]].fingerprint()
        )
    if progress is not None:
        progress("comparing", PROJECTS, len(ids), True)
    if not alike:
        return set()
    files = _FileSpend(source, plan, set(alike.values()), progress)
    reading = _SpendReading(files)
    reading.start()
    try:
        spend: dict[int, bytes] = {}
        for chunk in chunks(sorted(alike), size):
            spend.update(_database_spend(chunk))
    finally:
        reading.join()
    if reading.error is not None:
        raise reading.error
    return {
        key
        for pk, key in alike.items()
        if key not in files.unreadable and spend.get(pk) == files.digests.get(key)
    }


def leave_unchanged(plan: Plan, keys: set[str]) -> None:
    """Mark these projects unchanged and take their rows out of what the import writes."""
    if not keys:
        return
    for key in keys:
        plan.projects[key].unchanged = True
    plan.project_rows = [row for row in plan.project_rows if row["key"] not in keys]
    plan.estimates = [row for row in plan.estimates if row["project"] not in keys]
    plan.panel.votes = [row for row in plan.panel.votes if row["project"] not in keys]
    plan.panel.kill_criteria = [
        row for row in plan.panel.kill_criteria if row["project"] not in keys
    ]
    if plan.assets is not None:
        assets = plan.assets
        assets.artifacts = [row for row in assets.artifacts if row["project"] not in keys]
        assets.uses = [row for row in assets.uses if row["project"] not in keys]
        assets.adoption = [row for row in assets.adoption if row["project"] not in keys]
