"""Import and export of a whole portfolio in the interchange format (docs/interchange.md).

One entry point for an import, whoever asks for it (the import page, a
background task, the API):

    import_portfolio(directory_or_files, *, actor, replace=False, progress=None, on_written=None)

``directory_or_files``: a folder, or a dict of file name -> open binary file
(uploads); or an Excel workbook with a sheet per file (``workbook``): the path of
an .xlsx file, or uploads holding ``workbook.xlsx``. ``actor`` must be allowed to import (``access.can_import_portfolio``);
``replace`` (overwrite projects whose keys exist, archiving their history) is for
superusers only; it leaves the projects the files hold exactly as the app has them as
they are (``unchanged``). ``progress(stage, file, rows, finished)`` is called every
10,000 rows of a file and when it is done; ``stage`` is "checking" or "writing",
"comparing" (a replace: outcomes.csv read again, projects.csv once the projects are
compared but for their spend, then spend.csv read again), or "archiving" (file: projects.csv, rows: the replaced projects
archived so far, every 500).
Every problem is raised at once as ImportFailed (``FILE:LINE: column: message``)
and nothing is written. ``on_written(summary)`` is called inside the import's
transaction, once everything is written: what it writes commits with the import,
or not at all (the page's import records its job done there).

``manage.py import_portfolio`` uses ``command_line_import``: no app user, and on
PostgreSQL the bulk-load tricks of ``postgres_bulk``, which a page never gets.

The package, by job: ``format`` (columns and value rules; the files and columns
themselves are ``portfolio.interchange_format``, shared with the demo
generator), ``reading`` (sources and CSV rows), ``checks`` (projects, decisions,
estimates, outcomes), ``spend_pass`` (spend.csv checked as it streams in),
``database`` (COPY and batched inserts), ``postgres_bulk`` (the command line's
tricks), ``unchanged`` (the projects a replace leaves as they are: the files hold
what the app has), ``writing`` and ``archive`` (replaced history), ``export``,
``workbook`` (the same files as the sheets of an .xlsx workbook, read and written).

It lives in ``gates`` because it writes gate decisions; ``portfolio`` never imports it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.apps import apps
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from background.worker import DATABASE_AWAY, first_line
from gates.interchange import unchanged
from gates.interchange.archive import ReplacedProject, what_would_be_replaced
from gates.interchange.checks import Progress, check, recheck_existing_keys
from gates.interchange.database import chunks
from gates.interchange.export import (
    ExportSummary,
    export_portfolio,
    export_portfolio_workbook,
    export_portfolio_zip,
    exported_files,
)
from gates.interchange.format import (
    ALL_FILES,
    COLUMNS,
    DECISIONS,
    ESTIMATES,
    FILES,
    MAX_LISTED_PROBLEMS,
    OPTIONAL_FILES,
    OUTCOMES,
    PROJECTS,
    SPEND,
    ImportFailed,
    Problems,
)
from gates.interchange.reading import Source, source_of
from gates.interchange.workbook import WORKBOOK, is_workbook, sheet_name
from gates.interchange.writing import ImportSummary, write
from portfolio import access, sql_text
from portfolio.errors import PermissionDenied
from portfolio.models import Project, User

logger = logging.getLogger(__name__)

Files = Path | str | dict[str, BinaryIO | None]
Written = Callable[[ImportSummary], None]


def check_import_permission(actor: User, *, replace: bool) -> None:
    if not access.can_import_portfolio(actor):
        raise PermissionDenied("Only admins import a portfolio.")
    if replace and not actor.is_superuser:
        raise PermissionDenied(
            "Only a superuser replaces existing projects: their recorded history is rewritten."
        )


def import_portfolio(
    directory_or_files: Files,
    *,
    actor: User,
    replace: bool = False,
    progress: Progress | None = None,
    on_written: Written | None = None,
) -> ImportSummary:
    """Import a portfolio as ``actor``; raise ImportFailed, writing nothing, on any problem."""
    check_import_permission(actor, replace=replace)
    return load(
        source_of(directory_or_files),
        actor=actor,
        replace=replace,
        progress=progress,
        on_written=on_written,
    )


@dataclass(frozen=True)
class ReplaceOutlook:
    """What importing files with ``replace`` would do to the projects of the app they name."""

    replaced: list[ReplacedProject]  # by key, with what of each would be archived
    unchanged: int  # the projects whose rows in the files are what the app holds: left as is


def what_replacing_would_archive(
    directory_or_files: Files, *, actor: User, progress: Progress | None = None
) -> ReplaceOutlook:
    """The projects that importing these files with ``replace`` would replace, with what of
    each would be archived, and how many it would leave unchanged: for the confirmation a
    person sees before replacing. Raises ImportFailed when the files have problems (as the
    import would), writing nothing. ``progress`` hears of it as of an import's check."""
    check_import_permission(actor, replace=True)
    source = source_of(directory_or_files)
    with _named_by(source):
        plan = check(source, replace=True, progress=progress, today=timezone.localdate())
        if plan.replaced_ids:
            unchanged.leave_unchanged(plan, unchanged.unchanged_keys(source, plan, progress))
    return ReplaceOutlook(
        replaced=what_would_be_replaced(plan.replaced_ids),
        unchanged=sum(state.unchanged for state in plan.projects.values()),
    )


