"""Proposals: create, edit and submit a draft."""

from __future__ import annotations

import datetime
import logging
import re
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from portfolio import access, audit, edits, signals, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import (
    Artifact,
    Project,
    Role,
    Status,
    User,
)
from portfolio.services import handovers
from portfolio.validators import check_money, check_one_line

logger = logging.getLogger(__name__)


PROPOSAL_FIELDS = (
    "key",
    "title",
    "research_type",
    "bucket",
    "product_manager",
    "value_kind",
    "projected_low",
    "projected_expected",
    "projected_high",
    "probability_of_success",
    "business_case",
    "hypothesis",
)


ONE_LINE_FIELDS = ("key", "title")

# What submitting needs beyond what a draft needs (the form marks them "needed to submit").
SUBMISSION_FIELDS = Project.NEEDED_TO_SUBMIT


def next_proposal_key() -> str:
    """The next free key of the form PREFIX-0001 (PROPOSAL_KEY_PREFIX), for a new proposal.

    Only a suggestion: the researcher may change it, and two people opening the form at
    once get the same one; the second to save is told the key is taken, and which is free.
    """
    prefix = settings.PROPOSAL_KEY_PREFIX
    numbered = re.compile(rf"^{re.escape(prefix)}-(\d+)$", re.IGNORECASE)
    taken = Project.objects.filter(key__istartswith=f"{prefix}-").values_list("key", flat=True)
    numbers = [int(match.group(1)) for key in taken if (match := numbered.match(key))]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


def _check_not_an_artifact_key(key: str) -> None:
    """Projects and artifacts are listed side by side (the library, "Builds on"): a project
    key that is an artifact's (ignoring case, as keys are unique) would mix them up."""
    if Artifact.objects.filter(key__iexact=key).exists():
        raise DomainError(
            f"The key {key} is an artifact's key: choose another, so that projects and "
            f"artifacts are told apart (the next free one is {next_proposal_key()}).",
            field="key",
        )


def _key_taken(key: str) -> DomainError:
    return DomainError(
        f"The key {key} is already taken: choose another (the next free one is "
        f"{next_proposal_key()}).",
        field="key",
    )


def _check_projected_range(
    low: Decimal | None, expected: Decimal | None, high: Decimal | None
) -> None:
    """The range as far as it is written (a draft may leave any of it empty)."""
    for name, value in (("low", low), ("expected", expected), ("high", high)):
        if value is not None and value < 0:
            raise DomainError(
                f"The {name} projection cannot be negative.", field=f"projected_{name}"
            )
        check_money(value, label=f"{name.capitalize()} projection", field=f"projected_{name}")
    if low is not None and expected is not None and low > expected:
        raise DomainError(
            "The low projection cannot be above the expected value.", field="projected_low"
        )
    if expected is not None and high is not None and expected > high:
        raise DomainError(
            "The high projection cannot be below the expected value.", field="projected_high"
        )


def _check_probability(value: Decimal | None, field: str) -> None:
    if value is not None and not (0 <= value <= 1):
        raise DomainError("A probability is between 0 and 1.", field=field)


def _check_product_manager(user: User | None) -> None:
    if user is not None and not user.has_role(Role.PRODUCT_MANAGER):
        raise DomainError(f"{user.email} is not a product manager.", field="product_manager")


def _producers(project: Project | None, artifacts=None) -> list[int]:
    """The projects whose artifacts a draft builds on, or will: a draft is in no number, but
    its reuses count for the artifacts' producers (versioning.changing)."""
    found = {artifact.project_id for artifact in artifacts or ()}
    if project is not None and project.pk is not None:
        found |= set(project.artifact_reuses.values_list("artifact__project_id", flat=True))
    return sorted(found)


def _set_builds_on(project: Project, artifacts, actor: User) -> None:
    """The artifacts a draft says it builds on: its reuses, dated today until submission."""
    from portfolio.models import Artifact, ArtifactReuse

    wanted = {artifact.pk for artifact in artifacts}
    own = set(Artifact.objects.filter(pk__in=wanted, project=project).values_list("pk", flat=True))
    if own:
        raise DomainError("A proposal cannot build on its own artifacts.", field="builds_on")
    hidden = wanted - set(
        Artifact.objects.filter(pk__in=wanted)
        .exclude(project__status=Status.DRAFT)
        .values_list("pk", flat=True)
    )
    if hidden:
        raise DomainError("Choose artifacts of submitted projects.", field="builds_on")
    current = set(project.artifact_reuses.values_list("artifact_id", flat=True))
    project.artifact_reuses.exclude(artifact_id__in=wanted).delete()
    today = timezone.localdate()
    ArtifactReuse.objects.bulk_create(
        ArtifactReuse(project=project, artifact_id=pk, linked_by=actor, used_on=today)
        for pk in wanted - current
    )
    if wanted != current:
        audit.record(
            actor=actor,
            action="proposal.builds_on",
            project=project,
            obj=project,
            summary=f"Proposal {project.key} builds on {len(wanted)} artifact(s)",
            changes={"builds_on": [sorted(current), sorted(wanted)]},
        )


