"""How the API's messages name a field: as the page's form labels it.

A money field has its form's label ("Cost per retraining"); any other field's label is
made from its name (``per_page``: "Per page"). The validators' messages start with it
("Amount: at least 0.01."), and a problem's ``detail`` puts the field's path in its place
("amount: at least 0.01."), so that nothing is named twice.
"""

from __future__ import annotations

MONEY_LABELS = {
    "amount": "Amount",
    "build_cost": "Build cost",
    "monthly_run_cost": "Monthly run cost",
    "cost_per_retrain": "Cost per retraining",
    "funding_granted": "Funding granted",
    "next_stage_ask": "Next-stage ask",
}


def label_of(name: str, default: str = "Value") -> str:
    """The label of the field ``name`` (``default`` without a name)."""
    if not name:
        return default
    return MONEY_LABELS.get(name, name.replace("_", " ").capitalize())
