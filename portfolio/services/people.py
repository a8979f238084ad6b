"""People and their roles: granting and removing a role, setting a password. Audited.

Separation of duties: an admin manages other people's roles, never their own;
only a superuser grants or removes the Admin role (which also opens the Django
admin), and only a superuser changes or deactivates another Admin's account;
nobody deactivates their own account, and the installation always keeps an
active admin or superuser; a password is set by its owner, or by a superuser.

Removing the Product manager or the Researcher role from someone who still owns open
projects in that role (active or on hold) is confirmed first: ``set_role`` refuses it with
``OpenProjectsLeft``, which names them, until the caller says it was confirmed. The
projects keep their owner: the project list's Product manager and Researcher filters still offer them.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from portfolio import access, audit, signals, versioning
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Project, Role, User

# The roles in which a person owns projects, and the project's field that names them.
OWNING_ROLES = {Role.PRODUCT_MANAGER: "product_manager", Role.RESEARCHER: "researcher"}
# How many of the open projects' keys a refusal names; the project list shows them all.
KEYS_NAMED = 5


def open_projects_owned(person: User, role: str):
    """The open projects (active or on hold) ``person`` owns in ``role``, by key: those of
    which they are the product manager, or the researcher; none for the other roles."""
    field = OWNING_ROLES.get(role)
    if field is None:
        return Project.objects.none()
    return Project.objects.open().filter(**{field: person}).order_by("key")


class OpenProjectsLeft(DomainError):
    """Removing ``role`` would leave open projects owned by someone without it: confirm first.

    ``count`` is how many, ``keys`` the first few (``KEYS_NAMED``) by key.
    """

    def __init__(self, *, person: User, role: str, count: int, keys: list[str]):
        self.person, self.role, self.count, self.keys = person, role, count, keys
        projects = f"{count} open project{'s' if count != 1 else ''}"
        named = ", ".join(keys) + (f" and {count - len(keys)} more" if count > len(keys) else "")
        super().__init__(
            f"{person.email} still owns {projects} as {role.lower()} ({named}): "
            f"confirm that the {role} role is removed all the same.",
            field="confirm",
        )


def check_role_change(*, actor: User, person: User, role: str, grant: bool) -> None:
    """Raise unless ``actor`` may grant (or remove) ``role`` to (from) ``person``."""
    if not access.can_manage_roles(actor):
        raise PermissionDenied("Only admins manage people's roles.")
    if role not in Role.values:
        raise DomainError(f"There is no role {role!r}.", field="role")
    if person.pk == actor.pk and grant:
        raise PermissionDenied(
            "Nobody grants a role to themselves: ask another admin (separation of duties)."
        )
    if role == Role.ADMIN and not actor.is_superuser:
        raise PermissionDenied("Only a superuser grants or removes the Admin role.")
    if person.is_superuser and not actor.is_superuser:
        raise PermissionDenied("Only a superuser changes a superuser's roles.")


def administers(person: User) -> bool:
    """Whether ``person`` may administer Greenlight: an active superuser or Admin."""
    return person.is_active and person.is_portfolio_admin


def check_account_change(*, actor: User, person: User, active: bool, superuser: bool) -> None:
    """Raise unless ``actor`` may leave ``person``'s account active (or not) and superuser
    (or not): the Django admin's user page checks every save with this."""
    if person.pk is None:
        return  # a new account administers nothing until a superuser makes it so
    if person.pk != actor.pk and person.is_portfolio_admin and not actor.is_superuser:
        raise PermissionDenied("Only a superuser changes or deactivates an Admin's account.")
    if person.pk == actor.pk and not active and person.is_active:
        raise DomainError(
            "You cannot deactivate your own account: ask another admin or a superuser.",
            field="is_active",
        )
    stays = active and (superuser or person.has_role(Role.ADMIN))
    if administers(person) and not stays and not _others_administer(person):
        raise DomainError(
            f"{person.email} is the last active admin or superuser: "
            "make someone else one first, or nobody could administer Greenlight.",
            field="is_active" if not active else "is_superuser",
        )


def _others_administer(person: User) -> bool:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN))
        .exclude(pk=person.pk)
        .exists()
    )


def _role_names(person: User) -> list[str]:
    return sorted(person.groups.values_list("name", flat=True))


