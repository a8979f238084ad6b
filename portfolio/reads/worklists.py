"""The "my work" lists of the home page, one per role, each in a fixed number of queries.

``gates`` depends on ``portfolio`` and never the reverse, so this module reaches the
process models through the app registry (``apps.get_model``) and the project's
reverse relations by name, instead of importing ``gates``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio import panels
from portfolio.models import Project, Status, User
from portfolio.process import DELIVERABLES_BY_KIND
from portfolio.reads import deliverables

LATEST_DECISIONS = 20


@dataclass(frozen=True)
class Need:
    """A deliverable a project's current gate requires and lacks."""

    kind: str
    label: str
    author: str


def _need(kind: str, labels: dict) -> Need:
    deliverable = DELIVERABLES_BY_KIND.get(kind)
    return Need(kind, labels.get(kind, kind), deliverable.author if deliverable else "")


def missing_for(project: Project, required: dict[int, list[str]], labels: dict) -> list[Need]:
    """What the project's current gate still needs (the project from ``deliverables.with_deliverables``)."""
    if project.status not in (Status.ACTIVE, Status.ON_HOLD) or project.current_gate is None:
        return []
    present = deliverables.present_kinds(project)
    return [
        _need(kind, labels)
        for kind in required.get(project.current_gate, [])
        if kind not in present
    ]


def upcoming_for(project: Project, required: dict[int, list[str]], labels: dict) -> list[Need]:
    """What the gate after the current one will need that is not written yet (to start early)."""
    if project.status not in (Status.ACTIVE, Status.ON_HOLD) or project.current_gate is None:
        return []
    now = set(required.get(project.current_gate, []))
    present = deliverables.present_kinds(project)
    return [
        _need(kind, labels)
        for kind in required.get(project.current_gate + 1, [])
        if kind not in now and kind not in present
    ]


@dataclass
class WorkItem:
    project: Project
    needs: list[Need] = field(default_factory=list)
    upcoming: list[Need] = field(default_factory=list)
    waiting_since: datetime.date | None = None
    days_waiting: int | None = None

    @property
    def needs_from_researcher(self) -> list[Need]:
        return [need for need in self.needs if need.author == "researcher"]

    @property
    def upcoming_from_researcher(self) -> list[Need]:
        return [need for need in self.upcoming if need.author == "researcher"]

    @property
    def needs_from_others(self) -> list[Need]:
        return [need for need in self.needs if need.author != "researcher"]


def researcher_work(user: User) -> dict[str, list[WorkItem]]:
    """The researcher's own proposals: drafts, open projects with their needs, closed ones.

    Two queries: the projects (deliverables joined) and the gates' requirements.
    """
    projects = deliverables.with_deliverables(
        Project.objects.filter(researcher=user).select_related("product_manager")
    ).order_by("-updated_at", "key")
    required = deliverables.required_by_gate()
    labels = deliverables.labels()
    work: dict[str, list[WorkItem]] = {"drafts": [], "open": [], "closed": []}
    for project in projects:
        item = WorkItem(
            project,
            missing_for(project, required, labels),
            upcoming_for(project, required, labels),
        )
        if project.is_draft:
            work["drafts"].append(item)
        elif project.is_closed:
            work["closed"].append(item)
        else:
            work["open"].append(item)
    return work


def review_queue(user: User, *, today: datetime.date | None = None) -> list[WorkItem]:
    """The product manager's projects waiting at a gate, longest waiting first (two queries)."""
    today = today or timezone.localdate()
    projects = deliverables.with_deliverables(
        Project.objects.open()
        .filter(product_manager=user)
        .select_related("researcher")
        .annotate(waiting_since=Coalesce("last_decision_on", "submitted_on"))
    ).order_by(F("waiting_since").asc(nulls_last=True), "key")
    required = deliverables.required_by_gate()
    labels = deliverables.labels()
    queue = []
    for project in projects:
        since = project.waiting_since
        queue.append(
            WorkItem(
                project,
                missing_for(project, required, labels),
                waiting_since=since,
                days_waiting=(today - since).days if since else None,
            )
        )
    return queue


def awaiting_estimate() -> QuerySet[Project]:
    """Open projects that need an architect's cost estimate and have none.

    From gate 2 on a project heads for production costs; a gate that requires the
    estimate earlier (an admin may configure one) counts too.
    """
    gates_requiring = [
        number
        for number, kinds in deliverables.required_by_gate().items()
        if "architecture_estimate" in kinds
    ]
    return (
        Project.objects.open()
        .filter(architecture_estimate__isnull=True)
        .filter(Q(current_gate__gte=2) | Q(current_gate__in=gates_requiring))
        .select_related("researcher", "product_manager", "architect")
        .annotate(waiting_since=Coalesce("last_decision_on", "submitted_on"))
        .order_by(F("waiting_since").asc(nulls_last=True), "key")
    )


