"""Board packs of large portfolios, rendered by the task worker (as imports are).

``start_board_pack`` (the service the view calls) records what was asked for
and enqueues ``render_board_pack`` in the same transaction; the pack's page
waits for it and then offers the PDF. Small portfolios are rendered in the
request instead (``renders_directly``): waiting for a worker would be slower.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from background.liveness import WorkerLost, when_worker_lost
from background.mail import stores_tasks
from boardpack.models import BoardPack
from boardpack.render import RenderingUnavailable, render_pdf
from portfolio.access import can_view_dashboard
from portfolio.errors import PermissionDenied
from portfolio.models import Project, User

logger = logging.getLogger(__name__)


def renders_directly() -> bool:
    """Whether a pack is small enough to render while the person waits for the page."""
    return Project.objects.submitted().count() <= settings.BOARD_PACK_DIRECT_MAX_PROJECTS


def filters_as_json(filters: dict) -> dict:
    return {**filters, "as_of": filters["as_of"].isoformat()}


def filters_from_json(stored: dict) -> dict:
    import datetime

    return {**stored, "as_of": datetime.date.fromisoformat(stored["as_of"])}


def start_board_pack(*, filters: dict, actor: User) -> BoardPack:
    """Queue a board pack for the dashboard's ``filters``; returns it at once."""
    if not can_view_dashboard(actor):
        raise PermissionDenied("The board pack is for those who may see the dashboard.")
    with transaction.atomic():
        pack = BoardPack.objects.create(requested_by=actor, filters=filters_as_json(filters))
        if stores_tasks():
            render_board_pack.enqueue(pack_id=pack.pk)  # with the pack: both commit, or neither
        else:
            transaction.on_commit(lambda: render_board_pack.enqueue(pack_id=pack.pk))
    return pack


def _finish(pack_id: int, **fields) -> None:
    BoardPack.objects.filter(pk=pack_id).update(finished_at=timezone.now(), **fields)


@task
def render_board_pack(*, pack_id: int) -> str:
    pack = BoardPack.objects.filter(pk=pack_id, status=BoardPack.Status.QUEUED).first()
    if pack is None:
        return f"board pack #{pack_id}: nothing to do"
    BoardPack.objects.filter(pk=pack_id).update(status=BoardPack.Status.RENDERING)
    try:
        pdf, pages = render_pdf(filters_from_json(pack.filters))
    except RenderingUnavailable as missing:
        _finish(pack_id, status=BoardPack.Status.FAILED, failure=str(missing))
        return f"board pack #{pack_id}: {missing}"
    except Exception as error:
        logger.exception("board pack #%s failed", pack_id)
        _finish(
            pack_id,
            status=BoardPack.Status.FAILED,
            failure=f"The pack could not be rendered ({type(error).__name__}); the operators' "
            "log has the details.",
        )
        raise
    _finish(pack_id, status=BoardPack.Status.DONE, pdf=pdf, pages=pages)
    return f"board pack #{pack_id}: {pages} pages"


@when_worker_lost(render_board_pack)
def _worker_lost(lost: WorkerLost, /, *, pack_id: int) -> None:
    _finish(
        pack_id,
        status=BoardPack.Status.FAILED,
        failure=f"{lost.cause} while rendering the pack: ask for it again.",
    )