@transaction.atomic
def set_role(*, person: User, role: str, actor: User, grant: bool, confirmed: bool = False) -> bool:
    """Grant or remove one role; True when something changed. Writes the audit trail.

    Removing a role in which ``person`` still owns open projects raises ``OpenProjectsLeft``
    unless ``confirmed`` (the person who removes it was shown them and said yes).
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    check_role_change(actor=actor, person=person, role=role, grant=grant)
    if not grant and not confirmed and person.groups.filter(name=role).exists():
        check_no_open_projects_left(person=person, role=role)
    return _change_role(
        person=person,
        role=role,
        grant=grant,
        actor=actor,
        by=actor.email,
    )


def check_no_open_projects_left(*, person: User, role: str) -> None:
    """Raise ``OpenProjectsLeft`` when ``person`` owns open projects in ``role``."""
    owned = open_projects_owned(person, role)
    keys = list(owned.values_list("key", flat=True)[:KEYS_NAMED])
    if keys:
        count = len(keys) if len(keys) < KEYS_NAMED else owned.count()
        raise OpenProjectsLeft(person=person, role=role, count=count, keys=keys)


def _change_role(*, person: User, role: str, grant: bool, actor: User | None, by: str) -> bool:
    """The one place a role is granted or removed, audited; callers have checked who may."""
    before = _role_names(person)
    if (role in before) == grant:
        return False
    # Nothing the metrics read (versioning.changing with no project).
    with versioning.changing():
        group = Group.objects.get(name=role)
        if grant:
            person.groups.add(group)
        else:
            person.groups.remove(group)
        if role == Role.ADMIN and not person.is_superuser:
            # The Admin role is what opens the Django admin for a person who is not a superuser.
            person.is_staff = grant
            person.save(update_fields=["is_staff"])
        person._role_cache = None
        after = _role_names(person)
        audit.record(
            actor=actor,
            action="role.granted" if grant else "role.removed",
            obj=person,
            summary=(
                f"{by} {'granted' if grant else 'removed'} the {role} role "
                f"{'to' if grant else 'from'} {person.email}"
            ),
            changes={"roles": [", ".join(before), ", ".join(after)]},
        )
        if grant:
            # A gate may name the role: its open reviews ask them at once (gates listens).
            signals.panels_may_have_grown.send(sender=User, person=person)
    return True


# A groups claim never grants Admin: whoever controls the directory's groups would
# otherwise control Greenlight's administration too (docs/single-sign-on.md).
ROLES_A_PROVIDER_MAY_GIVE = frozenset(Role.values) - {Role.ADMIN}


@transaction.atomic
def set_roles_from_provider(
    *, person: User, groups: list[str], group_roles: dict[str, str], provider: str
) -> list[str]:
    """Bring the roles the group mapping manages in step with the provider's groups.

    A mapped role the person's groups give is granted; a mapped role they no longer
    give is removed; roles outside the mapping (granted by an admin) are left alone.
    Each change is audited like an admin's, with the provider named as its author.
    Returns the roles granted or removed.
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_superuser:
        return []  # only a superuser changes a superuser's roles (check_role_change)
    managed = {role for role in group_roles.values() if role in ROLES_A_PROVIDER_MAY_GIVE}
    given = {group_roles[g] for g in groups if group_roles.get(g) in managed}
    changed = []
    for role in sorted(managed):
        grant = role in given
        if _change_role(
            person=person, role=role, grant=grant, actor=None, by=f"{provider} (groups claim)"
        ):
            changed.append(role)
    return changed


def grant_role(*, person: User, role: str, actor: User) -> bool:
    return set_role(person=person, role=role, actor=actor, grant=True)


def remove_role(*, person: User, role: str, actor: User, confirmed: bool = False) -> bool:
    return set_role(person=person, role=role, actor=actor, grant=False, confirmed=confirmed)


def check_password_change(*, actor: User, person: User) -> None:
    if person.pk != actor.pk and not actor.is_superuser:
        raise PermissionDenied("Only its owner or a superuser sets a person's password.")


@transaction.atomic
def record_password_change(*, person: User, actor: User) -> None:
    """Audit a password that was just set (by Django's forms, which hash and save it)."""
    check_password_change(actor=actor, person=person)
    # Nothing the metrics read (versioning.changing with no project).
    with versioning.changing():
        audit.record(
            actor=actor,
            action="password.changed",
            obj=person,
            summary=(
                f"{person.email} changed their password"
                if person.pk == actor.pk
                else f"{actor.email} set the password of {person.email}"
            ),
        )
