"""The decision panel's two optional files: votes.csv and kill_criteria.csv.

A decision is named by its project and its number in the project's history
(1 for the first decision, in the order gate_decisions.csv records them, the
order an export writes). Both files are checked after gate_decisions.csv, so
that each row can be held to the decision it names; every problem is listed
as ``FILE:LINE: column: message`` and nothing is written on any error.

What stays in the app, as a decision's own scorecard does: each vote's
per-criterion scores and each gatekeeper's marks on the kill criteria.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from gates.interchange.format import NUMBER_PATTERN, Problems, Row
from gates.interchange.reading import Source
from gates.models import (
    DecisionKind,
    GateDecision,
    KillCriterion,
    KillCriterionMark,
    KillCriterionVerdict,
    Vote,
    VoteReminder,
    VoteScore,
)
from gates.models.panel import COMMENT_MAX
from portfolio import process
from portfolio.interchange_format import KILL_CRITERIA, VOTES, formula_safe
from portfolio.sql_text import statement

RECOMMENDATIONS = tuple(DecisionKind.values)
COMPARISONS = tuple(KillCriterion.Comparison.values)
MAX_STATEMENT = 500
MAX_TARGET_DIGITS = 11  # 15 digits, 4 of them decimals: read back exactly everywhere


@dataclass
class PanelRows:
    """The checked rows of both files, to write once the decisions are written."""

    votes: list[dict] = field(default_factory=list)
    kill_criteria: list[dict] = field(default_factory=list)


def _decision_number(row: Row, column: str, *, optional: bool = False) -> int | None:
    value = row.raw(column)
    if not value:
        if not optional:
            row.problem(
                column, "a value is required: the decision's number in its project (1, 2, …)"
            )
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # not "２" (full width)
        row.problem(column, f"{value!r} is not a decision number (1 for the project's first)")
        return None
    return int(value)


def _decision_of(row: Row, column: str, state, number: int | None):
    """The project's ``number``-th decision from gate_decisions.csv, or a problem."""
    if number is None or state.decisions_broken:
        return None
    if number > len(state.decisions):
        row.problem(
            column,
            f"the project has {len(state.decisions)} decision"
            f"{'s' if len(state.decisions) != 1 else ''} in gate_decisions.csv, not {number}",
        )
        return None
    return state.decisions[number - 1]


def check_votes(source: Source, plan, problems: Problems, rows: PanelRows) -> None:
    """votes.csv: one row per gatekeeper and decision (or the open review, no decision)."""
    seen: dict[tuple, int] = {}
    with source.rows(VOTES, problems) as file_rows:
        for line, values in file_rows:
            row = Row(VOTES, line, values, problems)
            key = row.required("project")
            number = _decision_number(row, "decision", optional=True)
            gate = row.choice("gate", ("1", "2", "3", "4"))
            voter = row.email("voter")
            recommendation = row.raw("recommendation")
            if recommendation and recommendation not in RECOMMENDATIONS:
                row.problem(
                    "recommendation",
                    f"{recommendation!r} is not one of: {', '.join(RECOMMENDATIONS)}, "
                    "or empty for a gatekeeper who did not vote",
                )
            probability = row.probability("probability_of_success", optional=True)
            total = row.raw("scorecard_total")
            scorecard_total = None
            if total:
                try:
                    if not NUMBER_PATTERN.match(total):  # not 1_0, NaN or "２"
                        raise InvalidOperation
                    scorecard_total = Decimal(total)
                    if scorecard_total < 0 or scorecard_total.as_tuple().exponent < -2:
                        raise InvalidOperation
                except InvalidOperation:
                    row.problem("scorecard_total", f"{total!r} is not a total ≥ 0 (2 decimals)")
            comment = row.free_text("comment", max_length=COMMENT_MAX)
            state = plan.projects.get(key) if key else None
            if key and state is None and plan.projects_readable:
                row.problem("project", f"unknown project key {key!r} (not in projects.csv)")
            if not row.ok or state is None:
                continue
            decision = _decision_of(row, "decision", state, number)
            if number is not None and decision is None:
                continue
            if decision is not None and str(decision.gate) != gate:
                row.problem(
                    "gate", f"decision {number} of {key} is at gate {decision.gate}, not {gate}"
                )
                continue
            if decision is None:
                if state.status not in ("active", "on_hold") or str(state.current_gate) != gate:
                    row.problem(
                        "decision",
                        "a vote without a decision belongs to the open review: "
                        f"{key} is not at gate {gate} now",
                    )
                    continue
                if not recommendation:
                    row.problem("recommendation", "a vote in an open review recommends something")
                    continue
            ident = (key, number, voter)
            if ident in seen:
                row.problem(
                    "voter", f"{voter} already has a vote for this decision (line {seen[ident]})"
                )
                continue
            seen[ident] = line
            plan.people.add(voter)
            rows.votes.append(
                {
                    "project": key,
                    "sequence": number,
                    "gate": int(gate),
                    "voter": voter,
                    "recommendation": recommendation,
                    "probability_of_success": probability,
                    "comment": comment,
                    "scorecard_total": scorecard_total,
                }
            )


