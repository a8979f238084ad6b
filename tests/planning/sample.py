"""The version-2/3 sample portfolio (with asks and estimates) and its expected plans."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from gates.interchange import ImportFailed, import_portfolio
from gates.models import ArchitectureEstimate
from portfolio.models import Project, User

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio-v3"
CADENCE = {"0": "none", "1": "annual", "2": "semiannual", "4": "quarterly", "12": "monthly"}


def expected(filename: str) -> dict:
    return json.loads((SAMPLE / "expected" / filename).read_text())


def import_sample() -> None:
    """Import the sample; while the importer reads only version 1, add asks and estimates by hand."""
    try:
        import_portfolio(SAMPLE)
        return
    except ImportFailed:
        pass
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name in ("gate_decisions.csv", "spend.csv", "outcomes.csv"):
            shutil.copy(SAMPLE / name, folder / name)
        with (SAMPLE / "projects.csv").open(newline="", encoding="utf-8-sig") as source:
            rows = list(csv.DictReader(source))
        columns = [c for c in rows[0] if c != "next_stage_ask"]
        with (folder / "projects.csv").open("w", newline="", encoding="utf-8") as target:
            writer = csv.DictWriter(target, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        import_portfolio(folder)
    for row in rows:
        if row["next_stage_ask"]:
            Project.objects.filter(key=row["key"]).update(
                next_stage_ask=Decimal(row["next_stage_ask"])
            )
    with (SAMPLE / "estimates.csv").open(newline="", encoding="utf-8-sig") as source:
        estimates = list(csv.DictReader(source))
    projects = dict(Project.objects.values_list("key", "id"))
    author = User.objects.order_by("id").first()
    ArchitectureEstimate.objects.bulk_create(
        ArchitectureEstimate(
            project_id=projects[row["project"]],
            author=author,
            build_cost=Decimal(row["build_cost"]),
            monthly_run_cost=Decimal(row["monthly_run_cost"]),
            retraining_cadence=CADENCE[row["retrains_per_year"]],
            cost_per_retrain=Decimal(row["cost_per_retrain"] or 0),
        )
        for row in estimates
    )
