"""The demo's plan (``make run``): asks on the open projects, settings, two scenarios, one adopted."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from planning import engine, services
from planning.inputs import PlanRequest
from portfolio.models import Project, Status, User


def _ask(project: Project, rng: random.Random) -> Decimal | None:
    """A next-stage ask that grows with the gate."""
    gate = project.current_gate or 1
    share = Decimal(str(rng.uniform(0.05, 0.18))) * gate
    return (project.projected_expected * share / 1000).quantize(Decimal(1)) * 1000 or None


def write_demo_plan(*, admin: User, product_manager: User, executive: User, seed: int) -> str:
    """Everything the planning pages need to show something real; returns a summary."""
    rng = random.Random(seed)
    asked = 0
    open_projects = Project.objects.filter(status__in=[Status.ACTIVE, Status.ON_HOLD])
    for project in open_projects.order_by("key"):
        # The generated portfolio brings most asks; the demo fills the gaps and leaves one
        # open project in eight without one, so the page's "no ask" list has something.
        ask = None if rng.random() < 0.125 else (project.next_stage_ask or _ask(project, rng))
        if ask != project.next_stage_ask:
            services.set_next_stage_ask(project=project, ask=ask, actor=project.product_manager)
        asked += ask is not None
    asks = sum((p.next_stage_ask or 0 for p in open_projects.filter(status=Status.ACTIVE)), 0)
    # A round that funds roughly half of what is asked, in round money.
    budget = max(
        Decimal(100000), (Decimal(asks) * Decimal("0.45") / 50000).quantize(Decimal(1)) * 50000
    )
    services.update_plan_settings(
        actor=admin,
        budget=budget,
        horizon=3,
        discount_rate=Decimal("0.10"),
        target_efficiency=Decimal("0.4"),
        target_revenue=Decimal("0.35"),
        target_new_category=Decimal("0.2"),
    )
    today = timezone.localdate()
    balanced = PlanRequest(
        budget=budget,
        as_of=today,
        targets={
            "efficiency": Decimal("0.4"),
            "revenue": Decimal("0.35"),
            "new_category": Decimal("0.2"),
        },
    )
    base = services.save_scenario(name="Balanced round", request=balanced, actor=product_manager)
    best = engine.compute(PlanRequest(budget=budget, as_of=today))
    # The second scenario: best value first, with the top-ranked project held back.
    held_back = best.funded_keys[:1]
    services.save_scenario(
        name="Best value, top project held back",
        request=PlanRequest(budget=budget, as_of=today, pin_out=tuple(held_back)),
        actor=product_manager,
    )
    services.adopt_scenario(scenario=base, actor=executive)
    base.refresh_from_db()
    return (
        f"{asked} next-stage asks, a budget of {budget:,} and two plan scenarios "
        f"(“{base.name}” adopted: {len(base.funded_keys)} projects funded)"
    )
