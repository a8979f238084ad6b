"""The portfolio import page (admins) and the export download (product managers, executives).

Both hand the work to ``gates.interchange``: the page only gathers the four
uploaded files and refuses oversized ones; the task worker imports them
(gates/import_jobs.py) while the job's page (gates/views/import_jobs.py) shows how far it got.
"""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from gates import import_jobs, interchange
from portfolio import access, errors

# Form field -> file name in the format.
UPLOAD_FIELDS = {
    "projects": interchange.PROJECTS,
    "gate_decisions": interchange.DECISIONS,
    "spend": interchange.SPEND,
    "outcomes": interchange.OUTCOMES,
}


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.1f} MB"
    if size >= 1024:
        return f"{size / 1024:,.1f} kB"
    return f"{size} bytes"


def _upload_problems(request: HttpRequest) -> list[str]:
    problems = []
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    for field, name in UPLOAD_FIELDS.items():
        upload = request.FILES.get(field)
        if upload is None:
            problems.append(f"{name}: choose the file to upload.")
        elif upload.size > limit:
            problems.append(
                f"{name}: the file is {_size(upload.size)}, above the {_size(limit)} "
                "limit of an upload. Import it on the server with manage.py import_portfolio."
            )
    return problems


def _columns() -> list[tuple[str, list[tuple[str, bool]]]]:
    return [(name, list(interchange.COLUMNS[name].items())) for name in interchange.FILES]


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_import(request: HttpRequest) -> HttpResponse:
    if not access.can_import_portfolio(request.user):
        raise PermissionDenied
    context = {
        "fields": UPLOAD_FIELDS,
        "columns": _columns(),
        "upload_limit": _size(settings.IMPORT_UPLOAD_MAX_BYTES),
        "errors": [],
        "replace": False,
    }
    if request.method == "POST":
        context["replace"] = request.POST.get("replace") == "on"
        context["errors"] = _upload_problems(request)
        if not context["errors"]:
            # The worker imports; the page answers at once with the job's progress page.
            files = {name: request.FILES[field] for field, name in UPLOAD_FIELDS.items()}
            try:
                job = import_jobs.start_import(
                    files=files, replace=context["replace"], actor=request.user
                )
            except errors.PermissionDenied as refused:
                raise PermissionDenied(refused.message) from None
            return redirect("import_job", job_id=job.pk)
        return render(request, "gates/portfolio_import.html", context, status=400)
    return render(request, "gates/portfolio_import.html", context)


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