@transaction.atomic
def create_proposal(*, actor: User, builds_on=None, **fields) -> Project:
    """A new draft proposal, led by ``actor``; ``builds_on``: artifacts it reuses."""
    if not access.can_create_proposal(actor):
        raise PermissionDenied("Only researchers write proposals.")
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    check_one_line(fields, ONE_LINE_FIELDS)
    _check_projected_range(
        fields.get("projected_low"), fields.get("projected_expected"), fields.get("projected_high")
    )
    _check_probability(fields.get("probability_of_success"), "probability_of_success")
    _check_product_manager(fields.get("product_manager"))
    if not fields.get("key"):
        fields["key"] = next_proposal_key()
    if Project.objects.filter(key__iexact=fields["key"]).exists():
        raise _key_taken(fields["key"])
    _check_not_an_artifact_key(fields["key"])
    with versioning.changing(*_producers(None, builds_on)):
        try:
            with transaction.atomic():  # a savepoint: another request may take the key meanwhile
                project = Project.objects.create(researcher=actor, status=Status.DRAFT, **fields)
        except IntegrityError:
            if Project.objects.filter(key__iexact=fields["key"]).exists():
                raise _key_taken(fields["key"]) from None
            raise
        audit.record(
            actor=actor,
            action="proposal.created",
            project=project,
            obj=project,
            summary=f"Draft proposal {project.key} created",
        )
        if builds_on:
            _set_builds_on(project, builds_on, actor)
    return project


def proposal_version(project: Project, *, builds_on=None) -> dict | None:
    """What an edit of the draft is made against (``portfolio.edits``): its fields and the
    artifacts it builds on (``builds_on``: their ids, when already read)."""
    if project is None or project.pk is None:
        return None
    if builds_on is None:
        builds_on = project.artifact_reuses.values_list("artifact_id", flat=True)
    return edits.values_of(project, PROPOSAL_FIELDS, builds_on=sorted(builds_on))


@transaction.atomic
def update_proposal(
    *, project: Project, actor: User, builds_on=None, seen: str | None = None, **fields
) -> Project:
    """Edit the draft; ``seen``: the version its form was drawn with (refused with
    ``portfolio.edits.ChangedSince`` when the draft changed since)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_edit_proposal(actor, project):
        raise PermissionDenied(
            "Only the researcher who wrote a draft may edit it, before submission."
        )
    edits.check(
        seen,
        record=project,
        values=proposal_version(project) if seen else None,
        what="the draft",
        names=(*PROPOSAL_FIELDS, "builds_on"),
    )
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    check_one_line(fields, ONE_LINE_FIELDS)
    merged = {name: fields.get(name, getattr(project, name)) for name in PROPOSAL_FIELDS}
    _check_projected_range(
        merged["projected_low"], merged["projected_expected"], merged["projected_high"]
    )
    _check_probability(merged["probability_of_success"], "probability_of_success")
    if "product_manager" in fields:
        _check_product_manager(fields["product_manager"])
    if not fields.get("key", project.key):
        fields["key"] = project.key  # emptied: it keeps the key it has
    if (
        "key" in fields
        and Project.objects.filter(key__iexact=fields["key"]).exclude(pk=project.pk).exists()
    ):
        raise _key_taken(fields["key"])
    if "key" in fields and fields["key"].lower() != project.key.lower():
        _check_not_an_artifact_key(fields["key"])
    with versioning.changing(*_producers(project, builds_on)):
        changes = audit.diff(project, fields)
        for name, value in fields.items():
            setattr(project, name, value)
        project.save()
        if changes:
            audit.record(
                actor=actor,
                action="proposal.updated",
                project=project,
                obj=project,
                summary=f"Proposal {project.key} edited",
                changes=changes,
            )
        if builds_on is not None:
            _set_builds_on(project, builds_on, actor)
    return project


@transaction.atomic
def submit_proposal(
    *, project: Project, actor: User, submitted_on: datetime.date | None = None
) -> Project:
    """Submit a draft: it waits at gate 1, and its product manager is told."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Status.DRAFT:
        raise DomainError("This proposal has already been submitted.")
    if project.researcher_id != actor.pk:
        raise PermissionDenied("Only the researcher who wrote a proposal may submit it.")
    missing = project.missing_to_submit()
    if missing:
        raise DomainError(
            f"Before submitting, fill in {project.missing_to_submit_sentence}.",
            field=missing[0][0],
        )
    with versioning.changing(project, *_producers(project)):
        project.submitted_on = submitted_on or timezone.localdate()
        project.status = Status.ACTIVE
        project.current_gate = 1
        project.save(update_fields=["submitted_on", "status", "current_gate", "updated_at"])
        # What the draft said it builds on is reused from submission on (a use is never dated
        # before the using project was submitted).
        project.artifact_reuses.filter(used_on__lt=project.submitted_on).update(
            used_on=project.submitted_on
        )
        audit.record(
            actor=actor,
            action="proposal.submitted",
            project=project,
            obj=project,
            summary=f"Proposal {project.key} submitted for gate 1",
        )
        # Its gate 1 review is open: the gatekeepers gate 1 names are asked for their vote
        # now, as a decision's review asks them (gates listens). Its answer: the product
        # manager, when their vote is asked in the new proposal's notice (one message).
        answers = signals.proposal_submitted.send(sender=Project, project=project, actor=actor)
        asked_in_notice = {pk for _, pks in answers for pk in pks or ()}
        # The view tells the researcher whether the e-mail went (known once this commits).
        project.notice = handovers.proposal_submitted(
            project, actor, vote_asked=project.product_manager_id in asked_in_notice
        )
    return project


