"""Format version 3's optional files: artifacts, their uses by other projects, adoption.

``artifacts.csv``, ``artifact_uses.csv`` and ``adoption.csv`` (docs/interchange.md)
are checked with the rest, before anything is written, and written after the
projects. A folder without them imports as before; an export writes each only
when it has rows. In a replace, ``artifact_uses.csv`` and ``adoption.csv`` are the
replaced projects' uses and adoption when present, even with only their header (none);
absent, the projects keep their own (``AssetPlan.files``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.db.models.functions import Lower
from django.utils import timezone

from gates.interchange.checks import (
    REPLACE_ADVICE,
    Counter,
    Plan,
    Progress,
    add_existing_keys,
    greenlit_month_ok,
    unknown_key,
)
from gates.interchange.database import chunks, insert_values, new_rows
from gates.interchange.format import (
    NUMBER_PATTERN,
    Problems,
    Row,
    as_one_line,
    formula_safe,
)
from gates.interchange.reading import Source
from portfolio import counts
from portfolio.interchange_format import (
    ADOPTION,
    ARTIFACT_USES,
    ARTIFACTS,
    KEY_PATTERN,
    MAX_TITLE_LENGTH,
)
from portfolio.models import Adoption, Artifact, ArtifactKind, ArtifactReuse, Status

ARTIFACT_KINDS = tuple(ArtifactKind.values)
# A month's count and minutes per task: the app's limits (portfolio.counts), as on the page.
MAX_COUNT = counts.LARGEST_COUNT


# --- Parsing ---------------------------------------------------------------------------


def _count(row: Row, column: str) -> int | None:
    value = row.required(column)
    if value is None:
        return None
    if not value.isdigit():
        row.problem(column, f"{value!r} is not a whole number of 0 or more")
        return None
    # Measured by its digits first: int() refuses a string of thousands of them.
    if len(value.lstrip("0")) > len(str(MAX_COUNT)) or int(value) > MAX_COUNT:
        shown = value if len(value) <= 30 else f"{value[:12]}… ({len(value)} digits)"
        row.problem(
            column,
            f"{shown} is more than {counts.LARGEST_COUNT_TEXT}, the largest count of a month "
            "Greenlight keeps",
        )
        return None
    return int(value)


def _minutes(row: Row, column: str, *, positive: bool) -> Decimal | None:
    value = row.raw(column)
    if not value:
        return None
    if not NUMBER_PATTERN.match(value):
        row.problem(column, f"{value!r} is not a number of minutes (12.5)")
        return None
    minutes = Decimal(value)
    if minutes.as_tuple().exponent < -2:
        row.problem(column, f"{value!r} has more than 2 decimal places")
    elif positive and minutes <= 0:
        row.problem(column, f"{value} must be greater than 0")
    elif minutes < 0:
        row.problem(column, f"{value} must not be negative")
    elif counts.minutes_too_large(minutes):
        row.problem(
            column,
            f"{value} is more than {counts.LARGEST_MINUTES_TEXT} minutes, the longest task "
            "Greenlight keeps",
        )
    else:
        return minutes.quantize(Decimal("0.01"))
    return None


def parse_artifact(row: Row, today: datetime.date) -> dict | None:
    key = row.required("key")
    if key is not None and not KEY_PATTERN.match(key):
        row.problem("key", f"{key!r} is not a key: use 1–32 letters, digits, - or _")
    values = {
        "key": key,
        "name": row.one_line("name", max_length=MAX_TITLE_LENGTH),
        "kind": row.choice("kind", ARTIFACT_KINDS),
        "project": row.required("project"),
        "created_on": row.date("created_on", not_after=today),
    }
    return values if row.ok else None


def parse_use(row: Row, today: datetime.date) -> dict | None:
    values = {
        "artifact": row.required("artifact"),
        "project": row.required("project"),
        "used_on": row.date("used_on", not_after=today),
    }
    return values if row.ok else None


def parse_adoption(row: Row, today: datetime.date) -> dict | None:
    month = row.date("month", not_after=today)
    if month is not None and month.day != 1:
        row.problem("month", f"{month.isoformat()} is not the first day of a month")
    values = {
        "project": row.required("project"),
        "month": month,
        "active_users": _count(row, "active_users"),
        "tasks_completed": _count(row, "tasks_completed"),
        "minutes_per_task": _minutes(row, "minutes_per_task", positive=False),
        "baseline_minutes_per_task": _minutes(row, "baseline_minutes_per_task", positive=True),
    }
    return values if row.ok else None


# --- Checks ------------------------------------------------------------------------------


class AssetPlan:
    """The three files' checked rows, kept for writing (they grow with projects, not spend)."""

    def __init__(self) -> None:
        # The files present, rows or not: a replace takes the replaced projects' uses and
        # adoption from a file present (a header alone: none), and keeps them without it.
        self.files: set[str] = set()
        self.artifacts: list[dict] = []
        self.uses: list[dict] = []
        self.adoption: list[dict] = []
        # artifact key as written -> (producing project key, created_on)
        self.made: dict[str, tuple[str, datetime.date]] = {}


