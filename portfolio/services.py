"""Every state change of the portfolio domain: proposals, spend, outcomes, artifacts.

Each function is atomic, checks the rules and the actor's permission, raises
``DomainError`` with a message a person can read, and writes the audit trail.
Views and management commands call these; they never write models themselves.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from portfolio import access, audit, rollups
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import (
    Artifact,
    ArtifactReuse,
    Outcome,
    Project,
    Role,
    SpendEntry,
    Status,
    User,
)

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


def _check_projected_range(low: Decimal, expected: Decimal, high: Decimal) -> None:
    if low < 0:
        raise DomainError("The low projection cannot be negative.", field="projected_low")
    if low > expected:
        raise DomainError(
            "The low projection cannot be above the expected value.", field="projected_low"
        )
    if expected > high:
        raise DomainError(
            "The high projection cannot be below the expected value.", field="projected_high"
        )


def _check_probability(value: Decimal | None, field: str) -> None:
    if value is not None and not (0 <= value <= 1):
        raise DomainError("A probability is between 0 and 1.", field=field)


def _check_product_manager(user: User) -> None:
    if not user.has_role(Role.PRODUCT_MANAGER):
        raise DomainError(f"{user.email} is not a product manager.", field="product_manager")


@transaction.atomic
def create_proposal(*, actor: User, **fields) -> Project:
    """A new draft proposal, led by ``actor``."""
    if not access.can_create_proposal(actor):
        raise PermissionDenied("Only researchers write proposals.")
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    _check_projected_range(
        fields["projected_low"], fields["projected_expected"], fields["projected_high"]
    )
    _check_probability(fields["probability_of_success"], "probability_of_success")
    _check_product_manager(fields["product_manager"])
    if Project.objects.filter(key__iexact=fields["key"]).exists():
        raise DomainError(f"The key {fields['key']} is already taken.", field="key")
    project = Project.objects.create(researcher=actor, status=Status.DRAFT, **fields)
    audit.record(
        actor=actor,
        action="proposal.created",
        project=project,
        obj=project,
        summary=f"Draft proposal {project.key} created",
    )
    return project


@transaction.atomic
def update_proposal(*, project: Project, actor: User, **fields) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_edit_proposal(actor, project):
        raise PermissionDenied(
            "Only the researcher who wrote a draft may edit it, before submission."
        )
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    merged = {name: fields.get(name, getattr(project, name)) for name in PROPOSAL_FIELDS}
    _check_projected_range(
        merged["projected_low"], merged["projected_expected"], merged["projected_high"]
    )
    _check_probability(merged["probability_of_success"], "probability_of_success")
    if "product_manager" in fields:
        _check_product_manager(fields["product_manager"])
    if (
        "key" in fields
        and Project.objects.filter(key__iexact=fields["key"]).exclude(pk=project.pk).exists()
    ):
        raise DomainError(f"The key {fields['key']} is already taken.", field="key")
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
    return project


def _notify(*, to: User, subject: str, template: str, context: dict) -> None:
    """Send after the transaction commits, so a rolled-back change e-mails nobody."""
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    body = render_to_string(template, context)

    def send() -> None:
        # The change is committed by now: a mail server that is down must not
        # turn it into an error page. Log it for the operators instead.
        try:
            send_mail(subject, body, None, [to.email], fail_silently=False)
        except Exception:
            logger.exception("could not e-mail %s about %r", to.email, subject)

    transaction.on_commit(send)


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
    missing = [
        label
        for label, value in (
            ("business case", project.business_case),
            ("hypothesis", project.hypothesis),
        )
        if not value.strip()
    ]
    if missing:
        raise DomainError(
            f"Write the {' and the '.join(missing)} before submitting.",
            field="business_case" if "business case" in missing else "hypothesis",
        )
    project.submitted_on = submitted_on or timezone.localdate()
    project.status = Status.ACTIVE
    project.current_gate = 1
    project.save(update_fields=["submitted_on", "status", "current_gate", "updated_at"])
    audit.record(
        actor=actor,
        action="proposal.submitted",
        project=project,
        obj=project,
        summary=f"Proposal {project.key} submitted for gate 1",
    )
    _notify(
        to=project.product_manager,
        subject=f"[Greenlight] New proposal at gate 1: {project.key} {project.title}",
        template="portfolio/email/proposal_submitted.txt",
        context={"project": project, "researcher": actor},
    )
    return project


def _check_date_not_before_submission(project: Project, day: datetime.date, field: str) -> None:
    if project.submitted_on and day < project.submitted_on:
        raise DomainError(
            f"The date cannot be before the project was submitted ({project.submitted_on:%Y-%m-%d}).",
            field=field,
        )


@transaction.atomic
def record_spend(
    *,
    project: Project,
    actor: User,
    spent_on: datetime.date,
    amount: Decimal,
    category: str,
    note: str = "",
) -> SpendEntry:
    # Lock the project so concurrent spend never loses an update of the running total.
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_record_spend(actor, project):
        raise PermissionDenied(
            "Only the project's researcher, its product manager or an admin records spend."
        )
    if amount is None or amount <= 0:
        raise DomainError("Spend must be greater than 0.", field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError("Money has at most 2 decimal places.", field="amount")
    _check_date_not_before_submission(project, spent_on, "spent_on")
    entry = SpendEntry.objects.create(
        project=project,
        spent_on=spent_on,
        amount=amount,
        category=category,
        note=note,
        recorded_by=actor,
    )
    Project.objects.filter(pk=project.pk).update(spend_total=F("spend_total") + amount)
    rollups.add_spend(project_id=project.pk, spent_on=spent_on, amount=amount)
    if project.last_spend_on is None or spent_on > project.last_spend_on:
        Project.objects.filter(pk=project.pk).update(last_spend_on=spent_on)
    audit.record(
        actor=actor,
        action="spend.recorded",
        project=project,
        obj=entry,
        summary=f"Spend of {amount} ({category}) on {spent_on:%Y-%m-%d}",
    )
    return entry


@transaction.atomic
def record_outcome(
    *, project: Project, actor: User, month: datetime.date, realized_value: Decimal
) -> Outcome:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_record_outcome(actor, project):
        raise PermissionDenied(
            "Outcomes are recorded for greenlit projects by their product manager or an executive."
        )
    if month.day != 1:
        raise DomainError("An outcome month is given by its first day.", field="month")
    if realized_value is None or realized_value < 0:
        raise DomainError("Realized value cannot be negative.", field="realized_value")
    greenlit_on = project.last_decision_on
    # The format's rule: greenlit on or before the month's first day.
    if greenlit_on and month < greenlit_on:
        raise DomainError(
            f"The project was greenlit on {greenlit_on:%Y-%m-%d}: outcomes start with the first month after.",
            field="month",
        )
    if Outcome.objects.filter(project=project, month=month).exists():
        raise DomainError(f"{month:%Y-%m} already has an outcome for this project.", field="month")
    outcome = Outcome.objects.create(
        project=project, month=month, realized_value=realized_value, recorded_by=actor
    )
    audit.record(
        actor=actor,
        action="outcome.recorded",
        project=project,
        obj=outcome,
        summary=f"Realized {realized_value} in {month:%Y-%m}",
    )
    return outcome


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


@transaction.atomic
def recompute_spend_totals(*, project: Project) -> None:
    """Rebuild a project's running spend totals from its entries (after an admin edit)."""
    from django.db.models import Max, Sum

    totals = SpendEntry.objects.filter(project=project).aggregate(
        total=Sum("amount"), last=Max("spent_on")
    )
    Project.objects.filter(pk=project.pk).update(
        spend_total=totals["total"] or Decimal(0), last_spend_on=totals["last"]
    )
    rollups.rebuild_spend_months([project.pk])


@transaction.atomic
def change_spend(*, entry: SpendEntry, actor: User, **fields) -> SpendEntry:
    """Correct a spend entry (admins only); the project's totals follow."""
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only admins correct recorded spend.")
    if "amount" in fields and (fields["amount"] is None or fields["amount"] <= 0):
        raise DomainError("Spend must be greater than 0.", field="amount")
    if "spent_on" in fields:
        _check_date_not_before_submission(entry.project, fields["spent_on"], "spent_on")
    changes = audit.diff(entry, fields)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    recompute_spend_totals(project=entry.project)
    audit.record(
        actor=actor,
        action="spend.corrected",
        project=entry.project,
        obj=entry,
        summary=f"Spend entry {entry.pk} corrected",
        changes=changes,
    )
    return entry


@transaction.atomic
def delete_spend(*, entry: SpendEntry, actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise PermissionDenied("Only admins remove recorded spend.")
    project = entry.project
    summary = f"Spend of {entry.amount} on {entry.spent_on:%Y-%m-%d} removed"
    audit.record(actor=actor, action="spend.removed", project=project, obj=entry, summary=summary)
    entry.delete()
    recompute_spend_totals(project=project)