def replaces_any(directory_or_files: Files) -> bool:
    """Whether importing these files with ``replace`` would replace a project the app has:
    one whose key is in the projects file (the only file read here, one column of it).
    True when that cannot be told (a projects file the import would refuse): the full check
    of :func:`what_replacing_would_archive` then says why."""
    source = source_of(directory_or_files)
    problems = Problems()
    keys: list[str] = []
    try:
        if not source.exists(PROJECTS) or source.own_problems():
            return True
        with source.rows(PROJECTS, problems) as rows:
            keys = [key.lower() for _, values in rows if (key := values.get("key", "").strip())]
            readable = rows.readable
    except ImportFailed:
        return True  # a workbook that cannot be read as one: the full check says why
    finally:
        source.close()
    if problems or not readable:
        return True
    return any(
        Project.objects.annotate(folded=Lower("key")).filter(folded__in=chunk).exists()
        for chunk in chunks(keys)
    )


def command_line_import(
    directory: Path, *, replace: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """``manage.py import_portfolio`` (a folder, or an .xlsx workbook): whoever runs it holds the database already, so no
    app permission applies (the audit trail names no actor); on PostgreSQL with the
    bulk-load tricks, which take table locks a running app should not meet."""
    return load(source_of(directory), actor=None, replace=replace, progress=progress, bulk=True)


def load(
    source: Source,
    *,
    actor: User | None,
    replace: bool,
    progress: Progress | None,
    bulk: bool = False,
    on_written: Written | None = None,
) -> ImportSummary:
    """Check, then write in one transaction. Callers check the permission first."""
    with _named_by(source):
        return _load(
            source,
            actor=actor,
            replace=replace,
            progress=progress,
            bulk=bulk,
            on_written=on_written,
        )


@contextlib.contextmanager
def _named_by(source: Source):
    """Problems name the file as the source does (a workbook: the sheet and its row); the
    source is closed afterwards."""
    try:
        yield
    except ImportFailed as failed:
        raise ImportFailed([source.name_problem(error) for error in failed.errors]) from None
    finally:
        source.close()


def _load(
    source: Source,
    *,
    actor: User | None,
    replace: bool,
    progress: Progress | None,
    bulk: bool,
    on_written: Written | None,
) -> ImportSummary:
    plan = check(source, replace=replace, progress=progress, today=timezone.localdate())
    try:
        with transaction.atomic():
            recheck_existing_keys(plan, replace=replace)
            if plan.replaced_ids:
                # A replace leaves the projects the files hold exactly as they are.
                unchanged.leave_unchanged(plan, unchanged.unchanged_keys(source, plan, progress))
            summary = write(source, plan, actor=actor, progress=progress, bulk=bulk)
            if on_written is not None:
                on_written(summary)  # commits with the import, or not at all
    except IntegrityError as error:
        if refused := _rule_refused(error):
            # Every limit is checked first: this is the import's own mistake, said as one.
            raise ImportFailed([refused]) from None
        # Another import or a new proposal took a key while this one was writing.
        raise ImportFailed(
            [
                f"{PROJECTS}:1: key: another change saved the same projects while this import "
                "was writing; nothing was imported: try again"
            ]
        ) from None
    tidy_after_import()
    return summary


def _rule_refused(error: IntegrityError) -> str | None:
    """What to say when ``error`` is a check constraint's refusal (a limit, a sign), not a
    key another change took: None otherwise."""
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)  # psycopg
    if name is None:
        found = re.search(r"CHECK constraint failed: (\w+)", str(error))  # SQLite
        name = found.group(1) if found else None
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) and constraint.name == name:
                return (
                    f"The database refused a value of the {model._meta.verbose_name_plural} "
                    f"that the import's checks let through (its rule {name}); nothing was "
                    "imported. This is a fault in Greenlight: please report it with the files."
                )
    return None


# The tables the metrics read that an import fills (and, replacing, empties). After a large
# import PostgreSQL's statistics describe the tables before it, and a replace leaves as many
# dead rows as live ones, until autovacuum comes by (a minute or more later). The numbers
# computed right after (the refresh the import queues) would pay for both: at 5,000 projects
# and 1M spend rows, 324 ms against 224 ms after a replace. Vacuuming them takes about 1 s.
_TIDY = "VACUUM (ANALYZE) {project}, {spend}, {spend_month}, {decision}, {outcome}"


def tidy_after_import() -> None:
    """Vacuum and analyze the tables an import wrote (PostgreSQL, once it has committed).

    Not inside a transaction (VACUUM cannot run in one: the tests' own transactions, an
    import run inside another change); a failure is logged, as the import is done."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql_text.render(_TIDY, {}))
    except DatabaseError as error:
        if isinstance(error, DATABASE_AWAY) and not connection.is_usable():
            # The database went away after the commit: an outage, which the task worker
            # logs in one line of its own (background/worker.py); no traceback first.
            logger.warning(
                "could not vacuum the tables after an import: the database is unavailable (%s: %s)",
                type(error).__name__,
                first_line(error),
            )
        else:
            logger.warning("could not vacuum the tables after an import", exc_info=True)


__all__ = [
    "ALL_FILES",
    "COLUMNS",
    "DECISIONS",
    "ESTIMATES",
    "FILES",
    "MAX_LISTED_PROBLEMS",
    "OPTIONAL_FILES",
    "OUTCOMES",
    "PROJECTS",
    "SPEND",
    "WORKBOOK",
    "ExportSummary",
    "ImportFailed",
    "ImportSummary",
    "Progress",
    "ReplaceOutlook",
    "ReplacedProject",
    "command_line_import",
    "export_portfolio",
    "export_portfolio_workbook",
    "export_portfolio_zip",
    "exported_files",
    "import_portfolio",
    "is_workbook",
    "replaces_any",
    "sheet_name",
    "tidy_after_import",
    "what_replacing_would_archive",
]
