"""Who may plan, adopt a plan, and set a project's next-stage ask."""

from __future__ import annotations

from portfolio.access import can_plan
from portfolio.models import Project, Role, Status, User

__all__ = ["can_adopt", "can_plan", "can_set_next_stage_ask"]


def can_adopt(user: User) -> bool:
    """Adopting a plan is an executive's call (or an admin's)."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.EXECUTIVE, Role.ADMIN)
    )


def can_set_next_stage_ask(user: User, project: Project) -> bool:
    """The project's researcher or product manager, from submission until the process ends."""
    if not user.is_authenticated:
        return False
    if project.status in (Status.DRAFT, Status.GREENLIT, Status.KILLED):
        return False
    return project.researcher_id == user.pk or project.product_manager_id == user.pk
