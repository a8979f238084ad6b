"""Who sits on a gate's panel: the rule, written once.

``gates.services.votes.gatekeepers`` (one review: the review page, the votes, the requests
and reminders), ``portfolio.reads.worklists.votes_waiting`` (every open review at once:
My work) and :func:`may_sit_on_a_panel` (whether the notification settings offer vote
requests) all ask :func:`panel_members`; they differ only in how they load what it reads.
``gates`` depends on ``portfolio`` and never the reverse, so the gate's ``Gatekeeper`` rows
are read through the app registry, as ``worklists`` does.

The rule: the project's product manager, who chairs, while their account is active (a
deactivated one is asked nothing and counted nowhere: the review page says so, and an admin
gives the project another product manager), then per row of the gate's gatekeepers (in their
order) the author of the project's architecture estimate while their account is active (none
before there is one), every active holder of a role, or a named person while their account
is active. Each person once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.apps import apps
from django.db.models import F, Q

from portfolio.models import Project, User


def keeper_rows():
    """The ``Gatekeeper`` rows (with their named person), for :func:`panel_members`."""
    return apps.get_model("gates", "Gatekeeper").objects.select_related("person")


def active_role_holders(roles: Iterable[str]) -> dict[str, list[User]]:
    """Every active holder of each role, by e-mail (one query; none without roles)."""
    holders: dict[str, list[User]] = {role: [] for role in roles}
    if holders:
        people = (
            User.objects.filter(groups__name__in=list(holders), is_active=True)
            .annotate(held_role=F("groups__name"))
            .order_by("email", "pk")
        )
        for person in people:
            holders[person.held_role].append(person)
    return holders


def panel_members(
    *,
    product_manager_id: int | None,
    keepers: Iterable,
    estimate_author_id: int | None,
    role_holders: Mapping[str, Iterable[int]],
) -> list[int]:
    """The pks of one project's judges at a gate, the product manager (the chair) first.

    ``product_manager_id``: None when their account is no longer active (or there is none);
    ``keepers``: the gate's ``Gatekeeper`` rows, in order, each with its ``person`` loaded;
    ``estimate_author_id``: who wrote the project's architecture estimate (None before one
    is written, or when their account is no longer active); ``role_holders``: the active
    holders of each role the rows name.
    """
    kinds = apps.get_model("gates", "Gatekeeper").Kind
    members = [product_manager_id] if product_manager_id is not None else []
    for keeper in keepers:
        if keeper.kind == kinds.ARCHITECT:
            found: Iterable[int | None] = [estimate_author_id]
        elif keeper.kind == kinds.ROLE:
            found = role_holders.get(keeper.role, ())
        else:
            found = [keeper.person_id] if keeper.person.is_active else []
        for pk in found:
            if pk is not None and pk not in members:
                members.append(pk)
    return members


def may_sit_on_a_panel(person: User) -> bool:
    """Whether ``person`` may be asked to vote at some gate: :func:`panel_members` of every
    gate's rows, with ``person`` in each seat they hold or may be given. They chair the
    reviews of projects they are product manager of (by the role, or still so of a project
    after losing it) while active, write a project's estimate as an architect (or have written one), and
    hold their roles while active. What a gate review's panel is, is read here, not copied:
    the notification settings offer vote requests by this (``notifications.kinds_for``)."""
    gate_ids = apps.get_model("gates", "Gate").objects.values_list("pk", flat=True)
    rows: dict[int, list] = {pk: [] for pk in gate_ids}
    for keeper in keeper_rows():
        rows.setdefault(keeper.gate_id, []).append(keeper)
    chairs = person.is_active and (
        person.is_product_manager or Project.objects.filter(product_manager=person).exists()
    )
    writes_estimates = (
        person.is_architect
        or apps.get_model("gates", "ArchitectureEstimate").objects.filter(author=person).exists()
    )
    holds = {role: [person.pk] for role in person.roles} if person.is_active else {}
    return any(
        person.pk
        in panel_members(
            # None when they chair no project (or not while inactive): only the rows may seat them.
            product_manager_id=person.pk if chairs else None,
            keepers=keepers,
            estimate_author_id=person.pk if writes_estimates and person.is_active else None,
            role_holders=holds,
        )
        for keepers in rows.values()
    )


def chaired_by(person: User) -> list[int]:
    """The pks of the open projects whose reviews ``person`` chairs (none while their account
    is inactive): an account made active again chairs them again, and is asked at once."""
    if not person.is_active:
        return []
    return list(Project.objects.open().filter(product_manager=person).values_list("pk", flat=True))


def gates_naming(person: User) -> list[int]:
    """The numbers of the gates whose rows name ``person`` or one of their roles: the panels
    a role given, or an account made active again, may have let them join (the project's
    architect and its product manager sit on a panel by neither)."""
    kinds = apps.get_model("gates", "Gatekeeper").Kind
    roles = list(person.groups.values_list("name", flat=True))
    rows = keeper_rows().filter(
        Q(kind=kinds.PERSON, person=person) | Q(kind=kinds.ROLE, role__in=roles)
    )
    return sorted(set(rows.values_list("gate__number", flat=True)))
