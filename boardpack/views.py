"""The board pack: a PDF of the dashboard for its as-of date and filters.

``board_pack`` answers the dashboard's "Board pack (PDF)" link: the PDF itself
for a small portfolio, or, for a large one, a pack queued for the task worker
and a redirect to its page, which waits for it (htmx asks again every two
seconds; without JavaScript the page refreshes itself) and then offers the
download. Whoever may see the dashboard may ask for a pack and open any pack:
a pack holds nothing the dashboard does not show them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from boardpack import jobs
from boardpack.models import BoardPack
from boardpack.render import RenderingUnavailable, render_pdf
from portfolio.access import can_view_dashboard
from portfolio.dashboard.forms import (
    DashboardFilterForm,
    download_filename,
    product_manager_emails,
)
from portfolio.metrics import MetricsFilterError
from portfolio.web.forms import labelled


def _check_access(request: HttpRequest) -> None:
    if not can_view_dashboard(request.user):
        raise PermissionDenied("The board pack is for those who may see the dashboard.")


def _filename(filters: dict) -> str:
    return download_filename("board-pack", filters, "pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _refused(request: HttpRequest, problems: list[str], status: int = 400) -> HttpResponse:
    return render(
        request,
        "boardpack/refused.html",
        {"problems": problems, "dashboard_url": reverse("dashboard")},
        status=status,
    )


@login_required
@require_GET
def board_pack(request: HttpRequest) -> HttpResponse:
    _check_access(request)
    form = DashboardFilterForm(request.GET, product_managers=product_manager_emails())
    if not form.is_valid():
        return _refused(
            request,
            [
                labelled(form.fields[name].label, " ".join(errors))
                for name, errors in form.errors.items()
            ],
        )
    filters = form.filters()
    if not jobs.renders_directly():
        pack = jobs.start_board_pack(filters=filters, actor=request.user)
        return redirect("board_pack_status", pack_id=pack.pk)
    try:
        pdf, _pages = render_pdf(filters)
    except MetricsFilterError as error:
        return _refused(request, [str(error)])
    except RenderingUnavailable as missing:
        return _refused(request, [str(missing)], status=503)
    return _pdf_response(pdf, _filename(filters))


@login_required
@require_GET
def board_pack_status(request: HttpRequest, pack_id: int) -> HttpResponse:
    _check_access(request)
    pack = get_object_or_404(BoardPack.objects.defer("pdf"), pk=pack_id)
    context = {"pack": pack, "scope": jobs.filters_from_json(pack.filters)}
    if request.htmx and not request.htmx.history_restore_request:
        # 286 tells htmx to stop asking: the pack is ready, or failed.
        status = 286 if pack.finished else 200
        return render(request, "boardpack/status.html#status", context, status=status)
    return render(request, "boardpack/status.html", context)


@login_required
@require_GET
def board_pack_download(request: HttpRequest, pack_id: int) -> HttpResponse:
    _check_access(request)
    pack = get_object_or_404(BoardPack, pk=pack_id, status=BoardPack.Status.DONE)
    return _pdf_response(bytes(pack.pdf), _filename(pack.filters))
