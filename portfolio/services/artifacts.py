"""Artifacts a project produces, and their reuse by other projects."""

from __future__ import annotations

import datetime
import logging
import re

from django.db import transaction
from django.utils import timezone

from portfolio import access, audit, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import (
    Artifact,
    ArtifactKind,
    ArtifactReuse,
    Project,
    User,
)
from portfolio.validators import check_one_line

logger = logging.getLogger(__name__)

ARTIFACT_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")


_KEY_PREFIX = "AR-"


def next_artifact_key() -> str:
    """The next free key of the form AR-0001 (a person may choose another)."""
    numbers = [
        int(key[len(_KEY_PREFIX) :])
        for key in Artifact.objects.filter(key__istartswith=_KEY_PREFIX).values_list(
            "key", flat=True
        )
        if key[len(_KEY_PREFIX) :].isdigit()
    ]
    return f"{_KEY_PREFIX}{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def register_artifact(
    *,
    project: Project,
    actor: User,
    kind: str,
    name: str,
    key: str = "",
    created_on: datetime.date | None = None,
    description: str = "",
    location: str = "",
) -> Artifact:
    """Register something the project produced; a killed project's artifacts count too."""
    if not access.can_register_artifact(actor, project):
        raise PermissionDenied("Only the project's researcher registers its artifacts.")
    if kind not in ArtifactKind.values:
        raise DomainError(f"Choose a kind: {', '.join(ArtifactKind.values)}.", field="kind")
    check_one_line({"name": name, "location": location}, ("name", "location"))
    key = (key or "").strip() or next_artifact_key()
    if not ARTIFACT_KEY.fullmatch(key):
        raise DomainError("Use 1–32 letters, digits, hyphens or underscores.", field="key")
    if Artifact.objects.filter(key__iexact=key).exists():
        raise DomainError(f"The key {key} is taken by another artifact.", field="key")
    if Project.objects.filter(key__iexact=key).exists():
        # Listed beside projects (the library, "Builds on"): a project's key would mix them.
        raise DomainError(
            f"The key {key} is a project's key: choose another, so that artifacts and "
            f"projects are told apart (the next free one is {next_artifact_key()}).",
            field="key",
        )
    created_on = created_on or timezone.localdate()
    if created_on > timezone.localdate():
        raise DomainError("An artifact cannot be made in the future.", field="created_on")
    if project.submitted_on and created_on < project.submitted_on:
        raise DomainError(
            f"The project was submitted on {project.submitted_on:%Y-%m-%d}: "
            "it cannot have made the artifact before.",
            field="created_on",
        )
    if Artifact.objects.filter(project=project, name__iexact=name).exists():
        raise DomainError(f"This project already has an artifact named {name!r}.", field="name")
    with versioning.changing(project):
        artifact = Artifact.objects.create(
            key=key,
            project=project,
            kind=kind,
            name=name,
            created_on=created_on,
            description=description,
            location=location,
            registered_by=actor,
        )
        audit.record(
            actor=actor,
            action="artifact.registered",
            project=project,
            obj=artifact,
            summary=f"Artifact {key} {name} ({artifact.get_kind_display()}) registered",
        )
    return artifact


@transaction.atomic
def link_reused_artifact(
    *,
    project: Project,
    artifact: Artifact,
    actor: User,
    used_on: datetime.date | None = None,
) -> ArtifactReuse:
    """Record that ``project`` builds on ``artifact`` (from another project, killed or not)."""
    if not access.can_register_artifact(actor, project):
        raise PermissionDenied("Only the project's researcher links the artifacts it reuses.")
    if artifact.project_id == project.pk:
        raise DomainError("A project cannot reuse its own artifact.", field="artifact")
    if ArtifactReuse.objects.filter(project=project, artifact=artifact).exists():
        raise DomainError("This artifact is already linked.", field="artifact")
    used_on = used_on or timezone.localdate()
    if used_on > timezone.localdate():
        raise DomainError("A reuse cannot be dated in the future.", field="used_on")
    if project.submitted_on and used_on < project.submitted_on:
        raise DomainError(
            f"The project was submitted on {project.submitted_on:%Y-%m-%d}: "
            "a reuse cannot be dated before.",
            field="used_on",
        )
    if used_on < artifact.created_on:
        raise DomainError(
            f"{artifact.key} was made on {artifact.created_on:%Y-%m-%d}: "
            "a reuse cannot be dated before.",
            field="used_on",
        )
    # The reuse moves both projects' numbers: the producer's artifact is reused now.
    with versioning.changing(project, artifact.project_id):
        reuse = ArtifactReuse.objects.create(
            project=project, artifact=artifact, linked_by=actor, used_on=used_on
        )
        audit.record(
            actor=actor,
            action="artifact.reused",
            project=project,
            obj=reuse,
            summary=f"Reuses {artifact.key} {artifact.name} from {artifact.project.key}",
        )
    return reuse
