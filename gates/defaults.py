"""The criteria of the four default gates (their names and deliverables: ``portfolio.process``).

Seeded by a data migration into a new database and, after a flush (tests),
by a post_migrate handler; admins edit them afterwards.
"""

from __future__ import annotations

from decimal import Decimal

from portfolio.process import GATE_SPECS

# The criteria of each default gate, by number: (kind, name, weight).
CRITERIA = {
    1: [
        ("must", "Fits a strategic bucket and a business metric the company tracks", 1),
        ("must", "The hypothesis can be tested", 1),
        ("should", "Size of the prize (projected expected value)", 3),
        ("should", "Strength of the case for the research", 2),
        ("should", "Team has the skills and data access to start", 1),
    ],
    2: [
        ("must", "Feasibility study supports the hypothesis", 1),
        ("must", "Data needed is available or obtainable", 1),
        ("should", "Strength of the evidence", 3),
        ("should", "Confidence of the researcher", 1),
        ("should", "Reuse of existing artifacts", 1),
    ],
    3: [
        ("must", "Research results meet the agreed quality bar", 1),
        ("must", "Production cost estimate reviewed by an architect", 1),
        ("should", "Expected value against three-year cost", 3),
        ("should", "Reuse of existing platform", 1),
        ("should", "Operational risk (retraining, monitoring)", 2),
    ],
    4: [
        ("must", "A product team commits to build and own it", 1),
        ("must", "Business case signed off by the product manager", 1),
        ("should", "Strategic fit", 2),
        ("should", "Expected commercial value", 3),
        ("should", "Time to value", 1),
    ],
}


def create_default_gates(Gate, RequiredDeliverable, Criterion) -> None:
    """Create the default gates that are missing (models may be historical ones)."""
    for spec in GATE_SPECS:
        gate, created = Gate.objects.get_or_create(
            number=spec.number, defaults={"name": spec.name, "purpose": spec.purpose}
        )
        if not created:
            continue
        for kind in spec.requires:
            RequiredDeliverable.objects.create(gate=gate, kind=kind)
        for position, (kind, criterion, weight) in enumerate(CRITERIA[spec.number]):
            Criterion.objects.create(
                gate=gate, name=criterion, kind=kind, weight=Decimal(weight), position=position
            )


def ensure_default_gates(**kwargs) -> None:
    """post_migrate: a database without gates (a test flush) gets the defaults back."""
    from django.db import DEFAULT_DB_ALIAS

    from gates.models import Criterion, Gate, Gatekeeper, RequiredDeliverable

    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    if using != DEFAULT_DB_ALIAS or Gate.objects.exists():
        return
    create_default_gates(Gate, RequiredDeliverable, Criterion)
    create_default_gatekeepers(Gate, Gatekeeper)


# Besides the project's product manager, who always chairs: heavier gates, more judges.
GATEKEEPERS = {
    2: [("architect", "")],
    3: [("architect", "")],
    4: [("architect", ""), ("role", "Executive")],
}


def create_default_gatekeepers(Gate, Gatekeeper) -> None:
    """Give the default gatekeepers to gates that have none (models may be historical ones)."""
    for number, keepers in GATEKEEPERS.items():
        gate = Gate.objects.filter(number=number).first()
        if gate is None or Gatekeeper.objects.filter(gate=gate).exists():
            continue
        for kind, role in keepers:
            Gatekeeper.objects.create(gate=gate, kind=kind, role=role)