def check_kill_criteria(source: Source, plan, problems: Problems, rows: PanelRows) -> None:
    """kill_criteria.csv: registered by a go or a recycle, judged by a later decision."""
    seen: dict[tuple, int] = {}
    judged_by: dict[tuple, int] = {}
    with source.rows(KILL_CRITERIA, problems) as file_rows:
        for line, values in file_rows:
            row = Row(KILL_CRITERIA, line, values, problems)
            key = row.required("project")
            number = _decision_number(row, "decision")
            position = row.choice("position", ("1", "2", "3", "4", "5"))
            statement_text = row.text("statement", max_length=MAX_STATEMENT)
            comparison = row.raw("comparison")
            target = _target(row)
            if comparison and comparison not in COMPARISONS:
                row.problem("comparison", f"{comparison!r} is not one of: {', '.join(COMPARISONS)}")
            elif bool(comparison) != (target is not None) and row.ok:
                row.problem("target", "a number needs a comparison, and a comparison a number")
            met = row.raw("met")
            if met and met not in ("yes", "no"):
                row.problem("met", f"{met!r} is not yes or no (or empty: not judged yet)")
            judge = _decision_number(row, "judged_by", optional=True)
            if bool(met) != (judge is not None) and row.ok:
                row.problem(
                    "judged_by", "a verdict (met) and the decision that gave it go together"
                )
            note = row.free_text("note")
            state = plan.projects.get(key) if key else None
            if key and state is None and plan.projects_readable:
                row.problem("project", f"unknown project key {key!r} (not in projects.csv)")
            if not row.ok or state is None:
                continue
            registering = _decision_of(row, "decision", state, number)
            if registering is None:
                continue
            if registering.decision == process.RECYCLE:
                gate = registering.gate
            elif registering.decision == process.GO and registering.gate < process.LAST_GATE:
                gate = registering.gate + 1
            else:
                row.problem(
                    "decision",
                    f"decision {number} of {key} is a {registering.decision} at gate "
                    f"{registering.gate}: only a go to a next gate or a recycle registers "
                    "kill criteria",
                )
                continue
            if judge is not None:
                judging = _decision_of(row, "judged_by", state, judge)
                if judging is None:
                    continue
                if judge <= number or judging.gate != gate:
                    row.problem(
                        "judged_by",
                        f"decision {judge} of {key} is not a later decision at gate {gate}",
                    )
                    continue
                if judging.decision == "hold":
                    row.problem("judged_by", "a hold gives no verdict: the next decision does")
                    continue
            ident = (key, number, position)
            if ident in seen:
                row.problem("position", f"position {position} is taken (line {seen[ident]})")
                continue
            seen[ident] = line
            if judge is not None:
                judged_by.setdefault((key, number), judge)
            rows.kill_criteria.append(
                {
                    "project": key,
                    "sequence": number,
                    "gate": gate,
                    "position": int(position),
                    "statement": statement_text,
                    "comparison": comparison,
                    "target": target,
                    "met": None if not met else met == "yes",
                    "judged_by": judge,
                    "note": note,
                }
            )


