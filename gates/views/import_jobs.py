"""An import's own page (its progress, then its summary or problems) and the list of imports.

Admins only, like the import page. While the import waits or runs, the page
asks for its status part again every second (htmx); without JavaScript, the
page refreshes itself the same way (a meta refresh) until the import has
finished.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from background.liveness import workers_alive
from gates.import_jobs import (
    STAGED_FOR,
    replace_outlook,
    running_import,
    stopped_worker,
    stopped_workers,
    with_live_progress,
)
from gates.models import ImportJob
from portfolio import access
from portfolio.views.common import page_of

JOBS_LISTED = 50


def _check_access(request: HttpRequest) -> None:
    if not access.can_import_portfolio(request.user):
        raise PermissionDenied("Imports are for admins.")


def _elapsed(job: ImportJob, *, stopped: bool = False) -> str:
    """From its start to its end, or now; for an import whose worker stopped, to the
    worker's last sign of life (``stopped_workers``), not on and on: "" when it left none
    after the start (the page says so in words)."""
    if job.started_at is None:
        return ""
    if job.finished_at is not None:
        end = job.finished_at
    elif stopped:
        end = getattr(job, "last_sign_of_life", None)
        if end is None:
            return ""
    else:
        end = timezone.now()
    return _duration(int((end - job.started_at).total_seconds()))


def _duration(seconds: int) -> str:
    """``45 s``, ``1 min 15 s``, ``2 h 05 min``, ``3 d 4 h``: the two largest units."""
    minutes, seconds = divmod(max(seconds, 0), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    _check_access(request)
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    with_live_progress([job])
    context = {"job": job}
    if job.status == ImportJob.Status.WAITING:
        ahead = running_import(exclude=job.pk)
        context["waiting_for"] = ahead
        if ahead is not None:
            # The import ahead may itself be stopped (its worker killed): then this one
            # waits on a worker to report it failed, not on it to finish.
            context["ahead_stopped"] = stopped_worker(ahead)
        context["no_worker"] = ahead is None and not workers_alive()
    elif job.status == ImportJob.Status.RUNNING:
        # "alone": its worker stopped and no other runs, so the page would show the last
        # phase until one does; "others": another worker reports it failed shortly.
        context["worker_stopped"] = stopped_worker(job)
    elif job.status == ImportJob.Status.STAGED:
        context["outlook"] = replace_outlook(job)
        if job.staged_at is not None:
            context["confirm_by"] = timezone.localtime(job.staged_at + STAGED_FOR)
    context["elapsed"] = _elapsed(job, stopped=bool(context.get("worker_stopped")))
    if request.htmx and not request.htmx.history_restore_request:
        # 286 tells htmx to stop polling: the import has finished, or waits for a confirmation.
        status = 200 if job.in_progress else 286
        return render(request, "gates/import_job.html#status", context, status=status)
    return render(request, "gates/import_job.html", context)


@login_required
@require_GET
def import_jobs(request: HttpRequest) -> HttpResponse:
    _check_access(request)
    page = page_of(Paginator(ImportJob.objects.select_related("created_by"), JOBS_LISTED), request)
    jobs = with_live_progress(list(page.object_list))
    # As on the import's own page: a running import whose worker is gone says so.
    stopped = stopped_workers(jobs)
    for job in jobs:
        job.worker_stopped = stopped.get(job.pk)
    return render(request, "gates/import_jobs.html", {"jobs": jobs, "page": page})
