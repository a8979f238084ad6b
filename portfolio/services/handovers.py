"""Who is told when work passes to them: each hand-over of the process, in one place.

Called by the services that make the change, inside its transaction (so a change
that rolls back tells nobody). Nobody is told about their own action. Each
function returns the ``Delivery`` of the main recipient, for the page to say
whether they were e-mailed. The gatekeepers' vote requests are sent by the
decision panel (``gates/services/votes.py``) through the same ``notify``.
"""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse

from portfolio.models import NotificationKind, Project, Role, User
from portfolio.reads import worklists
from portfolio.services.notifications import Delivery, notify


def _others(people, actor: User | None) -> list[User]:
    seen: dict[int, User] = {}
    for person in people:
        if person is not None and (actor is None or person.pk != actor.pk):
            seen.setdefault(person.pk, person)
    return list(seen.values())


def proposal_submitted(project: Project, actor: User, *, vote_asked: bool = False) -> Delivery:
    """The product manager: a proposal waits for them at gate 1; ``vote_asked``: and gate 1's
    panel asks for their vote (in this one message: ``gates.services.votes.announce_review``)."""
    delivery = notify(
        to=project.product_manager,
        kind=NotificationKind.PROPOSAL_SUBMITTED,
        subject=f"[Greenlight] New proposal at gate 1: {project.key} {project.title}"
        + (" (your vote is requested)" if vote_asked else ""),
        template="portfolio/email/proposal_submitted.txt",
        context={"project": project, "researcher": actor, "vote_asked": vote_asked},
        project=project,
        link=reverse("gate_review", args=[project.key]),
    )
    estimate_needed(project, actor)  # when an admin made gate 1 require it
    return delivery


def study_written(project: Project, actor: User) -> list[Delivery]:
    """The product manager: the feasibility study the next review judges is in."""
    return [
        notify(
            to=person,
            kind=NotificationKind.STUDY_WRITTEN,
            subject=f"[Greenlight] {project.key}: feasibility study written",
            template="portfolio/email/study_written.txt",
            context={"project": project, "author": actor},
            project=project,
        )
        for person in _others([project.product_manager], actor)
    ]


def architects_to_tell(project: Project) -> list[User]:
    """The assigned architect, or every architect while the estimate is unassigned."""
    if project.architect_id is not None:
        return [project.architect] if project.architect.is_active else []
    return list(
        User.objects.filter(groups__name=Role.ARCHITECT, is_active=True).distinct().order_by("pk")
    )


def estimate_needed(
    project: Project, actor: User | None, *, assigned: bool = False
) -> list[Delivery]:
    """Architects: the project needs a cost estimate (now, or because it was assigned)."""
    if not assigned and not worklists.awaiting_estimate().filter(pk=project.pk).exists():
        return []
    # Assigned ahead of gate 2: theirs, to write once it is asked for (access's rule).
    early = assigned and not worklists.in_estimate_queue(project)
    return [
        notify(
            to=person,
            kind=NotificationKind.ESTIMATE_NEEDED,
            subject=(
                f"[Greenlight] {project.key}: the cost estimate is yours"
                + (", to write from gate 2" if early else "")
                if assigned
                else f"[Greenlight] {project.key} needs a cost estimate"
            ),
            template="portfolio/email/estimate_needed.txt",
            context={"project": project, "assigned": assigned, "early": early, "actor": actor},
            project=project,
            link=reverse("architecture_estimate_edit", args=[project.key]),
        )
        for person in _others(architects_to_tell(project), actor)
    ]


def estimate_written(project: Project, actor: User) -> list[Delivery]:
    """The product manager: the architect's cost estimate is in."""
    return [
        notify(
            to=person,
            kind=NotificationKind.ESTIMATE_WRITTEN,
            subject=f"[Greenlight] {project.key}: cost estimate written",
            template="portfolio/email/estimate_written.txt",
            context={"project": project, "author": actor},
            project=project,
        )
        for person in _others([project.product_manager], actor)
    ]


def told_of_decision(project: Project, actor: User) -> list[User]:
    """Who :func:`decision_recorded` tells: the researcher first, then the team (product
    manager, assigned architect, the estimate's author) but ``actor``."""
    from django.apps import apps

    estimate = (
        apps.get_model("gates", "ArchitectureEstimate")
        .objects.filter(project=project)
        .select_related("author")
        .first()
    )
    team = [project.product_manager, project.architect, estimate.author if estimate else None]
    return [project.researcher] + [
        person for person in _others(team, actor) if person.pk != project.researcher_id
    ]


def decision_recorded(
    project: Project, decision, actor: User, *, vote_asked: Collection[int] = (), review=None
) -> Delivery:
    """The researcher (whose delivery is returned) and the team: the gate's decision.

    ``vote_asked``: the pks of those whose vote the review it opens (at the gate ``review``)
    asks in this message (``gates.services.votes.announce_review``): it says both, and
    links to the review."""
    subject = f"[Greenlight] {project.key}: {decision.get_decision_display()} at {decision.gate}"
    context = {"project": project, "decision": decision, "gate": decision.gate}
    deliveries = []
    for person in told_of_decision(project, actor):
        asked = person.pk in vote_asked
        deliveries.append(
            notify(
                to=person,
                kind=NotificationKind.DECISION_RECORDED,
                subject=f"{subject}; your vote at {review}" if asked else subject,
                template="gates/email/decision_recorded.txt",
                context={**context, "vote_gate": review if asked else None},
                project=project,
                # Where the vote is cast, when it is asked here; otherwise the project.
                link=reverse("gate_review", args=[project.key]) if asked else "",
            )
        )
    return deliveries[0]
