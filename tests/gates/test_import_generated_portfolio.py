"""A generated portfolio imports cleanly, and comes back as the generator made it."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.utils import timezone

from gates.interchange import command_line_import
from gates.models import GateDecision
from portfolio.demo.generator import generate_portfolio
from portfolio.models import Outcome, Project, SpendEntry, User
from portfolio.rollups import check_spend_months


def test_it_imports_a_generated_portfolio_cleanly(db, tmp_path):
    made = generate_portfolio(
        tmp_path, projects=120, spend_rows=3000, seed=17, end=timezone.localdate()
    )

    command_line_import(tmp_path)

    assert Project.objects.count() == made.projects == 120
    assert GateDecision.objects.count() == made.decisions
    assert SpendEntry.objects.count() == made.spend_rows == 3000
    assert Outcome.objects.count() == made.outcomes
    statuses = {status: Project.objects.filter(status=status).count() for status in made.statuses}
    assert statuses == dict(made.statuses)
    with open(tmp_path / "spend.csv", newline="", encoding="utf-8") as handle:
        written = sum(Decimal(row["amount"]) for row in csv.DictReader(handle))
    # Summed here: SQLite sums decimals as floats.
    assert sum(SpendEntry.objects.values_list("amount", flat=True)) == written
    assert sum(Project.objects.values_list("spend_total", flat=True)) == written
    with open(tmp_path / "projects.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    people = {row[column] for row in rows for column in ("researcher", "product_manager")}
    assert people <= set(User.objects.values_list("email", flat=True))
    # The files grant no role.
    assert not User.objects.filter(groups__isnull=False).exists()
    asks = {row["key"]: row["next_stage_ask"] for row in rows}
    assert {
        key: "" if ask is None else f"{ask:.2f}"
        for key, ask in Project.objects.values_list("key", "next_stage_ask")
    } == asks


def test_it_keeps_the_monthly_spend_rollup_exact(db, tmp_path):
    generate_portfolio(tmp_path, projects=40, spend_rows=800, seed=3, end=timezone.localdate())

    command_line_import(tmp_path)

    assert check_spend_months() == []
