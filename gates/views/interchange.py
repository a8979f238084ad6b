"""The portfolio import page (admins) and the export downloads (product managers, executives).

Both hand the work to ``gates.interchange``: the page only gathers the uploaded
files (the CSV files, or one .xlsx workbook) and refuses oversized ones; the task worker imports them
(gates/import_jobs.py) while the job's page (gates/views/import_jobs.py) shows how far it got.

On PostgreSQL an upload is stored in its job's pieces while Django reads the body
(gates/import_upload.py), so the upload handler must be in place before anything reads it:
the view is exempted from the CSRF middleware (whose check reads the body), checks the
sign-in and the permission first, then runs the same CSRF check itself (``_upload``),
inside the transaction that rolls the pieces back with any answer but the queued import.
Every other post (and every post on SQLite) is checked by ``csrf_protect`` as usual.

Replacing projects that exist takes two steps, for superusers only: the first
post queues the files' check (``import_jobs.start_replace``), and the job's page
lists, once the worker has checked them, what would be replaced (each project
with its decisions, spend and outcomes, all of which are archived, not lost); the
files wait in the database until the second post, from that page on whichever app
server, confirms it, or an hour passes.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from gates import import_jobs, import_upload, interchange
from gates.models import ImportJob
from portfolio import access, errors

# Form field -> file name in the format.
UPLOAD_FIELDS = {
    "projects": interchange.PROJECTS,
    "gate_decisions": interchange.DECISIONS,
    "spend": interchange.SPEND,
    "outcomes": interchange.OUTCOMES,
}
# Every optional file of the format (estimates, the decision panel, artifacts and their uses,
# adoption): an export's zip holds them, and uploading it unzipped must lose none.
OPTIONAL_UPLOAD_FIELDS = {interchange.sheet_name(name): name for name in interchange.OPTIONAL_FILES}
# Django's CSRF check, run by _upload once the body is read into the job's pieces.
_CSRF = CsrfViewMiddleware(lambda request: HttpResponse())
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _size(size: int) -> str:
    """A file size to one decimal, none when it is whole: 27.2 kB, 200 MB (not 200.0 MB)."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "kB")):
        if size >= unit:
            return f"{size / unit:,.1f}".removesuffix(".0") + f" {name}"
    return f"{size} bytes"


def _is_workbook_post(request: HttpRequest) -> bool:
    return request.POST.get("kind") == "workbook"


def _upload_problems(request: HttpRequest) -> list[str]:
    problems = []
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    if _is_workbook_post(request):
        upload = request.FILES.get("workbook")
        if upload is None:
            problems.append("Workbook: choose the .xlsx file to upload.")
        elif not interchange.is_workbook(upload.name or ""):
            problems.append(
                f"Workbook: {upload.name} is not an .xlsx workbook; save it from Excel as "
                "“Excel Workbook (.xlsx)”, or upload the CSV files above."
            )
        elif upload.size > limit:
            problems.append(
                f"Workbook: the file is {_size(upload.size)}, above the {_size(limit)} "
                "limit of an upload. Import it on the server with manage.py import_portfolio."
            )
        return problems
    for field, name in (UPLOAD_FIELDS | OPTIONAL_UPLOAD_FIELDS).items():
        upload = request.FILES.get(field)
        if upload is None:
            if field in UPLOAD_FIELDS:
                problems.append(f"{name}: choose the file to upload.")
        elif upload.size > limit:
            problems.append(
                f"{name}: the file is {_size(upload.size)}, above the {_size(limit)} "
                "limit of an upload. Import it on the server with manage.py import_portfolio."
            )
    return problems


def _columns() -> list[tuple[str, list[tuple[str, bool]]]]:
    return [
        (name, list(interchange.COLUMNS[name].items()))
        for name in interchange.FILES + interchange.OPTIONAL_FILES
    ]


def _uploads(request: HttpRequest) -> dict:
    if _is_workbook_post(request):
        return {interchange.WORKBOOK: request.FILES.get("workbook")}
    fields = UPLOAD_FIELDS | OPTIONAL_UPLOAD_FIELDS
    return {name: request.FILES.get(field) for field, name in fields.items()}


# --- The page -------------------------------------------------------------------------------


@csrf_exempt  # checked by _page, or by _upload as the body is read (the module's text)
@login_required
@require_http_methods(["GET", "POST"])
def portfolio_import(request: HttpRequest) -> HttpResponse:
    # Refused before anything reads the body, which an upload stores as it is read.
    if not access.can_import_portfolio(request.user):
        raise PermissionDenied
    context = {
        "fields": UPLOAD_FIELDS,
        "optional_fields": OPTIONAL_UPLOAD_FIELDS,
        "columns": _columns(),
        "upload_limit": _size(settings.IMPORT_UPLOAD_MAX_BYTES),
        "may_replace": request.user.is_superuser,
        "errors": [],
        "replace": False,
        "workbook_sheets": [
            (interchange.sheet_name(name), name in interchange.FILES)
            for name in interchange.FILES + interchange.OPTIONAL_FILES
        ],
        "workbook_posted": False,
    }
    if (
        request.method == "POST"
        and request.content_type == "multipart/form-data"
        and import_upload.stores_as_read()
    ):
        return _upload(request, context)
    return _page(request, context)