def check_assets(source: Source, plan: Plan, problems: Problems, progress: Progress | None):
    """Check the three optional files present in ``source``; rows go to ``plan.assets``."""
    assets = plan.assets
    assets.files = {name for name in (ARTIFACTS, ARTIFACT_USES, ADOPTION) if source.exists(name)}
    if ARTIFACTS in assets.files:
        _check_artifacts(source, plan, assets, problems, progress)
    if ARTIFACT_USES in assets.files:
        _check_uses(source, plan, assets, problems, progress)
    if ADOPTION in assets.files:
        _check_adoption(source, plan, assets, problems, progress)


def _existing_artifacts(keys: list[str]) -> dict[str, tuple[int, int, datetime.date]]:
    """Artifacts already in the app, by lower-case key: (id, project id, created_on)."""
    found = {}
    for chunk in chunks([key.lower() for key in keys]):
        found.update(
            (folded, (pk, project_id, created_on))
            for folded, pk, project_id, created_on in Artifact.objects.annotate(folded=Lower("key"))
            .filter(folded__in=chunk)
            .values_list("folded", "id", "project_id", "created_on")
        )
    return found


def _check_artifacts(source, plan: Plan, assets: AssetPlan, problems, progress) -> None:
    counter = Counter(progress, "checking", ARTIFACTS)
    first_line: dict[str, int] = {}
    rows: list[tuple[Row, dict]] = []
    with source.rows(ARTIFACTS, problems) as file_rows:
        for line, values in file_rows:
            counter.tick()
            row = Row(ARTIFACTS, line, values, problems)
            parsed = parse_artifact(row, plan.dates.today)
            key = row.raw("key")
            if key:
                first = first_line.setdefault(key.lower(), line)
                if first != line:
                    row.problem("key", f"duplicate key {key!r} (first on line {first})")
                    continue
            if parsed is None:
                continue
            state = plan.projects.get(parsed["project"])
            if state is None:
                if plan.projects_readable:
                    unknown_key(row, parsed["project"])
                continue
            if state.submitted_on and parsed["created_on"] < state.submitted_on:
                row.problem(
                    "created_on",
                    f"{parsed['created_on']} is before {parsed['project']} was submitted "
                    f"({state.submitted_on})",
                )
                continue
            rows.append((row, parsed))
    counter.done()
    existing = _existing_artifacts([parsed["key"] for _, parsed in rows])
    replaced = {state.existing_id for state in plan.projects.values() if state.existing_id}
    # The projects of the files that exist, when the import does not replace: a replace
    # would rewrite their artifacts, as it overwrites the projects.
    refused_projects = {s.refused_id: key for key, s in plan.projects.items() if s.refused_id}
    with_its_project: list[tuple[int, str]] = []  # (line, key): a replace would rewrite it
    taken: list[tuple[int, str]] = []  # (line, key): another project's artifact
    producers: dict[str, str] = {}  # key -> the key of its project in the app
    for row, parsed in rows:
        already = existing.get(parsed["key"].lower())
        if already is not None and already[1] not in replaced:
            if already[1] in refused_projects:
                with_its_project.append((row.line, parsed["key"]))
                producers[parsed["key"]] = refused_projects[already[1]]
            else:
                taken.append((row.line, parsed["key"]))
            continue
        parsed["existing_id"] = already[0] if already else None
        assets.artifacts.append(parsed)
        assets.made[parsed["key"].lower()] = (parsed["project"], parsed["created_on"])
    # Many of them (a portfolio imported again) are one problem each, as the projects' keys.
    add_existing_keys(
        problems,
        ARTIFACTS,
        with_its_project,
        one=lambda key: (
            f"{key} already exists in the app, an artifact of {producers[key]}: only a replace "
            f"of {producers[key]} rewrites it {REPLACE_ADVICE}"
        ),
        many=lambda count, named: (
            f"{count} keys already exist in the app ({named}), artifacts of projects that "
            f"exist: only a replace of those projects rewrites them {REPLACE_ADVICE}"
        ),
    )
    add_existing_keys(
        problems,
        ARTIFACTS,
        taken,
        one=lambda key: f"{key} already exists in the app: choose another key",
        many=lambda count, named: (
            f"{count} keys already exist in the app ({named}): choose other keys"
        ),
    )


