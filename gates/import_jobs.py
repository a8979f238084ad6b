"""Imports uploaded from the page, run by the task worker with their progress on a page.

``start_import`` (the service the view calls) stores the uploaded files (the
CSV files, or one .xlsx workbook) in the database, in pieces, and enqueues ``run_import`` in the same
transaction. The worker rebuilds the files on its own disk and runs the
importer (``gates.interchange``), which is one transaction. The job is marked
done (with its summary) inside that transaction, so the job says "done" exactly
when the import committed: a worker killed mid-import leaves nothing of it
written and the job running, and the other workers (or this one, started again)
report the job failed, with the reason (background/liveness.py); a worker killed
after the commit leaves the job done. Progress (phase, rows
checked) is written to the job by a thread of the worker with its own
database connection, outside the import's transaction, so that every app
server can show it. On SQLite the import holds the database's one write lock
from start to end, so the progress goes to the shared cache instead (files on
SQLite: settings.CACHES), and the job's page reads it from there. The cache keeps
it with the time it was reported, on both databases: the page's sign of life
(``with_live_progress``'s ``reported_at``), which the job's row has no column for.

One import runs at a time: a second one waits (and its page says so) until
the first has finished; several workers agree on it through a lock (an
advisory lock on PostgreSQL; SQLite runs one writer at a time anyway).

A replace of projects the app has takes two runs (``start_replace``): the first
checks the files and works out what they would replace (the job's ``outlook``),
with its progress on the job's page like an import's, and writes nothing; the
job then waits (STAGED) for its uploader to confirm it there, and the second run,
once confirmed (``confirm_replace``), imports. When the files would replace
nothing (each project they name is exactly as the app holds it), the first run
imports at once.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import threading
import time
import zlib
from collections.abc import Sequence
from decimal import Decimal
from typing import BinaryIO

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Length
from django.tasks import TaskResultStatus, task, task_backends
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background import liveness
from background.liveness import when_worker_lost
from background.mail import stores_tasks
from background.models import WorkerHeartbeat
from background.worker import DATABASE_AWAY
from gates import import_upload, interchange
from gates.models import ImportJob, ImportUpload
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import NotificationKind, Status, User
from portfolio.services.notifications import notify

logger = logging.getLogger(__name__)

PIECE_BYTES = import_upload.PIECE_BYTES
WAIT_SECONDS = 2  # how soon a waiting import looks again whether it may start
PROGRESS_SECONDS = 0.5
ALIVE_SECONDS = 5  # the progress in the cache is written at least this often
PROGRESS_KEPT_SECONDS = 3600  # the progress kept in the cache, an hour at most
_LOCK_ID = zlib.crc32(b"greenlight.import")

STAGED_FOR = datetime.timedelta(hours=1)  # how long a replace waits for its confirmation
# A replace's confirmation lists this many projects (by key) under the totals of all of them:
# a replace of a whole portfolio would otherwise be a page of thousands of rows.
REPLACED_SHOWN = 100
STAGES = {"checking": "Checking", "writing": "Writing"}
UPLOADING = "Uploading"  # a job whose files are being read (never committed so)
SAVING = "Saving: the database checks each row's project and people"


def _store(job: ImportJob, files: dict[str, BinaryIO]) -> None:
    """Keep the uploaded files with the job, in pieces, in the database (any server reads them)."""
    size = 0
    for name, upload in files.items():
        if upload is None:
            continue
        upload.seek(0)
        sequence = 0
        while piece := upload.read(PIECE_BYTES):
            _insert_piece(job=job, file_name=name, sequence=sequence, data=piece)
            sequence += 1
            size += len(piece)
    job.upload_bytes = size
    job.save(update_fields=["upload_bytes"])


def _insert_piece(*, job: ImportJob, file_name: str, sequence: int, data: bytes) -> None:
    if connection.vendor != "postgresql":
        ImportUpload.objects.create(job=job, file_name=file_name, sequence=sequence, data=data)
        return
    connection.ensure_connection()
    import_upload.insert_piece(
        connection.connection, job_id=job.pk, file_name=file_name, sequence=sequence, data=data
    )


def _enqueue(job: ImportJob) -> None:
    # No audit entry (nor data version) yet: the job records who uploaded what, and the
    # importer audits what it writes, if anything.
    if stores_tasks():
        run_import.enqueue(job_id=job.pk)  # with the job: both commit, or neither
    else:
        transaction.on_commit(lambda: run_import.enqueue(job_id=job.pk))


def new_upload(*, actor: User) -> ImportJob:
    """The job of files about to be read from a request, which stores them in its pieces as
    they come (gates/import_upload.py): created inside the transaction that
    ``start_import`` or ``start_replace`` queues it in (passed as ``uploaded``), or rolls back.
    """
    interchange.check_import_permission(actor, replace=False)
    return ImportJob.objects.create(created_by=actor, replace=False, phase=UPLOADING)


def _job(
    files: dict[str, BinaryIO], actor: User, uploaded: ImportJob | None, **fields
) -> ImportJob:
    """A new job with ``files`` stored, or ``uploaded`` (its files stored as they were read)."""
    if uploaded is None:
        job = ImportJob.objects.create(created_by=actor, phase="Queued", **fields)
        _store(job, files)
        return job
    fields["phase"] = "Queued"
    if uploaded.created_by_id != actor.pk:
        raise PermissionDenied("These files were uploaded by someone else.")
    # Every file the request carried was stored as it came; the import is of ``files``
    # only (the CSV files, or the workbook: a request that sent both names which).
    uploaded.uploads.exclude(
        file_name__in=[name for name, upload in files.items() if upload is not None]
    ).delete()
    fields["upload_bytes"] = uploaded.uploads.aggregate(size=Sum(Length("data")))["size"] or 0
    for name, value in fields.items():
        setattr(uploaded, name, value)
    uploaded.save(update_fields=list(fields))
    return uploaded


def start_import(
    *,
    files: dict[str, BinaryIO],
    replace: bool,
    actor: User,
    uploaded: ImportJob | None = None,
) -> ImportJob:
    """Queue an import of the uploaded files (keyed by file name); returns its job at once.
    ``uploaded`` is the job of ``new_upload`` when the files are in its pieces already.

    Raises ``portfolio.errors.PermissionDenied`` (a 403) for someone who may not
    import, or may not replace; the worker asks again when it runs the import.
    """
    interchange.check_import_permission(actor, replace=replace)
    with transaction.atomic():
        job = _job(files, actor, uploaded, replace=replace)
        _enqueue(job)
    return job


# --- A replace waits for its confirmation -----------------------------------------------------


def start_replace(
    *, files: dict[str, BinaryIO], actor: User, uploaded: ImportJob | None = None
) -> ImportJob:
    """Queue the check of a replace: the worker works out what the files would replace,
    writing nothing, and the job then waits for ``actor`` to confirm it (see the module's
    text). Returns the job at once; its page follows the check.

    The files wait in the database, so the confirmation may reach any app server; what
    nobody confirmed within ``STAGED_FOR`` of the check is deleted (here, and by the
    worker's daily clean-up).
    """
    interchange.check_import_permission(actor, replace=True)
    with transaction.atomic():
        forget_unconfirmed()
        job = _job(files, actor, uploaded, replace=True, check_first=True)
        _enqueue(job)
    return job


def _unconfirmed_since(moment: datetime.datetime) -> Q:
    """Staged replaces checked (or, staged before the worker checked them, uploaded) before ``moment``."""
    return Q(staged_at__lt=moment) | Q(staged_at__isnull=True, created_at__lt=moment)


def _staged(job_id: int, actor: User) -> ImportJob:
    job = (
        ImportJob.objects.select_for_update()
        .filter(pk=job_id, created_by=actor, status=ImportJob.Status.STAGED)
        .exclude(_unconfirmed_since(timezone.now() - STAGED_FOR))
        .first()
    )
    if job is None:
        raise DomainError(
            "The files to replace with are no longer waiting (they wait an hour, for the "
            "person who uploaded them): upload them again.",
            field="staged",
        )
    return job


def confirmed_replace(*, job_id: int, actor: User) -> ImportJob | None:
    """``actor``'s replace ``job_id`` when it waits for no confirmation (any more): confirmed
    already (queued, running or ended; its ``staged_at`` says it waited), or imported at once
    because its check found nothing to archive (no ``staged_at``); else None."""
    return (
        ImportJob.objects.filter(pk=job_id, created_by=actor, replace=True, check_first=False)
        .exclude(status=ImportJob.Status.STAGED)
        .first()
    )


def confirm_replace(*, job_id: int, actor: User) -> ImportJob:
    """Queue the replace ``actor`` staged; a ``DomainError`` when it is gone or not theirs."""
    interchange.check_import_permission(actor, replace=True)
    with transaction.atomic():
        job = _staged(job_id, actor)
        job.status = ImportJob.Status.WAITING
        job.check_first = False  # checked: this run imports
        job.phase = "Queued"
        job.save(update_fields=["status", "check_first", "phase"])
        _enqueue(job)
    return job


def cancel_replace(*, job_id: int, actor: User) -> None:
    """Forget the files of a replace ``actor`` staged: nothing is imported."""
    with transaction.atomic():
        _staged(job_id, actor).delete()


def forget_unconfirmed() -> int:
    """Delete the staged replaces nobody confirmed in time; returns how many."""
    stale = ImportJob.objects.filter(
        _unconfirmed_since(timezone.now() - STAGED_FOR), status=ImportJob.Status.STAGED
    )
    _, deleted = stale.delete()
    return deleted.get(ImportJob._meta.label, 0)


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def with_live_progress(jobs: list[ImportJob]) -> list[ImportJob]:
    """``jobs``, each running one with the phase and rows its worker last reported: on SQLite
    these are in the cache while the import holds the write lock (see the module's doc).
    ``reported_at``: when the worker last wrote them there (a sign of life, on either
    database), or None."""
    running = [job for job in jobs if job.status == ImportJob.Status.RUNNING]
    if running:
        found = cache.get_many([_progress_key(job.pk) for job in running])
        for job in running:
            # (phase, rows, when): a worker of an older version wrote (phase, rows).
            phase, rows, *when = found.get(_progress_key(job.pk), (None, -1))
            job.reported_at = (
                datetime.datetime.fromtimestamp(when[0], tz=datetime.UTC) if when else None
            )
            if phase is not None and rows >= job.rows_checked:
                job.phase, job.rows_checked = phase[:200], rows
    return jobs


def running_import(exclude: int | None = None) -> ImportJob | None:
    return ImportJob.objects.filter(status=ImportJob.Status.RUNNING).exclude(pk=exclude).first()


def _take_turn(job_id: int) -> ImportJob | None:
    """Mark the job running if no other import runs; None when it must wait (or is gone)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_ID])
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.WAITING:
            return None
        if running_import(exclude=job.pk) is not None:
            return None
        job.status = ImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.phase = "Starting"
        job.rows_checked = 0  # a confirmed replace counts its rows again, as it checks them again
        job.save(update_fields=["status", "started_at", "phase", "rows_checked"])
        return job


