"""Artifacts a project produces, and their reuse by other projects."""

from __future__ import annotations

import logging

from django.db import transaction

from portfolio import access, audit
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import (
    Artifact,
    ArtifactReuse,
    Project,
    User,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def register_artifact(
    *,
    project: Project,
    actor: User,
    kind: str,
    name: str,
    description: str = "",
    location: str = "",
) -> Artifact:
    if not access.can_register_artifact(actor, project):
        raise PermissionDenied("Only the project's researcher registers its artifacts.")
    if Artifact.objects.filter(project=project, name__iexact=name).exists():
        raise DomainError(f"This project already has an artifact named {name!r}.", field="name")
    artifact = Artifact.objects.create(
        project=project,
        kind=kind,
        name=name,
        description=description,
        location=location,
        registered_by=actor,
    )
    audit.record(
        actor=actor,
        action="artifact.registered",
        project=project,
        obj=artifact,
        summary=f"Artifact {name} ({artifact.get_kind_display()}) registered",
    )
    return artifact


@transaction.atomic
def link_reused_artifact(*, project: Project, artifact: Artifact, actor: User) -> ArtifactReuse:
    if not access.can_register_artifact(actor, project):
        raise PermissionDenied("Only the project's researcher links the artifacts it reuses.")
    if artifact.project_id == project.pk:
        raise DomainError("A project cannot reuse its own artifact.", field="artifact")
    if ArtifactReuse.objects.filter(project=project, artifact=artifact).exists():
        raise DomainError("This artifact is already linked.", field="artifact")
    reuse = ArtifactReuse.objects.create(project=project, artifact=artifact, linked_by=actor)
    audit.record(
        actor=actor,
        action="artifact.reused",
        project=project,
        obj=reuse,
        summary=f"Reuses {artifact.name} from {artifact.project.key}",
    )
    return reuse