@csrf_protect
def _page(request: HttpRequest, context: dict) -> HttpResponse:
    """The page, and a post that is not an upload (the confirmation of a replace)."""
    if request.method == "GET":
        return render(request, "gates/portfolio_import.html", context)
    if "staged" in request.POST:
        return _confirmed_replace(request, context)
    # An upload read by Django's own handlers (on SQLite), or a post that names no file.
    return _queue(request, context, uploaded=None)


def _upload(request: HttpRequest, context: dict) -> HttpResponse:
    """An upload: its files are stored in a new job's pieces while Django reads the body
    (gates/import_upload.py), in one transaction with the job; any answer but the queued
    job rolls them back. The CSRF token is checked once the body is read, as Django's own
    check would (it reads the token from the body), before anything else of it is used."""
    fields = UPLOAD_FIELDS | OPTIONAL_UPLOAD_FIELDS | {"workbook": interchange.WORKBOOK}
    response = None
    with transaction.atomic():
        job = import_jobs.new_upload(actor=request.user)
        handler = import_upload.PiecesUploadHandler(
            request, job=job, fields=fields, limit=settings.IMPORT_UPLOAD_MAX_BYTES
        )
        request.upload_handlers = [handler]
        try:
            response = _CSRF.process_view(request, None, (), {})  # reads the body
            if response is None:
                request.FILES  # noqa: B018 - read, if the check did not (a test client's exemption)
        except BaseException:
            handler.close(quietly=True)
            raise
        handler.close()
        if response is None and "staged" not in request.POST:
            response = _queue(request, context, uploaded=job)
        if job.phase == import_jobs.UPLOADING:  # not queued: its files are forgotten with it
            transaction.set_rollback(True)
    if response is None:  # a replace's confirmation, sent as multipart: not an upload
        return _confirmed_replace(request, context)
    return response


def _queue(request: HttpRequest, context: dict, *, uploaded: ImportJob | None) -> HttpResponse:
    context["workbook_posted"] = _is_workbook_post(request)
    replace = request.POST.get("replace") == "on"
    if replace and not request.user.is_superuser:
        raise PermissionDenied("Only a superuser replaces existing projects.")
    context["replace"] = replace
    context["errors"] = _upload_problems(request) + [
        f"{name}: sent twice; choose one file for it."
        for field, name in (
            UPLOAD_FIELDS | OPTIONAL_UPLOAD_FIELDS | {"workbook": "Workbook"}
        ).items()
        if len(request.FILES.getlist(field)) > 1
    ]
    if context["errors"]:
        return render(request, "gates/portfolio_import.html", context, status=400)
    files = _uploads(request)
    try:
        if replace and interchange.replaces_any(files):
            # A replace of projects the app has: the worker checks the files and lists what
            # they would replace on the job's page, where its uploader confirms it.
            job = import_jobs.start_replace(files=files, actor=request.user, uploaded=uploaded)
        else:
            # The worker imports; the page answers at once with the job's progress page.
            job = import_jobs.start_import(
                files=files, replace=False, actor=request.user, uploaded=uploaded
            )
    except errors.PermissionDenied as refused:
        raise PermissionDenied(refused.message) from None
    return redirect("import_job", job_id=job.pk)


def _confirmed_replace(request: HttpRequest, context: dict) -> HttpResponse:
    """The answer to the confirmation page: queue the staged replace, or forget it."""
    try:
        job_id = int(request.POST.get("staged", ""))
    except ValueError:
        job_id = 0
    confirmed = import_jobs.confirmed_replace(job_id=job_id, actor=request.user)
    if confirmed is not None:
        # The confirmation sent again (Back, a second click): the import's own page says
        # how it goes, rather than "no longer waiting: upload them again".
        if confirmed.staged_at is not None:
            said = f"This replace was confirmed already: it is import #{confirmed.pk}."
        else:
            said = (
                f"This replace needed no confirmation (it would archive nothing): it is "
                f"import #{confirmed.pk}."
            )
        messages.info(request, said)
        return redirect("import_job", job_id=confirmed.pk)
    try:
        if request.POST.get("confirm") != "replace":  # "Cancel": nothing is imported
            import_jobs.cancel_replace(job_id=job_id, actor=request.user)
            messages.info(request, "Nothing was imported: the replace was cancelled.")
            return redirect("portfolio_import")
        job = import_jobs.confirm_replace(job_id=job_id, actor=request.user)
    except errors.PermissionDenied as refused:
        raise PermissionDenied(refused.message) from None
    except errors.DomainError as refused:
        context["errors"] = [refused.message]
        return render(request, "gates/portfolio_import.html", context, status=400)
    return redirect("import_job", job_id=job.pk)


@login_required
@require_GET
def portfolio_export(request: HttpRequest) -> HttpResponse:
    if not access.can_export_portfolio(request.user):
        raise PermissionDenied
    # Spooled: small portfolios stay in memory, large ones go to disk, never all in RAM.
    archive = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    interchange.export_portfolio_zip(archive)
    archive.seek(0)
    filename = f"greenlight-portfolio-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(
        archive, as_attachment=True, filename=filename, content_type="application/zip"
    )


@login_required
@require_GET
def portfolio_export_workbook(request: HttpRequest) -> HttpResponse:
    if not access.can_export_portfolio(request.user):
        raise PermissionDenied
    workbook = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    interchange.export_portfolio_workbook(workbook)
    workbook.seek(0)
    filename = f"greenlight-portfolio-{timezone.localdate():%Y-%m-%d}.xlsx"
    return FileResponse(workbook, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