def _target(row: Row) -> Decimal | None:
    value = row.raw("target")
    if not value:
        return None
    try:
        if not NUMBER_PATTERN.match(value):  # not 1_000, Infinity or "２"
            raise InvalidOperation
        target = Decimal(value)
        if not target.is_finite() or target.as_tuple().exponent < -4:
            raise InvalidOperation
        if target.adjusted() >= MAX_TARGET_DIGITS:
            raise InvalidOperation
    except InvalidOperation:
        row.problem(
            "target",
            f"{value!r} is not a number with at most {MAX_TARGET_DIGITS} digits before the "
            "point and 4 after",
        )
        return None
    return target


# --- Writing ---------------------------------------------------------------------------


def _decision_ids(project_ids: list[int]) -> dict[tuple[int, int], int]:
    from gates.interchange.database import chunks  # database imports the checks, which import us

    found = {}
    for chunk in chunks(project_ids, 1000):
        found.update(
            ((project_id, sequence), pk)
            for project_id, sequence, pk in GateDecision.objects.filter(
                project_id__in=chunk
            ).values_list("project_id", "sequence", "id")
        )
    return found


def write_panel(
    rows: PanelRows, people: dict[str, int], project_ids: dict[str, int], gate_ids: dict
) -> tuple[int, int]:
    """Insert the votes and the kill criteria (with their verdicts); returns their counts."""
    from gates.interchange.database import insert_values, new_rows

    if not rows.votes and not rows.kill_criteria:
        return 0, 0
    involved = {project_ids[r["project"]] for r in rows.votes + rows.kill_criteria}
    decisions = _decision_ids(sorted(involved))
    votes = [
        {
            "project_id": project_ids[r["project"]],
            "gate_id": gate_ids[r["gate"]],
            "voter_id": people[r["voter"]],
            "decision_id": decisions[(project_ids[r["project"]], r["sequence"])]
            if r["sequence"]
            else None,
            "recommendation": r["recommendation"],
            "probability_of_success": r["probability_of_success"],
            "comment": r["comment"],
            "scorecard_total": r["scorecard_total"],
            "voted_at": None,
        }
        for r in rows.votes
    ]
    vote_count = insert_values(Vote, *new_rows(Vote, votes)) if votes else 0
    criteria = [
        {
            "decision_id": decisions[(project_ids[r["project"]], r["sequence"])],
            "project_id": project_ids[r["project"]],
            "gate_id": gate_ids[r["gate"]],
            "position": r["position"],
            "statement": r["statement"],
            "comparison": r["comparison"],
            "target": r["target"],
        }
        for r in rows.kill_criteria
    ]
    criteria_count = (
        insert_values(KillCriterion, *new_rows(KillCriterion, criteria)) if criteria else 0
    )
    judged = [r for r in rows.kill_criteria if r["met"] is not None]
    if judged:
        registered = {
            (decision_id, position): pk
            for decision_id, position, pk in KillCriterion.objects.filter(
                project_id__in=sorted(involved)
            ).values_list("decision_id", "position", "id")
        }
        verdicts = [
            {
                "criterion_id": registered[
                    (decisions[(project_ids[r["project"]], r["sequence"])], r["position"])
                ],
                "decision_id": decisions[(project_ids[r["project"]], r["judged_by"])],
                "met": r["met"],
                "note": r["note"],
            }
            for r in judged
        ]
        insert_values(KillCriterionVerdict, *new_rows(KillCriterionVerdict, verdicts))
    return vote_count, criteria_count


def erase_panel(cursor, chunk: list[int]) -> None:
    """A replaced project's panel history, inside the rewrite-flagged transaction."""
    tables = {
        "votes": Vote._meta.db_table,
        "criteria": KillCriterion._meta.db_table,
        "marks_table": KillCriterionMark._meta.db_table,
        "scores": VoteScore._meta.db_table,
        "verdicts": KillCriterionVerdict._meta.db_table,
    }
    for template in (
        "DELETE FROM {marks_table} WHERE vote_id IN "
        "(SELECT id FROM {votes} WHERE project_id IN ({marks}))",
        "DELETE FROM {scores} WHERE vote_id IN "
        "(SELECT id FROM {votes} WHERE project_id IN ({marks}))",
        "DELETE FROM {verdicts} WHERE criterion_id IN "
        "(SELECT id FROM {criteria} WHERE project_id IN ({marks}))",
        "DELETE FROM {votes} WHERE project_id IN ({marks})",
        "DELETE FROM {criteria} WHERE project_id IN ({marks})",
    ):
        cursor.execute(statement(template, marks=len(chunk), **tables), chunk)


