"""Artifacts a project produced, those it reuses, and registering a new one."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Status

from api import schemas
from api.common import may_change, permitted_project, project_for, unless
from portfolio import access, services
from portfolio.models import Artifact, ArtifactReuse, Project, User

router = Router(tags=["artifacts"])


def artifact_out(artifact: Artifact) -> dict:
    return {
        "id": artifact.pk,
        "key": artifact.key,
        "project": artifact.project.key,
        "kind": artifact.kind,
        "name": artifact.name,
        "description": artifact.description,
        "location": artifact.location,
        "created_on": artifact.created_on,
        "registered_at": artifact.registered_at,
        "url": artifact.get_absolute_url(),
        "reused_by": sorted(reuse.project.key for reuse in artifact.reuses.all()),
    }


def _with_reuses(rows, user: User):
    """The artifacts with the projects reusing them that ``user`` may see, as the
    artifact's page lists them: submitted projects and the person's own drafts (a draft
    is its researcher's alone, its key included)."""
    visible = Project.objects.visible_to(user)
    return (
        rows.filter(project__in=visible)
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "reuses",
                queryset=ArtifactReuse.objects.filter(project__in=visible).select_related(
                    "project"
                ),
            )
        )
        .order_by("key")
    )


@router.get("/projects/{key}/artifacts", response={200: schemas.ArtifactsOut, **schemas.ERRORS})
def list_artifacts(request: HttpRequest, key: str):
    """What the project produced, and the other projects' artifacts it reuses."""
    project = project_for(request, key)
    produced = _with_reuses(Artifact.objects.filter(project=project), request.user)
    reused = _with_reuses(Artifact.objects.filter(reuses__project=project), request.user)
    return {
        "produced": [artifact_out(a) for a in produced],
        "reused": [artifact_out(a) for a in reused],
    }


@router.post(
    "/projects/{key}/artifacts",
    response={201: schemas.ArtifactOut, **schemas.WRITE_ERRORS},
    auth=may_change(
        unless(
            access.can_register_artifact, "Only the project's researcher registers its artifacts."
        )
    ),
)
def register_artifact(request: HttpRequest, key: str, payload: schemas.ArtifactIn):
    """Register an artifact: the project's researcher or an admin."""
    project = permitted_project(request)
    artifact = services.register_artifact(project=project, actor=request.user, **payload.dict())
    registered = _with_reuses(Artifact.objects.filter(pk=artifact.pk), request.user).get()
    return Status(201, artifact_out(registered))