class _Reporter:
    """Keeps the job's phase and row count current, from a thread with its own connection."""

    def __init__(self, job: ImportJob, *, workbook: bool = False):
        self.job_id = job.pk
        self.workbook = workbook  # name the sheets, not the files
        self.phase = "Reading the uploaded files"
        self.rows = 0
        self._written = ("", -1)  # to the job's row
        self._cached = ("", -1)
        self._cached_at = 0.0  # time.monotonic() of the last write to the cache
        self._checked: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"import-{job.pk}-progress")

    def progress(self, stage: str, file: str, rows: int, finished: bool) -> None:
        # Called by the importer's thread; the reporter's thread reads two plain values.
        if stage == "archiving":
            # Before the files are written: what the replaced projects held is archived.
            self.phase = f"Archiving the history of the projects replaced ({rows:,} so far)"
            return
        shown = f"the {interchange.sheet_name(file)} sheet" if self.workbook else file
        if stage == "comparing":
            # A replace: which projects the files hold as the app has them (left as they are).
            what = "projects" if file == interchange.PROJECTS else "rows"
            self.phase = f"Comparing {shown} with the app ({rows:,} {what} so far)"
            return
        self.phase = f"{STAGES.get(stage, stage.capitalize())} {shown}"
        if stage == "checking":
            self._checked[file] = rows
            self.rows = sum(self._checked.values())

    def saving(self) -> None:
        """Everything is written; the transaction commits. On PostgreSQL the database then
        checks each written row's references (its project, its people): several seconds at
        a million spend rows, which the page says rather than staying at the last file."""
        self.phase = SAVING

    def _cache(self, now: tuple[str, int]) -> None:
        # With the time: the page stops a stopped import's clock at it (its worker's
        # heartbeat, which it goes by otherwise, cannot be written on SQLite meanwhile).
        try:
            cache.set(_progress_key(self.job_id), (*now, time.time()), PROGRESS_KEPT_SECONDS)
        except (DatabaseError, OSError):
            # The cache is away (the database's, a file's): the progress goes on without it.
            return
        self._cached, self._cached_at = now, time.monotonic()

    def _write(self) -> None:
        now = (self.phase, self.rows)
        # The cache, on both databases: the progress with its time, written again now and
        # then even when nothing changed, as a sign of life. On PostgreSQL the job's row
        # had the phase and rows only, and the page no time to stop a stopped import at.
        if now != self._cached or time.monotonic() - self._cached_at >= ALIVE_SECONDS:
            self._cache(now)
        if connection.vendor == "sqlite":
            # The import holds SQLite's one write lock from start to end: a write here would
            # wait out the busy timeout (20 s) and fail. The page reads the cache.
            return
        if now == self._written:
            return
        try:
            ImportJob.objects.filter(pk=self.job_id, status=ImportJob.Status.RUNNING).update(
                phase=self.phase[:200], rows_checked=self.rows
            )
            self._written = now
        except DatabaseError:
            pass  # the database refused it for now: the page reads the cache meanwhile

    def _run(self) -> None:
        try:
            while not self._stop.wait(PROGRESS_SECONDS):
                self._write()
        finally:
            connection.close()

    def __enter__(self) -> _Reporter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _files(job: ImportJob) -> dict[str, BinaryIO]:
    files = {}
    stored = set(ImportUpload.objects.filter(job=job).values_list("file_name", flat=True))
    # An uploaded workbook stands for all the files.
    names = [interchange.WORKBOOK] if interchange.WORKBOOK in stored else interchange.ALL_FILES
    for name in names:
        if name not in interchange.FILES and name not in stored and name != interchange.WORKBOOK:
            continue  # an optional file that was not uploaded
        # Spooled: small files stay in memory, large ones go to the worker's disk.
        spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - closed by the caller
        pieces = (
            ImportUpload.objects.filter(job=job, file_name=name)
            .order_by("sequence")
            .values_list("data", flat=True)
        )
        for piece in pieces.iterator(chunk_size=1):
            spool.write(piece)
        spool.seek(0)
        files[name] = spool
    return files