# --- An open review kept through a replace ----------------------------------------------


@dataclass
class KeptReviews:
    """The open reviews a replace keeps, read before the projects' history is removed."""

    votes: list[dict] = field(default_factory=list)
    scores: list[dict] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)
    reminders: list[dict] = field(default_factory=list)


def _history_in_files(state, rows: PanelRows, key: str) -> tuple[list, dict]:
    decisions = [(d.gate, d.decision, d.decided_on) for d in state.decisions]
    criteria = {
        (r["sequence"], r["position"]): r["statement"]
        for r in rows.kill_criteria
        if r["project"] == key
    }
    return decisions, criteria


def open_reviews_to_keep(plan) -> KeptReviews:
    """The votes of the replaced projects' open reviews that the replace keeps.

    An export leaves an open review's votes out (blind until the review is decided), so a
    replace from an export would otherwise archive votes people cast and ask them to vote
    again. A review is kept when the files say nothing of it (no votes.csv row without a
    decision for the project) and leave the project's history as it was: the same
    decisions in order, and the kill criteria its votes mark still there with the same
    statements. Otherwise the files open another review, and its votes are archived."""
    from gates.interchange.database import chunks

    spoken = {r["project"] for r in rows_without_decision(plan.panel)}
    candidates = {
        state.existing_id: key
        for key, state in plan.projects.items()
        # An unchanged project keeps its open review: the import leaves it as it is.
        if state.existing_id is not None and not state.unchanged and key not in spoken
    }
    kept = KeptReviews()
    for chunk in chunks(sorted(candidates), 1000):
        votes = list(
            Vote.objects.filter(project_id__in=chunk, decision__isnull=True).values(
                "id",
                "project_id",
                "project__decisions_count",
                "gate_id",
                "voter_id",
                "recommendation",
                "probability_of_success",
                "comment",
                "scorecard_total",
                "voted_at",
            )
        )
        if not votes:
            continue
        projects = {v["project_id"] for v in votes}
        decisions: dict[int, list] = {pk: [] for pk in projects}
        for project_id, gate, kind, day in (
            GateDecision.objects.filter(project_id__in=projects)
            .order_by("project_id", "sequence")
            .values_list("project_id", "gate__number", "decision", "decided_on")
        ):
            decisions[project_id].append((gate, kind, day))
        marks = list(
            KillCriterionMark.objects.filter(vote__in=[v["id"] for v in votes]).values(
                "vote_id",
                "vote__project_id",
                "criterion__decision__sequence",
                "criterion__position",
                "criterion__statement",
                "met",
                "note",
            )
        )
        same = set()
        for project_id in projects:
            key = candidates[project_id]
            in_files, criteria = _history_in_files(plan.projects[key], plan.panel, key)
            marked = {
                (m["criterion__decision__sequence"], m["criterion__position"]): m[
                    "criterion__statement"
                ]
                for m in marks
                if m["vote__project_id"] == project_id
            }
            if in_files == decisions[project_id] and all(
                criteria.get(place) == text for place, text in marked.items()
            ):
                same.add(project_id)
        kept.votes += [v for v in votes if v["project_id"] in same]
        ids = [v["id"] for v in votes if v["project_id"] in same]
        kept.marks += [m for m in marks if m["vote__project_id"] in same]
        kept.scores += list(
            VoteScore.objects.filter(vote__in=ids).values(
                "vote_id", "criterion_id", "met", "score", "weight"
            )
        )
        rounds = {v["project_id"]: v["project__decisions_count"] for v in kept.votes}
        kept.reminders += [
            r
            for r in VoteReminder.objects.filter(project_id__in=sorted(same)).values(
                "project_id", "review_round", "person_id", "kind", "sent_at"
            )
            if r["review_round"] == rounds[r["project_id"]]
        ]
    return kept