def in_estimate_queue(project: Project, required: dict[int, list[str]] | None = None) -> bool:
    """Whether ``project`` is in the architects' queue: :func:`awaiting_estimate`'s rule for
    one project whose estimate is not written (``required``: ``required_by_gate()``)."""
    if project.status not in (Status.ACTIVE, Status.ON_HOLD) or project.current_gate is None:
        return False
    required = deliverables.required_by_gate() if required is None else required
    return project.current_gate >= 2 or "architecture_estimate" in required.get(
        project.current_gate, []
    )


def estimate_queue(user: User) -> dict[str, list[Project]]:
    """The architects' queue, split: assigned to ``user``, unassigned (any architect may
    take one), and assigned to other architects (one query)."""
    queue: dict[str, list[Project]] = {"mine": [], "unassigned": [], "others": []}
    for project in awaiting_estimate():
        if project.architect_id == user.pk:
            queue["mine"].append(project)
        elif project.architect_id is None:
            queue["unassigned"].append(project)
        else:
            queue["others"].append(project)
    return queue


@dataclass(frozen=True)
class VoteWaiting:
    """An open review with a panel where the person is a gatekeeper and has not voted."""

    project: Project
    gate: object  # gates.Gate
    opened_on: datetime.date | None
    voted: int
    panel_size: int


def votes_waiting(user: User) -> list[VoteWaiting]:
    """The open reviews waiting for ``user``'s vote, longest open first (at most four queries).

    The panel is ``portfolio.panels.panel_members``'s, as the review's
    (``gates.services.votes.gatekeepers``), worked out here for every open project at once.
    A review whose product manager judges alone has no vote to ask for.
    """
    keeper_model = apps.get_model("gates", "Gatekeeper")
    kinds = keeper_model.Kind
    keepers = list(panels.keeper_rows().select_related("gate"))
    mine = [
        k
        for k in keepers
        if (k.kind == kinds.PERSON and k.person_id == user.pk)
        or (k.kind == kinds.ROLE and user.has_role(k.role))
    ]
    architect_gates = {k.gate.number for k in keepers if k.kind == kinds.ARCHITECT}
    if not (mine or user.is_product_manager or (architect_gates and user.is_architect)):
        return []
    gates = {k.gate.number: k.gate for k in keepers}
    projects = list(
        Project.objects.open()
        .filter(current_gate__in=gates)
        .filter(
            Q(product_manager=user)
            | Q(current_gate__in={k.gate.number for k in mine})
            | Q(current_gate__in=architect_gates, architecture_estimate__author=user)
        )
        .annotate(
            # The estimate's author sits on the panel while their account is active.
            estimate_author=Case(
                When(
                    architecture_estimate__author__is_active=True,
                    then=F("architecture_estimate__author_id"),
                )
            ),
            # So does the product manager, who chairs (portfolio.panels).
            chair=Case(When(product_manager__is_active=True, then=F("product_manager_id"))),
            opened_on=Coalesce("last_decision_on", "submitted_on"),
        )
        .order_by(F("opened_on").asc(nulls_last=True), "key")
    )
    if not projects:
        return []
    holders = {
        role: [person.pk for person in found]
        for role, found in panels.active_role_holders(
            {k.role for k in keepers if k.kind == kinds.ROLE}
        ).items()
    }
    voters: dict[int, set[int]] = {}
    votes = apps.get_model("gates", "Vote").objects.filter(
        project__in=[p.pk for p in projects], decision__isnull=True
    )
    for project_id, voter_id in votes.exclude(recommendation="").values_list(
        "project_id", "voter_id"
    ):
        voters.setdefault(project_id, set()).add(voter_id)
    by_gate: dict[int, list] = {}
    for keeper in keepers:
        by_gate.setdefault(keeper.gate.number, []).append(keeper)
    waiting = []
    for project in projects:
        panel = set(
            panels.panel_members(
                product_manager_id=project.chair,
                keepers=by_gate.get(project.current_gate, []),
                estimate_author_id=project.estimate_author,
                role_holders=holders,
            )
        )
        voted = voters.get(project.pk, set())
        if user.pk in panel and len(panel) > 1 and user.pk not in voted:
            waiting.append(
                VoteWaiting(
                    project,
                    gates[project.current_gate],
                    project.opened_on,
                    len(panel & voted),
                    len(panel),
                )
            )
    return waiting


def chairless_projects() -> QuerySet[Project]:
    """Open projects whose product manager's account is no longer active: nobody chairs
    their reviews until an admin gives them another (docs/decision-panel.md). My work lists
    them to admins."""
    return (
        Project.objects.open()
        .filter(product_manager__is_active=False)
        .select_related("product_manager")
        .order_by("key")
    )


def latest_decisions(limit: int = LATEST_DECISIONS):
    """The most recent gate decisions on any project (one query)."""
    decision = apps.get_model("gates", "GateDecision")
    return decision.objects.select_related("project", "gate", "decided_by").order_by(
        "-decided_on", "-recorded_at", "-id"
    )[:limit]
