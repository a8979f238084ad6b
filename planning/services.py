"""Planning's state changes: scenarios, adoption, settings, a project's next-stage ask."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from planning import access, engine
from planning.inputs import BUCKETS, PlanRequest
from planning.models import PlanSettings, Scenario
from portfolio import audit, edits
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import Project, User
from portfolio.templatetags.numbers import money_cents
from portfolio.validators import check_money

NAME_MAX = 100


def _clean_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError("Name: give the scenario a name.", field="name")
    if len(name) > NAME_MAX:
        raise DomainError(f"Name: at most {NAME_MAX} characters.", field="name")
    return name


def save_scenario(*, name: str, request: PlanRequest, actor: User) -> Scenario:
    """Keep a plan's settings and pins under a name (the plan itself is recomputed when shown)."""
    if not access.can_plan(actor):
        raise PermissionDenied("Only product managers, executives and admins save plans.")
    name = _clean_name(name)
    engine.compute(request)  # refuses unknown pins and pinned asks over the budget
    try:
        with transaction.atomic():
            scenario = Scenario.objects.create(
                name=name, settings=request.settings_dict(), created_by=actor
            )
            audit.record(
                actor=actor,
                action="scenario.saved",
                obj=scenario,
                summary=f"Plan scenario “{name}” saved",
                changes={"settings": [None, scenario.settings]},
            )
    except IntegrityError:
        raise DomainError(
            f"Name: a scenario named “{name}” exists already.", field="name"
        ) from None
    return scenario


# What a scenario's rename form edits (``portfolio.edits``): its hidden version_seen.
SCENARIO_NAME_FIELDS = ("name",)


def rename_scenario(
    *, scenario: Scenario, name: str, actor: User, seen: str | None = None
) -> Scenario:
    """Give ``scenario`` another name (its author, an executive or an admin). ``seen``: the
    name its form was drawn with (``portfolio.edits``): a rename made meanwhile by someone
    else (or in another tab) is not silently replaced."""
    if not access.can_change_scenario(actor, scenario):
        raise PermissionDenied(
            "Only the scenario's author, an executive or an admin renames a scenario."
        )
    name = _clean_name(name)
    try:
        with transaction.atomic():
            scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
            old = scenario.name
            if name == old:
                return scenario  # already so named, whoever did it: nothing is replaced
            edits.check(
                seen,
                record=scenario,
                values=edits.values_of(scenario, SCENARIO_NAME_FIELDS),
                what="this scenario",
                names=SCENARIO_NAME_FIELDS,
            )
            scenario.name = name
            scenario.save(update_fields=["name"])
            audit.record(
                actor=actor,
                action="scenario.renamed",
                obj=scenario,
                summary=f"Plan scenario “{old}” renamed “{name}”",
                changes={"name": [old, name]},
            )
    except IntegrityError:
        raise DomainError(
            f"Name: a scenario named “{name}” exists already.", field="name"
        ) from None
    return scenario


@transaction.atomic
def delete_scenario(*, scenario: Scenario, actor: User) -> None:
    """Delete a saved scenario; never the adopted one (gate reviews show its fund list)."""
    if not access.can_change_scenario(actor, scenario):
        raise PermissionDenied(
            "Only the scenario's author, an executive or an admin deletes a scenario."
        )
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.adopted:
        raise DomainError(
            f"“{scenario.name}” is the adopted plan (gate reviews show its fund list): "
            "adopt another scenario before deleting it."
        )
    audit.record(
        actor=actor,
        action="scenario.deleted",
        obj=scenario,
        summary=f"Plan scenario “{scenario.name}” deleted",
        changes={"name": [scenario.name, None], "settings": [scenario.settings, None]},
    )
    scenario.delete()


@transaction.atomic
def adopt_scenario(*, scenario: Scenario, actor: User) -> Scenario:
    """Make ``scenario`` the adopted plan: its fund list, as of now, shows on gate reviews."""
    if not access.can_adopt(actor):
        raise PermissionDenied("Only executives and admins adopt a plan.")
    from planning.inputs import parse

    settings = scenario.settings
    request = parse(**settings)
    plan = engine.compute(request)
    previous = list(
        Scenario.objects.select_for_update().filter(adopted=True).exclude(pk=scenario.pk)
    )
    for other in previous:
        other.adopted = False
        other.save(update_fields=["adopted"])
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    scenario.adopted = True
    scenario.adopted_by = actor
    scenario.adopted_at = timezone.now()
    scenario.funded_keys = plan.funded_keys
    scenario.save(update_fields=["adopted", "adopted_by", "adopted_at", "funded_keys"])
    audit.record(
        actor=actor,
        action="scenario.adopted",
        obj=scenario,
        summary=f"Plan scenario “{scenario.name}” adopted: {len(plan.funded_keys)} projects funded"
        + (f" (replacing “{previous[0].name}”)" if previous else ""),
        changes={"funded_keys": [None, plan.funded_keys]},
    )
    return scenario


