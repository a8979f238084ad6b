"""Who may plan, adopt a plan, and set a project's next-stage ask."""

from __future__ import annotations

from portfolio.access import can_plan, can_set_next_stage_ask
from portfolio.models import Role, User

__all__ = ["can_adopt", "can_change_scenario", "can_plan", "can_set_next_stage_ask"]


def can_adopt(user: User) -> bool:
    """Adopting a plan is an executive's call (or an admin's)."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(Role.EXECUTIVE, Role.ADMIN)
    )


def can_change_scenario(user: User, scenario) -> bool:
    """A saved scenario is renamed or deleted by its author, an executive or an admin."""
    return can_plan(user) and (scenario.created_by_id == user.pk or can_adopt(user))