def _finish(job_id: int, **fields) -> bool:
    """Record how the job ended, and let go of its files; False (nothing changed) when it
    has ended already: an import marked done committed, and no failure undoes that."""
    fields["finished_at"] = timezone.now()
    with transaction.atomic():
        # On PostgreSQL this waits for an import still committing (it holds the job's row).
        ended = ImportJob.objects.filter(pk=job_id).unfinished().update(**fields)
        if ended:
            ImportUpload.objects.filter(job_id=job_id).delete()
    return bool(ended)


def _committed(job_id: int, started: float) -> None:
    """The import committed: its end is now (before the tables are vacuumed, which readers
    do not wait for). ``done`` recorded it inside the import's transaction, before the
    commit, which on PostgreSQL checks each written row's references (as long again as the
    writing, at a million spend rows): the page said "Done in 6.0 s" of an import that took
    13."""
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.DONE).update(
        finished_at=timezone.now(), phase=_done_in(started)
    )


def _done_in(started: float) -> str:
    """The phase of an import done: how long since ``started`` (``time.monotonic()``)."""
    return f"Done in {time.monotonic() - started:.1f} s"


# A refusal's e-mail lists this many problems; the job's page lists them all.
PROBLEMS_TOLD = 10


def _tell_uploader(job_id: int, subject: str, headline: str, details: Sequence[str] = ()) -> None:
    """Notify the uploader (in the app, and by e-mail as they chose) of how the import ended,
    or that it waits for them: they may have left its page. Inside the transaction that
    records it, so an end that rolls back tells nobody."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.created_by is None:
        return
    notify(
        to=job.created_by,
        kind=NotificationKind.IMPORT_ENDED,
        subject=f"[Greenlight] Import #{job_id}: {subject}",
        template="gates/email/import_ended.txt",
        context={"job": job, "headline": headline, "details": list(details)},
        link=reverse("import_job", args=[job_id]),
    )


def _failed(
    job_id: int, *, told: tuple[str, str] | tuple[str, str, Sequence[str]], **fields
) -> bool:
    """``_finish`` as failed, and the uploader told (``told``: subject, headline, details if any)
    when this ended it."""
    with transaction.atomic():
        ended = _finish(job_id, status=ImportJob.Status.FAILED, **fields)
        if ended:
            _tell_uploader(job_id, *told)
    return ended


@task
def run_import(*, job_id: int) -> str:
    job = _take_turn(job_id)
    if job is None:
        current = ImportJob.objects.filter(pk=job_id).first()
        if current is None or current.status != ImportJob.Status.WAITING:
            return f"import #{job_id}: nothing to do"
        # Another import runs: look again shortly (with a worker, never on this thread).
        if task_backends[run_import.backend].supports_defer:
            later = timezone.now() + datetime.timedelta(seconds=WAIT_SECONDS)
            run_import.using(run_after=later).enqueue(job_id=job_id)
            return f"import #{job_id}: waiting for another import to finish"
        _failed(
            job_id,
            failure="Another import was running.",
            told=("failed", "Another import was running: nothing was imported."),
        )
        return f"import #{job_id}: refused, another import was running"
    if job.created_by is None:  # nobody to tell
        _finish(
            job_id,
            status=ImportJob.Status.FAILED,
            failure="The account that uploaded the files no longer exists. Nothing was imported.",
        )
        return f"import #{job_id}: its uploader is gone"
    started = time.monotonic()
    files = _files(job)

    def done(summary: interchange.ImportSummary) -> None:
        # In the import's transaction: the job is done if, and only if, the import commits.
        # The progress says so first: once _finish holds the job's row, the reporter's own
        # write of it waits for the commit (its cache, which the page reads, does not).
        reporter.saving()
        _finish(
            job_id,
            status=ImportJob.Status.DONE,
            summary=str(summary),
            rows_checked=reporter.rows,
            phase=_done_in(started),
        )
        _tell_uploader(
            job_id, "imported", f"{'Replaced' if job.replace else 'Imported'}: {summary}"
        )
        # Its end is the commit's: on PostgreSQL the commit checks each row's references.
        # Robust: the import has committed whatever becomes of this correction of its time.
        transaction.on_commit(lambda: _committed(job_id, started), robust=True)

    to_confirm = None  # a replace's outlook, when it would archive projects
    try:
        with _Reporter(job, workbook=interchange.WORKBOOK in files) as reporter:
            if job.check_first:
                # A replace: what it would replace first, for its uploader to confirm.
                outlook = interchange.what_replacing_would_archive(
                    files, actor=job.created_by, progress=reporter.progress
                )
                if outlook.replaced:
                    to_confirm = outlook
                else:
                    # Nothing to confirm (nothing would be archived): it imports now.
                    ImportJob.objects.filter(pk=job_id).update(check_first=False)
            if to_confirm is None:
                summary = interchange.import_portfolio(
                    files,
                    actor=job.created_by,
                    replace=job.replace,
                    progress=reporter.progress,
                    on_written=done,
                )
        if to_confirm is not None:
            with transaction.atomic():
                _stage(job_id, to_confirm, rows=reporter.rows, seconds=time.monotonic() - started)
            return (
                f"import #{job_id}: checked; {len(to_confirm.replaced)} project(s) to replace "
                "await the confirmation"
            )
    except interchange.ImportFailed as failed:
        count = len(failed.errors)
        shown = failed.errors[:PROBLEMS_TOLD]
        _failed(
            job_id,
            problems=failed.errors,
            rows_checked=reporter.rows,
            phase="Refused: nothing was imported",
            told=(
                f"refused, {count} problem{'' if count == 1 else 's'}",
                f"The files were refused: nothing was imported. {count} problem"
                f"{' was' if count == 1 else 's were'} found"
                + (f"; the first {len(shown)}:" if count > len(shown) else ":"),
                [f"- {problem}" for problem in shown],
            ),
        )
        return f"import #{job_id}: {len(failed.errors)} problem(s), nothing imported"
    except PermissionDenied as refused:
        # The uploader lost the right (or the account) since the upload.
        _failed(
            job_id,
            failure=f"{refused.message} Nothing was imported.",
            phase="Refused: nothing was imported",
            told=("refused", f"{refused.message} Nothing was imported."),
        )
        return f"import #{job_id}: refused, {refused.message}"
    except Exception as error:
        # The database gone away (the worker's test of an outage, background/worker.py) is
        # no error of the import's: the worker logs the outage in one line, and reports the
        # import failed once the database is back. Its traceback here came first, and read
        # as a bug.
        away = isinstance(error, DATABASE_AWAY)
        if not away:
            logger.exception("import #%s failed", job_id)
        # In an outage this fails too (the import's connection is gone), and the worker
        # takes it from there.
        failure = (
            f"The import stopped on an unexpected error ({type(error).__name__}); "
            "nothing was imported. The operators' log has the details."
        )
        _failed(
            job_id,
            failure=failure,
            phase="Failed: nothing was imported",
            told=("failed", failure),
        )
        if away:
            # The database answered (the failure is written): no outage, but an error such
            # as a missing column or a permission taken away, with its traceback.
            logger.error("import #%s failed", job_id, exc_info=error)
        raise
    finally:
        for file in files.values():
            file.close()
    return str(summary)


def _stage(job_id: int, outlook: interchange.ReplaceOutlook, *, rows: int, seconds: float) -> None:
    """The checked replace waits for its uploader's confirmation, with what it would replace:
    the first ``REPLACED_SHOWN`` projects by key, and the totals of all of them."""
    replaced = outlook.replaced
    staged_at = timezone.now()
    staged = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.STAGED,
        staged_at=staged_at,
        rows_checked=rows,
        phase=(
            f"Checked in {seconds:.1f} s: {len(replaced):,} project"
            f"{'' if len(replaced) == 1 else 's'} to replace, waiting for the confirmation"
        ),
        outlook={
            "count": len(replaced),
            "projects": [
                {
                    "key": project.key,
                    "title": project.title,
                    "status": Status(project.status).label,
                    "decisions": project.decisions,
                    "spend_entries": project.spend_entries,
                    "spend_total": str(project.spend_total),
                    "outcomes": project.outcomes,
                }
                for project in replaced[:REPLACED_SHOWN]
            ],
            "decisions": sum(project.decisions for project in replaced),
            "spend_entries": sum(project.spend_entries for project in replaced),
            "spend_total": str(sum((project.spend_total for project in replaced), Decimal(0))),
            "outcomes": sum(project.outcomes for project in replaced),
            "unchanged": outlook.unchanged,
        },
    )
    if staged:
        count = f"{len(replaced):,} project{'' if len(replaced) == 1 else 's'}"
        until = timezone.localtime(staged_at + STAGED_FOR)
        _tell_uploader(
            job_id,
            f"checked, {count} to replace: confirm by {until:%H:%M %Z}",
            f"The files you uploaded are checked: they would replace {count} the app holds "
            "(what each holds now is archived first). Nothing is written until you "
            f"confirm it on the import's page, by {until:%Y-%m-%d %H:%M %Z}; after that the "
            "files are forgotten and you would upload them again.",
        )


def replace_outlook(job: ImportJob) -> dict | None:
    """What a checked replace would replace (``_stage``), amounts as Decimals, for its page."""
    found = job.outlook
    if not found:
        return None
    return {
        **found,
        "projects": [
            {**project, "spend_total": Decimal(project["spend_total"])}
            for project in found["projects"]
        ],
        "spend_total": Decimal(found["spend_total"]),
    }


def stopped_worker(job: ImportJob) -> str | None:
    """For a running job, whether the task worker running it has stopped (killed or
    crashed): its heartbeat is older than ``liveness.STALE_AFTER`` and, on this machine,
    its process is gone. "alone" when no other worker has been heard from lately either
    (nothing reports the import failed until one runs), "others" when one has (it reports
    it within a minute); None while the worker lives, or when that cannot be told."""
    return stopped_workers([job]).get(job.pk)


def stopped_workers(jobs: list[ImportJob]) -> dict[int, str]:
    """``stopped_worker`` for each running job of ``jobs`` whose worker stopped, by job id:
    two queries however many (none when no job runs), for the list of imports."""
    running = [job.pk for job in jobs if job.status == ImportJob.Status.RUNNING]
    if not running:
        return {}
    results = (
        DBTaskResult.objects.filter(
            task_path=run_import.module_path,
            status=TaskResultStatus.RUNNING,
            args_kwargs__kwargs__job_id__in=running,
        )
        .order_by("started_at")  # the latest of a job's tasks last: it wins below
        .only("worker_ids", "args_kwargs")
    )
    workers = {
        result.args_kwargs["kwargs"]["job_id"]: result.worker_ids[-1]
        for result in results
        if result.worker_ids
    }
    if not workers:
        return {}
    heard = set(
        WorkerHeartbeat.objects.filter(
            seen_at__gte=timezone.now() - liveness.STALE_AFTER
        ).values_list("worker_id", flat=True)
    )
    stopped = {}
    for job_id, worker in workers.items():
        # A worker of this machine: its process tells, at once (a killed worker is said
        # stopped at the next poll, not once its heartbeat is a minute old; and on SQLite,
        # where an import holds the write lock, its heartbeat goes stale while it runs).
        # Of another machine: a fresh heartbeat.
        here = liveness.process_here(worker)
        alive = here if here is not None else worker in heard or liveness.is_alive(worker, {})
        if alive:
            continue
        stopped[job_id] = "others" if heard - {worker} else "alone"
    if stopped:
        _note_last_sign_of_life(
            [job for job in jobs if job.pk in stopped], {pk: workers[pk] for pk in stopped}
        )
    return stopped


def _note_last_sign_of_life(jobs: list[ImportJob], workers: dict[int, str]) -> None:
    """Set each stopped job's ``last_sign_of_life``: the later of its worker's last heartbeat
    and its last progress in the cache (``with_live_progress``'s ``reported_at``; on SQLite
    the heartbeat cannot be written while the import runs), of those after it started;
    None when there is none (the worker left no sign of life once the import began: its
    page says so, rather than count to now). One query."""
    beats = dict(
        WorkerHeartbeat.objects.filter(worker_id__in=set(workers.values())).values_list(
            "worker_id", "seen_at"
        )
    )
    for job in jobs:
        signs = [beats.get(workers[job.pk]), getattr(job, "reported_at", None)]
        known = [
            sign
            for sign in signs
            if sign is not None and (job.started_at is None or sign > job.started_at)
        ]
        job.last_sign_of_life = max(known) if known else None


@when_worker_lost(run_import)
def _worker_lost(lost: liveness.WorkerLost, /, *, job_id: int) -> None:
    # A job still unfinished: the import did not commit (its transaction marks the job
    # done), so nothing of it was written. A job done stays done, with its summary.
    # Its worker stopped (the other workers report it), or the database went away while
    # it ran (the worker, still alive, reports it once the database is back).
    failure = (
        f"{lost.cause} during the import ({lost.detail}). The import is one "
        "transaction, so nothing of it was written: upload the files again."
    )
    if not _failed(
        job_id,
        failure=failure,
        phase="Failed: nothing was imported",
        told=("failed", failure),
    ):
        logger.warning("import #%s: %s after the import had committed", job_id, lost.cause.lower())