@transaction.atomic
def update_plan_settings(*, actor: User, **values) -> PlanSettings:
    """The planning page's defaults (the admin's form calls this)."""
    if not (actor.is_superuser or actor.is_portfolio_admin):
        raise PermissionDenied("Only admins change the plan settings.")
    check_money(values.get("budget"), label="Budget", field="budget")
    settings = PlanSettings.load()
    targets = [values.get(f"target_{bucket}") for bucket in BUCKETS]
    if sum((t for t in targets if t is not None), Decimal(0)) > 1:
        raise DomainError("The bucket targets add up to more than 1.", field="target_efficiency")
    changes = audit.diff(settings, values)
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    audit.record(
        actor=actor,
        action="plan_settings.changed",
        obj=settings,
        summary="Plan settings changed",
        changes=changes,
    )
    return settings


@transaction.atomic
def set_next_stage_ask(
    *, project: Project, ask: Decimal | None, actor: User, seen: str | None = None
) -> Project:
    """The money ``project`` asks for its next stage; empty (None) when it asks nothing
    (an ask of 0 is kept as empty).
    ``seen``: the ask its form was drawn with (``portfolio.edits``): the researcher and the
    product manager both set it, and one's save does not silently replace the other's."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not access.can_set_next_stage_ask(actor, project):
        raise PermissionDenied(
            "Only the project's researcher or product manager sets its ask, until the process ends."
        )
    edits.check(
        seen,
        record=project,
        values=edits.values_of(project, ("next_stage_ask",)),
        what="the next-stage ask",
        names=("next_stage_ask",),
    )
    if ask is not None and ask < 0:
        raise DomainError("Next-stage ask: cannot be negative.", field="next_stage_ask")
    check_money(ask, label="Next-stage ask", field="next_stage_ask")
    if ask is not None and ask != ask.quantize(Decimal("0.01")):
        raise DomainError("Next-stage ask: at most 2 decimal places.", field="next_stage_ask")
    if ask == 0:
        # The planner's "no ask" is empty or 0: kept as empty, so that the form, the API, the
        # project page and the plan all say the same.
        ask = None
    changes = audit.diff(project, {"next_stage_ask": ask})
    if not changes:
        return project
    project.next_stage_ask = ask
    project.save(update_fields=["next_stage_ask", "updated_at"])
    audit.record(
        actor=actor,
        action="project.next_stage_ask_set",
        project=project,
        obj=project,
        summary=(
            f"{project.key}: next-stage ask set to "
            f"{money_cents(ask) if ask is not None else 'nothing'}"
        ),
        changes=changes,
    )
    return project


def funded_today(scenario: Scenario) -> frozenset[str] | None:
    """The keys ``scenario`` funds worked out again from today's data (its own settings), as
    its compare page and export do; None when it cannot be worked out now. The adopted fund
    list (``Scenario.funded_keys``) is what it funded when adopted: the pages say both."""
    from planning import inputs

    try:
        return frozenset(engine.compute(inputs.parse(**scenario.settings)).funded_keys)
    except DomainError:
        return None


def _renamed(keys: list[str], old_key: str, new_key: str) -> list[str]:
    """``keys`` with ``old_key`` written ``new_key``, in its place, once."""
    renamed: list[str] = []
    for key in keys:
        key = new_key if key == old_key else key
        if key not in renamed:
            renamed.append(key)
    return renamed


@transaction.atomic
def follow_key_change(*, project: Project, old_key: str, new_key: str, actor: User) -> None:
    """A project's key was corrected (``portfolio.services.correct_project``, which sends
    ``portfolio.signals.project_key_changed`` with the project locked): the scenarios that
    pin it pin it under its new key, and the adopted fund list names it by its new key, so
    that a scenario is not refused for a key no project has and the gate review still finds
    the project in the plan. The fund list stays what was adopted, the same projects; each
    scenario's audit trail says which key it was kept under before."""
    for scenario in Scenario.objects.select_for_update().order_by("pk"):
        changes = {}
        settings = dict(scenario.settings)
        for pins in ("pin_in", "pin_out"):
            if old_key in settings.get(pins, []):
                settings[pins] = _renamed(settings[pins], old_key, new_key)
        if settings != scenario.settings:
            changes["settings"] = [scenario.settings, settings]
            scenario.settings = settings
        if old_key in scenario.funded_keys:
            funded = _renamed(scenario.funded_keys, old_key, new_key)
            changes["funded_keys"] = [scenario.funded_keys, funded]
            scenario.funded_keys = funded
        if not changes:
            continue
        scenario.save(update_fields=["settings", "funded_keys"])
        audit.record(
            actor=actor,
            action="scenario.key_followed",
            project=project,
            obj=scenario,
            summary=(
                f"Plan scenario “{scenario.name}”: {old_key} is now {new_key} "
                "(its key corrected by an admin)"
            ),
            changes=changes,
        )
