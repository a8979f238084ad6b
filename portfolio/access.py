"""Who may do what: role rules and object rules, checked on the server.

Views use the ``get_*_for_user`` helpers (404 for what a person may not see)
and the ``can_*`` predicates (403 for what they see but may not change);
services check the same predicates again, so a management command or a
forgotten view cannot bypass them.
"""

from __future__ import annotations

from django.apps import apps
from django.http import Http404

from portfolio.models import Project, Role, Status, User
from portfolio.reads import worklists


def _is_admin(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.ADMIN)


# The read policy, stated once. Whoever may open a submitted project reads all of its
# record, whatever their role: deliverables, decisions and scorecards, spend, outcomes
# and artifacts. The process is open inside the company: a researcher argues their gate
# with the product manager's business case in view, an architect prices with the study
# in view. Who may *open* a project is ProjectQuerySet.visible_to (drafts: their author
# alone). The role groups' view permissions (the Django admin) are derived from this
# list (portfolio/roles.py), so the two cannot disagree again.
READ_BY_EVERY_ROLE = (
    "portfolio.view_project",
    "portfolio.view_spendentry",
    "portfolio.view_outcome",
    "portfolio.view_artifact",
    "gates.view_feasibilitystudy",
    "gates.view_architectureestimate",
    "gates.view_businesscase",
    "gates.view_gatedecision",
    "gates.view_criterionscore",
)


def can_read_project_record(user: User, project: Project) -> bool:
    """Deliverables, decisions, spend: readable by whoever may open the project."""
    return can_view_project(user, project)


def can_view_project(user: User, project: Project) -> bool:
    """Whether ``user`` may open ``project`` (``ProjectQuerySet.visible_to`` decides)."""
    return Project.objects.visible_to(user).filter(pk=project.pk).exists()


KEY_MAX_LENGTH = Project._meta.get_field("key").max_length


class KeyInOtherCase(Http404):
    """The project ``key`` names is stored as ``project.key``, in another letter case.

    Keys are unique ignoring case (the proposal form refuses ``gl-0001`` beside
    ``GL-0001``), so ``gl-0001`` can only mean ``GL-0001``. A 404 wherever it is not
    caught: a page's GET or HEAD answers it with a permanent redirect to the project's
    own address (``portfolio.web.middleware.ProjectKeyCaseMiddleware``), the API takes
    the project as it is (``api.common.project_for``). Raised only for a project the
    person may see, so it reveals nothing a 404 would not.
    """

    def __init__(self, project: Project):
        super().__init__("No such project")
        self.project = project


def get_project_for_user(user: User, key: str) -> Project:
    """The project named ``key`` if ``user`` may see it; 404 otherwise (drafts stay private).

    ``KeyInOtherCase`` (a 404 unless caught) when the key differs from the stored one in
    letter case only.
    """
    visible = Project.objects.visible_to(user).select_related("researcher", "product_manager")
    project = visible.filter(key=key).first()
    if project is None:
        # Only on a miss: the exact lookup uses the key's index, and is every page's. A
        # text longer than any key names none (and SQLite refuses a LIKE pattern that long).
        if len(key) > KEY_MAX_LENGTH:
            raise Http404("No such project")
        matches = list(visible.filter(key__iexact=key)[:2])
        if len(matches) == 1:
            raise KeyInOtherCase(matches[0])
        raise Http404("No such project")
    return project


def can_create_proposal(user: User) -> bool:
    return user.is_authenticated and (user.is_researcher or _is_admin(user))


def can_edit_proposal(user: User, project: Project) -> bool:
    """A researcher edits only their own drafts."""
    return project.status == Status.DRAFT and project.researcher_id == user.pk


def can_delete_draft(user: User, project: Project) -> bool:
    """Only the researcher who wrote a draft deletes it, and only while it is a draft."""
    return project.status == Status.DRAFT and project.researcher_id == user.pk


def can_decide(user: User, project: Project) -> bool:
    """The project's product manager or any executive decides its gates."""
    if not user.is_authenticated:
        return False
    if user.is_executive:
        return True
    return user.is_product_manager and project.product_manager_id == user.pk


def can_write_feasibility_study(user: User, project: Project) -> bool:
    return user.is_researcher and project.researcher_id == user.pk and not project.is_draft


