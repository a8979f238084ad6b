"""The role groups and their model permissions, kept in step after every migrate."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from portfolio.access import READ_BY_EVERY_ROLE
from portfolio.models import Role

# app_label.codename; object rules (whose draft, whose project) live in portfolio.access,
# and so does the read policy: every role also gets access.READ_BY_EVERY_ROLE.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.RESEARCHER: [
        "portfolio.add_project",
        "portfolio.change_project",
        "portfolio.view_project",
        "portfolio.add_spendentry",
        "portfolio.view_spendentry",
        "portfolio.add_artifact",
        "portfolio.view_artifact",
        "portfolio.add_artifactreuse",
        "gates.add_feasibilitystudy",
        "gates.change_feasibilitystudy",
        "gates.view_feasibilitystudy",
        "gates.view_gatedecision",
    ],
    Role.ARCHITECT: [
        "portfolio.view_project",
        "portfolio.view_artifact",
        "gates.add_architectureestimate",
        "gates.change_architectureestimate",
        "gates.view_architectureestimate",
        "gates.view_gatedecision",
    ],
    Role.PRODUCT_MANAGER: [
        "portfolio.view_project",
        "portfolio.view_spendentry",
        "portfolio.add_spendentry",
        "portfolio.add_outcome",
        "portfolio.view_outcome",
        "portfolio.view_artifact",
        "portfolio.view_portfolio_dashboard",
        "portfolio.export_portfolio",
        "gates.add_businesscase",
        "gates.change_businesscase",
        "gates.view_businesscase",
        "gates.add_gatedecision",
        "gates.view_gatedecision",
        "gates.view_criterionscore",
    ],
    Role.EXECUTIVE: [
        "portfolio.view_project",
        "portfolio.view_spendentry",
        "portfolio.add_outcome",
        "portfolio.view_outcome",
        "portfolio.view_artifact",
        "portfolio.view_portfolio_dashboard",
        "portfolio.export_portfolio",
        "gates.view_feasibilitystudy",
        "gates.view_architectureestimate",
        "gates.view_businesscase",
        "gates.add_gatedecision",
        "gates.view_gatedecision",
        "gates.view_criterionscore",
    ],
    Role.ADMIN: [
        "portfolio.view_portfolio_dashboard",
        "portfolio.import_portfolio",
        "portfolio.export_portfolio",
        "portfolio.view_user",
        "portfolio.add_user",
        "portfolio.change_user",
        "portfolio.view_project",
        "portfolio.change_project",
        "portfolio.view_spendentry",
        "portfolio.add_spendentry",
        "portfolio.change_spendentry",
        "portfolio.delete_spendentry",
        "portfolio.view_outcome",
        "portfolio.add_outcome",
        # Corrections of a recorded month, through portfolio.services.corrections.
        "portfolio.change_outcome",
        "portfolio.delete_outcome",
        "portfolio.view_adoption",
        "portfolio.change_adoption",
        "portfolio.delete_adoption",
        "portfolio.view_artifact",
        "portfolio.view_auditentry",
        "gates.view_gate",
        "gates.change_gate",
        "gates.view_criterion",
        "gates.add_criterion",
        "gates.change_criterion",
        "gates.view_requireddeliverable",
        "gates.add_requireddeliverable",
        "gates.change_requireddeliverable",
        "gates.delete_requireddeliverable",
        "gates.view_gatekeeper",
        "gates.add_gatekeeper",
        "gates.change_gatekeeper",
        "gates.delete_gatekeeper",
        "gates.view_gatedecision",
        "gates.view_criterionscore",
    ],
}


def ensure_roles(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms} | set(
        READ_BY_EVERY_ROLE
    )
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in=["portfolio", "gates"]
        )
    }
    missing = wanted - set(found)
    if missing:
        # Permissions appear in the same post_migrate pass; retry on the next one.
        return
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(
            [found[perm] for perm in sorted(set(perms) | set(READ_BY_EVERY_ROLE))]
        )