def rows_without_decision(rows: PanelRows) -> list[dict]:
    return [r for r in rows.votes if r["sequence"] is None]


def restore_open_reviews(kept: KeptReviews) -> int:
    """Put the kept open reviews back once the files are written: the votes with their
    scorecards, their marks on the (rewritten) kill criteria and the reminders sent."""
    from gates.interchange.database import insert_values, new_rows

    if not kept.votes:
        return 0
    fields = ("project_id", "gate_id", "voter_id", "recommendation")
    fields += ("probability_of_success", "comment", "scorecard_total", "voted_at")
    insert_values(Vote, *new_rows(Vote, [{f: v[f] for f in fields} for v in kept.votes]))
    projects = sorted({v["project_id"] for v in kept.votes})
    new_id = {
        (project_id, voter_id): pk
        for project_id, voter_id, pk in Vote.objects.filter(
            project_id__in=projects, decision__isnull=True
        ).values_list("project_id", "voter_id", "id")
    }
    vote_id = {v["id"]: new_id[(v["project_id"], v["voter_id"])] for v in kept.votes}
    criterion_id = {
        (project_id, sequence, position): pk
        for project_id, sequence, position, pk in KillCriterion.objects.filter(
            project_id__in=projects
        ).values_list("project_id", "decision__sequence", "position", "id")
    }
    if kept.scores:
        insert_values(
            VoteScore,
            *new_rows(
                VoteScore,
                [
                    {
                        "vote_id": vote_id[s["vote_id"]],
                        "criterion_id": s["criterion_id"],
                        "met": s["met"],
                        "score": s["score"],
                        "weight": s["weight"],
                    }
                    for s in kept.scores
                ],
            ),
        )
    if kept.marks:
        insert_values(
            KillCriterionMark,
            *new_rows(
                KillCriterionMark,
                [
                    {
                        "vote_id": vote_id[m["vote_id"]],
                        "criterion_id": criterion_id[
                            (
                                m["vote__project_id"],
                                m["criterion__decision__sequence"],
                                m["criterion__position"],
                            )
                        ],
                        "met": m["met"],
                        "note": m["note"],
                    }
                    for m in kept.marks
                ],
            ),
        )
    if kept.reminders:
        insert_values(VoteReminder, *new_rows(VoteReminder, kept.reminders))
    return len(kept.votes)


# --- Export ------------------------------------------------------------------------------


def _number(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def vote_rows(submitted):
    """The votes of decided reviews. An open review's votes are blind until it is decided
    (docs/decision-panel.md): an export, which anyone who exports may read, is history and
    leaves them out; a replace from it keeps them (``open_reviews_to_keep``)."""
    for key, sequence, gate, voter, recommendation, probability, comment, total in (
        Vote.objects.filter(project__in=submitted, decision__isnull=False)
        .order_by("project__key", "decision__sequence", "voter__email")
        .values_list(
            "project__key",
            "decision__sequence",
            "gate__number",
            "voter__email",
            "recommendation",
            "probability_of_success",
            "comment",
            "scorecard_total",
        )
        .iterator(chunk_size=2000)
    ):
        yield [
            formula_safe(key),
            sequence or "",
            gate,
            formula_safe(voter),
            recommendation,
            _number(probability),
            formula_safe(comment),
            _number(total),
        ]


def kill_criterion_rows(submitted):
    for key, sequence, position, text, comparison, target, met, judge, note in (
        KillCriterion.objects.filter(project__in=submitted)
        .order_by("project__key", "decision__sequence", "position")
        .values_list(
            "project__key",
            "decision__sequence",
            "position",
            "statement",
            "comparison",
            "target",
            "verdict__met",
            "verdict__decision__sequence",
            "verdict__note",
        )
        .iterator(chunk_size=2000)
    ):
        yield [
            formula_safe(key),
            sequence,
            position,
            formula_safe(text),
            comparison,
            _number(target),
            "" if met is None else ("yes" if met else "no"),
            judge or "",
            formula_safe(note or ""),
        ]