def _check_uses(source, plan: Plan, assets: AssetPlan, problems, progress) -> None:
    counter = Counter(progress, "checking", ARTIFACT_USES)
    seen: dict[tuple[str, str], int] = {}
    rows: list[tuple[Row, dict]] = []
    with source.rows(ARTIFACT_USES, problems) as file_rows:
        for line, values in file_rows:
            counter.tick()
            row = Row(ARTIFACT_USES, line, values, problems)
            parsed = parse_use(row, plan.dates.today)
            if parsed is None:
                continue
            pair = (parsed["artifact"].lower(), parsed["project"])
            first = seen.setdefault(pair, line)
            if first != line:
                row.problem(
                    "project",
                    f"{parsed['project']} already uses {parsed['artifact']} (line {first})",
                )
                continue
            rows.append((row, parsed))
    counter.done()
    in_app = _existing_artifacts(
        [p["artifact"] for _, p in rows if p["artifact"].lower() not in assets.made]
    )
    project_keys = {state.existing_id: key for key, state in plan.projects.items()}
    for row, parsed in rows:
        state = plan.projects.get(parsed["project"])
        if state is None:
            if plan.projects_readable:
                unknown_key(row, parsed["project"])
            continue
        folded = parsed["artifact"].lower()
        if folded in assets.made:
            producer, created_on = assets.made[folded]
        elif folded in in_app:
            _, producer_id, created_on = in_app[folded]
            producer = project_keys.get(producer_id)
        else:
            row.problem("artifact", f"unknown artifact {parsed['artifact']!r} (not in {ARTIFACTS})")
            continue
        if producer == parsed["project"]:
            row.problem("project", f"{producer} produced {parsed['artifact']}: it cannot reuse it")
            continue
        if state.submitted_on and parsed["used_on"] < state.submitted_on:
            row.problem(
                "used_on",
                f"{parsed['used_on']} is before {parsed['project']} was submitted "
                f"({state.submitted_on})",
            )
            continue
        if parsed["used_on"] < created_on:
            row.problem(
                "used_on",
                f"{parsed['used_on']} is before {parsed['artifact']} was made ({created_on})",
            )
            continue
        assets.uses.append(parsed)


def _check_adoption(source, plan: Plan, assets: AssetPlan, problems, progress) -> None:
    counter = Counter(progress, "checking", ADOPTION)
    seen: dict[tuple[str, datetime.date], int] = {}
    with source.rows(ADOPTION, problems) as file_rows:
        for line, values in file_rows:
            counter.tick()
            row = Row(ADOPTION, line, values, problems)
            parsed = parse_adoption(row, plan.dates.today)
            key = row.raw("project")
            state = plan.projects.get(key) if key else None
            if state is None:
                if key and plan.projects_readable:
                    unknown_key(row, key)
                continue
            if parsed is None:
                continue
            if greenlit_month_ok(
                row,
                key,
                state,
                parsed["month"],
                seen,
                repeated="adoption",
                not_greenlit="it has no adoption",
            ):
                assets.adoption.append(parsed)
    counter.done()