def architecture_estimate_refusal(user: User, project: Project) -> str | None:
    """Why ``user`` may not write ``project``'s cost estimate, or None when they may.

    The project's architect writes it: the architect it is assigned to; while it is
    unassigned, the architect who wrote it, or, before anyone has, any architect (the
    first to take it or write it has it). Only the product manager (or an admin)
    gives someone else's estimate to another architect (``can_assign_architect``).
    And it is written once it is asked for: from gate 2, or at a gate an admin made
    require it sooner, when it enters the architects' shared queue
    (``reads.worklists.in_estimate_queue``); docs/notifications.md.
    """
    if not user.is_authenticated or not user.is_architect:
        return "Only architects write architecture estimates."
    if project.is_draft:
        return "A draft has no cost estimate."
    written = list(
        apps.get_model("gates", "ArchitectureEstimate")
        .objects.filter(project_id=project.pk)
        .select_related("author")[:1]
    )
    estimate = written[0] if written else None
    if project.architect_id is not None:
        if project.architect_id != user.pk:
            return (
                f"The cost estimate is assigned to {project.architect}: only they write it. "
                "The product manager reassigns it."
            )
    elif estimate is not None and estimate.author_id not in (None, user.pk):
        return (
            f"{estimate.author} wrote this cost estimate: only they revise it, unless the "
            "product manager assigns it to you."
        )
    if estimate is None and not project.is_closed and not _estimate_asked_for(project):
        if project.architect_id == user.pk:  # assigned ahead: theirs, but not yet
            return f"You can write it once {project.key} reaches gate 2."
        return (
            f"The cost estimate is asked for from gate 2; {project.key} is at gate "
            f"{project.current_gate}."
        )
    return None


def _estimate_asked_for(project: Project) -> bool:
    return (project.current_gate or 0) >= 2 or worklists.in_estimate_queue(project)


def can_write_architecture_estimate(user: User, project: Project) -> bool:
    """``architecture_estimate_refusal`` says who, and why not."""
    return architecture_estimate_refusal(user, project) is None


def can_assign_architect(user: User, project: Project) -> bool:
    """The project's product manager (or an admin) gives its cost estimate to an architect."""
    if not user.is_authenticated or project.status not in (Status.ACTIVE, Status.ON_HOLD):
        return False
    return (user.is_product_manager and project.product_manager_id == user.pk) or _is_admin(user)


def can_take_estimate(user: User, project: Project) -> bool:
    """An architect takes an unassigned estimate of an open project from the shared queue:
    not one another architect wrote (the product manager reassigns that one)."""
    if not user.is_authenticated or project.status not in (Status.ACTIVE, Status.ON_HOLD):
        return False
    if not user.is_architect or project.architect_id is not None:
        return False
    if not _estimate_asked_for(project):
        return False  # not in the shared queue before it is asked for (gate 2)
    return not (
        apps.get_model("gates", "ArchitectureEstimate")
        .objects.filter(project_id=project.pk, author__isnull=False)
        .exclude(author=user)
        .exists()
    )


def can_write_business_case(user: User, project: Project) -> bool:
    return (
        user.is_product_manager and project.product_manager_id == user.pk and not project.is_draft
    )


def can_record_spend(user: User, project: Project) -> bool:
    if project.is_draft:
        return False
    return (
        project.researcher_id == user.pk or project.product_manager_id == user.pk or _is_admin(user)
    )


def can_record_outcome(user: User, project: Project) -> bool:
    if project.status != Status.GREENLIT:
        return False
    return project.product_manager_id == user.pk or user.is_executive or _is_admin(user)


def can_record_adoption(user: User, project: Project) -> bool:
    if not user.is_authenticated or project.status != Status.GREENLIT:
        return False
    return project.product_manager_id == user.pk or _is_admin(user)


def can_correct_outcomes(user: User) -> bool:
    """Who corrects or removes a recorded outcome or adoption month (in the admin, audited):
    admins, as for spend (portfolio.services.corrections)."""
    return user.is_authenticated and user.is_staff and _is_admin(user)


def can_register_artifact(user: User, project: Project) -> bool:
    return not project.is_draft and (project.researcher_id == user.pk or _is_admin(user))


def can_view_dashboard(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_executive
        or user.is_product_manager
        or _is_admin(user)
        or user.has_perm("portfolio.view_portfolio_dashboard")
    )


def can_plan(user: User) -> bool:
    """The planning page (the waterline under a budget): product managers, executives, admins."""
    if not user.is_authenticated:
        return False
    return user.is_executive or user.is_product_manager or _is_admin(user)


def can_set_next_stage_ask(user: User, project: Project) -> bool:
    """The project's researcher or product manager, from submission until the process ends."""
    if not user.is_authenticated or project.status not in (Status.ACTIVE, Status.ON_HOLD):
        return False
    return project.researcher_id == user.pk or project.product_manager_id == user.pk


def can_export_portfolio(user: User) -> bool:
    return user.is_authenticated and (
        user.is_executive or user.is_product_manager or _is_admin(user)
    )


def can_correct_project(user: User, project: Project) -> bool:
    """Admins correct a submitted project's description (the Django admin)."""
    return user.is_authenticated and _is_admin(user) and not project.is_draft


def can_manage_roles(user: User) -> bool:
    """Admins manage other people's roles (portfolio.services.people has the finer rules)."""
    return user.is_authenticated and user.is_active and _is_admin(user)


def can_import_portfolio(user: User) -> bool:
    return user.is_authenticated and _is_admin(user)