@transaction.atomic
def save_and_submit_proposal(
    *,
    actor: User,
    project: Project | None = None,
    builds_on=None,
    seen: str | None = None,
    **fields,
) -> Project:
    """Save the form's proposal (a new one, or the draft ``project``) and submit it, at once.

    One transaction: when the submission is refused, the draft is not saved either, so the
    form is shown again as it was typed, with the reason beside its field.
    """
    if project is None:
        project = create_proposal(actor=actor, builds_on=builds_on, **fields)
    else:
        project = update_proposal(
            project=project, actor=actor, builds_on=builds_on, seen=seen, **fields
        )
    return submit_proposal(project=project, actor=actor)


@transaction.atomic
def delete_draft(*, project: Project, actor: User) -> None:
    """Delete a draft proposal: only its author, only while it is a draft; audited."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_delete_draft(actor, project):
        raise PermissionDenied("Only the researcher who wrote a draft may delete it.")
    if not project.is_draft:
        raise DomainError("A submitted proposal cannot be deleted.")
    with versioning.changing(*_producers(project)):
        key, title, pk = project.key, project.title, project.pk
        # What it said it builds on goes with it (cascade); decisions, votes and artifacts,
        # which keep a project, are never recorded on a draft.
        try:
            with transaction.atomic():
                project.delete()
        except ProtectedError:
            raise DomainError(f"{key} has records that keep it; it cannot be deleted.") from None
        audit.record(
            actor=actor,
            action="proposal.deleted",
            summary=f"Draft proposal {key} deleted: {title}",
            changes={"key": [key, None], "title": [title, None], "id": [pk, None]},
        )


# What an admin may correct on a submitted project: its description, not its history
# (status, gate, dates and totals follow from decisions and spend).
CORRECTABLE_FIELDS = (*PROPOSAL_FIELDS, "researcher", "next_stage_ask")


@transaction.atomic
def correct_project(*, project: Project, actor: User, **fields) -> Project:
    """An admin's correction of a submitted project (a new product manager, a typo)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_correct_project(actor, project):
        raise PermissionDenied("Admins correct submitted projects; a draft is its researcher's.")
    unknown = set(fields) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    check_one_line(fields, ONE_LINE_FIELDS)
    merged = {name: fields.get(name, getattr(project, name)) for name in CORRECTABLE_FIELDS}
    _check_projected_range(
        merged["projected_low"], merged["projected_expected"], merged["projected_high"]
    )
    _check_probability(merged["probability_of_success"], "probability_of_success")
    check_money(merged["next_stage_ask"], label="Next-stage ask", field="next_stage_ask")
    if "product_manager" in fields and fields["product_manager"] != project.product_manager:
        _check_product_manager(fields["product_manager"])
    if "researcher" in fields and not fields["researcher"].has_role(Role.RESEARCHER):
        raise DomainError(f"{fields['researcher'].email} is not a researcher.", field="researcher")
    if (
        "key" in fields
        and Project.objects.filter(key__iexact=fields["key"]).exclude(pk=project.pk).exists()
    ):
        raise DomainError(f"The key {fields['key']} is already taken.", field="key")
    if "key" in fields and fields["key"].lower() != project.key.lower():
        _check_not_an_artifact_key(fields["key"])
    changes = audit.diff(project, fields)
    if not changes:
        return project
    with versioning.changing(project):
        for name, value in fields.items():
            setattr(project, name, value)
        if not project.is_draft and (missing := project.missing_to_submit()):
            raise DomainError(
                f"A submitted project needs {project.missing_to_submit_sentence}.",
                field=missing[0][0],
            )
        project.save()
        audit.record(
            actor=actor,
            action="project.corrected",
            project=project,
            obj=project,
            summary=f"Project {project.key} corrected by an admin",
            changes=changes,
        )
        if "product_manager" in changes:
            # The new product manager chairs the project's open review: asked at once for
            # their vote, as its opening asked its panel (gates listens).
            signals.panels_may_have_grown.send(
                sender=Project, person=project.product_manager, project=project
            )
        if "key" in changes:
            # Saved plan scenarios pin keys and the adopted plan keeps the keys it funded:
            # they follow the project in this transaction (planning listens).
            old_key, new_key = changes["key"]
            signals.project_key_changed.send(
                sender=Project, project=project, old_key=old_key, new_key=new_key, actor=actor
            )
    return project