# --- Writing -------------------------------------------------------------------------------


def write_assets(plan: Plan, project_ids: dict[str, int]) -> dict[str, int]:
    """Insert the checked rows (registered, linked and recorded by nobody: the import's audit
    entry names who imported them). A replaced project's uses and adoption, when the files hold
    ``artifact_uses.csv`` or ``adoption.csv`` (with rows or not), were archived and removed
    with its history (``archive.archive_and_erase``)."""
    assets = plan.assets
    now = timezone.now()
    kept = [a for a in assets.artifacts if a["existing_id"]]
    for artifact in kept:
        Artifact.objects.filter(pk=artifact["existing_id"]).update(
            key=artifact["key"],
            name=artifact["name"],
            kind=artifact["kind"],
            project_id=project_ids[artifact["project"]],
            created_on=artifact["created_on"],
        )
    counts = {
        "artifacts": len(kept)
        + insert_values(
            Artifact,
            *new_rows(
                Artifact,
                (
                    {
                        "key": a["key"],
                        "name": a["name"],
                        "kind": a["kind"],
                        "project_id": project_ids[a["project"]],
                        "created_on": a["created_on"],
                        "registered_at": now,
                    }
                    for a in assets.artifacts
                    if not a["existing_id"]
                ),
            ),
        )
    }
    artifact_ids = {}
    for chunk in chunks([use["artifact"].lower() for use in assets.uses]):
        artifact_ids.update(
            Artifact.objects.annotate(folded=Lower("key"))
            .filter(folded__in=chunk)
            .values_list("folded", "id")
        )
    counts["artifact_uses"] = insert_values(
        ArtifactReuse,
        *new_rows(
            ArtifactReuse,
            (
                {
                    "artifact_id": artifact_ids[use["artifact"].lower()],
                    "project_id": project_ids[use["project"]],
                    "used_on": use["used_on"],
                    "linked_at": now,
                }
                for use in assets.uses
            ),
        ),
    )
    counts["adoption"] = insert_values(
        Adoption,
        *new_rows(
            Adoption,
            (
                {
                    "project_id": project_ids[row["project"]],
                    "month": row["month"],
                    "active_users": row["active_users"],
                    "tasks_completed": row["tasks_completed"],
                    "minutes_per_task": row["minutes_per_task"],
                    "baseline_minutes_per_task": row["baseline_minutes_per_task"],
                    "recorded_at": now,
                }
                for row in assets.adoption
            ),
        ),
    )
    return counts


# --- Export ----------------------------------------------------------------------------------


def _minutes_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def artifact_rows(submitted) -> Iterator[list]:
    for key, name, kind, project, created_on in (
        Artifact.objects.filter(project__in=submitted)
        .order_by("key")
        .values_list("key", "name", "kind", "project__key", "created_on")
        .iterator(chunk_size=5000)
    ):
        yield [
            formula_safe(key),
            formula_safe(as_one_line(name)),
            kind,
            formula_safe(project),
            created_on.isoformat(),
        ]


def use_rows(submitted) -> Iterator[list]:
    for artifact, project, used_on in (
        ArtifactReuse.objects.filter(project__in=submitted, artifact__project__in=submitted)
        .order_by("artifact__key", "project__key")
        .values_list("artifact__key", "project__key", "used_on")
        .iterator(chunk_size=5000)
    ):
        yield [formula_safe(artifact), formula_safe(project), used_on.isoformat()]


def adoption_rows(submitted) -> Iterator[list]:
    for project, month, users, tasks, minutes, baseline in (
        Adoption.objects.filter(project__in=submitted, project__status=Status.GREENLIT)
        .order_by("project__key", "month")
        .values_list(
            "project__key",
            "month",
            "active_users",
            "tasks_completed",
            "minutes_per_task",
            "baseline_minutes_per_task",
        )
        .iterator(chunk_size=5000)
    ):
        yield [
            formula_safe(project),
            month.isoformat(),
            users,
            tasks,
            _minutes_text(minutes),
            _minutes_text(baseline),
        ]
