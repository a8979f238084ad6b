"""A project's audit trail: who changed what, newest first (as on the project page)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from api import schemas
from api.common import PagingQuery, paginate, person, project_for
from portfolio.models import AuditEntry

router = Router(tags=["audit"])


def audit_out(entry: AuditEntry) -> dict:
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": person(entry.actor),
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "summary": entry.summary,
        "changes": entry.changes if isinstance(entry.changes, dict) else {},
    }


@router.get("/projects/{key}/audit", response={200: schemas.AuditPage, **schemas.ERRORS})
def list_audit(request: HttpRequest, key: str, paging: PagingQuery):
    """Every change to the project, newest first."""
    project = project_for(request, key)
    rows = AuditEntry.objects.filter(project=project).select_related("actor").order_by("-at", "-id")
    return paginate(request, rows, paging, audit_out)
