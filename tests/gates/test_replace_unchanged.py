"""A replace leaves the projects whose rows in the files are what the app holds as they are.

Not archived, not rewritten, no "History replaced" link, no audit entry of a replace: only
the projects whose rows differ are replaced (gates.interchange.unchanged). "The same" is
the format's values (money to the cent, dates, probabilities as numbers), the spend
entries as a multiset, the decisions in their order.
"""

from __future__ import annotations

import datetime
import io
import random
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given

from gates.interchange import command_line_import, export_portfolio, import_portfolio, unchanged
from gates.interchange.unchanged import _database_spend, spend_digest, spend_line
from gates.models import CriterionScore, GateDecision, Vote
from portfolio import metrics
from portfolio.demo.generator import generate_portfolio
from portfolio.models import AuditEntry, Project, ReplacedHistory, SpendEntry
from tests.builders import make_project
from tests.gates.test_fuzz_import import (  # noqa: F401 (existing: a fixture)
    FUZZ_PAGE,
    _import,
    _streams,
    existing,
    harmless_portfolios,
)
from tests.gates.test_import_portfolio import FILES, SAMPLE, edit_line
from tests.gates.test_replaced_history import decided_panel

V3 = SAMPLE.parent / "sample-portfolio-v3"
pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    """The sample portfolio's files (written by hand: CRLF, quoted notes, money as 18865 or
    1196000.00), imported once."""
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    command_line_import(tmp_path)
    return tmp_path


def as_held() -> dict:
    """Every row of the app's history, by its id: what a rewrite would change."""
    return {
        "projects": set(Project.objects.values_list("id", "updated_at")),
        "decisions": set(GateDecision.objects.values_list("id", "project_id", "recorded_at")),
        "spend": set(SpendEntry.objects.values_list("id", "project_id", "recorded_at")),
    }


def replaced_keys() -> set[str]:
    return set(ReplacedHistory.objects.values_list("project__key", flat=True))


def metrics_by_product_manager() -> dict[str, dict]:
    emails = Project.objects.values_list("product_manager__email", flat=True).distinct()
    return {email: metrics.compute(product_manager=email) for email in emails}


# --- The same files -----------------------------------------------------------------------------


def test_a_replace_of_the_same_files_archives_nothing_and_says_so(folder, sam):
    before = as_held()
    numbers = metrics.compute()

    summary = import_portfolio(folder, actor=sam, replace=True)

    assert (summary.projects_created, summary.projects_replaced) == (0, 0)
    assert summary.projects_unchanged == 62
    assert (summary.decisions, summary.spend_entries, summary.outcomes) == (0, 0, 0)
    assert "62 projects unchanged (the files hold exactly what the app has)" in str(summary)
    assert not ReplacedHistory.objects.exists()
    assert as_held() == before  # not rewritten: the same rows, the same times
    assert not AuditEntry.objects.filter(action="project.replaced").exists()
    imported = AuditEntry.objects.get(action="portfolio.imported", actor=sam)
    assert imported.changes["projects_unchanged"] == 62
    assert imported.changes["projects_replaced"] == 0
    assert metrics.compute() == numbers


def test_the_command_line_says_how_many_were_replaced_and_unchanged(folder):
    edit_line(folder, "projects.csv", 2, "Vision study #1", "Vision study #1 (revised)")
    stdout = io.StringIO()

    call_command("import_portfolio", str(folder), "--replace", stdout=stdout)

    assert stdout.getvalue().strip() == (
        "Imported 1 project (1 replaced), 1 gate decision, 4 spend entries and 0 outcome "
        "months; 0 new people. 61 projects unchanged (the files hold exactly what the app "
        "has): left as they were, not archived."
    )
    assert replaced_keys() == {"RP-0001"}


def test_an_unchanged_project_shows_no_history_replaced(client, folder, sam, bob):
    import_portfolio(folder, actor=sam, replace=True)
    client.force_login(bob)

    html = client.get(reverse("project_detail", args=["RP-0027"])).content.decode()

    assert "History replaced" not in html


def test_an_export_of_the_app_replaced_into_it_changes_nothing(tmp_path, sam):
    """The version 3 sample (estimates, artifacts, their uses, adoption) round-trips: its
    export, replaced into the app, leaves every project as it is."""
    v3 = tmp_path / "v3"
    shutil.copytree(V3, v3, ignore=shutil.ignore_patterns("expected"))
    command_line_import(v3)
    export_portfolio(tmp_path / "export")
    before = as_held()

    summary = import_portfolio(tmp_path / "export", actor=sam, replace=True)
    again = import_portfolio(v3, actor=sam, replace=True)  # the files as they were written

    assert summary.projects_replaced == again.projects_replaced == 0
    assert summary.projects_unchanged == Project.objects.count()
    assert (summary.estimates, summary.artifacts, summary.artifact_uses, summary.adoption) == (
        0,
        0,
        0,
        0,
    )
    assert not ReplacedHistory.objects.exists()
    assert as_held() == before


def test_a_workbook_of_the_app_replaced_into_it_changes_nothing(folder, tmp_path, sam):
    from gates.interchange import export_portfolio_workbook

    export_portfolio_workbook(tmp_path / "portfolio.xlsx")

    summary = import_portfolio(tmp_path / "portfolio.xlsx", actor=sam, replace=True)

    assert (summary.projects_replaced, summary.projects_unchanged) == (0, 62)


def test_the_app_s_own_decisions_votes_and_kill_criteria_round_trip(
    tmp_path, alice, bob, carol, sam
):
    """Recorded on the pages (scorecards, votes, kill criteria, a review open): an export
    replaced into the app leaves the project, and what the files do not carry, as it is."""
    project = decided_panel(alice, bob, carol)
    scores = CriterionScore.objects.filter(decision__project=project).count()
    votes = set(Vote.objects.filter(project=project).values_list("id", "decision_id"))
    export_portfolio(tmp_path)

    summary = import_portfolio(tmp_path, actor=sam, replace=True)

    assert (summary.projects_replaced, summary.projects_unchanged) == (0, 1)
    assert not ReplacedHistory.objects.exists()
    assert CriterionScore.objects.filter(decision__project=project).count() == scores > 0
    # The open review's vote too, which an export leaves out.
    assert set(Vote.objects.filter(project=project).values_list("id", "decision_id")) == votes


# --- One project edited ------------------------------------------------------------------------


def spend_lines(folder) -> list[str]:
    return (folder / "spend.csv").read_text(encoding="utf-8").splitlines()


def write_spend(folder, lines: list[str]) -> None:
    (folder / "spend.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_one_spend_amount(folder) -> str:
    lines = spend_lines(folder)
    number = next(i for i, line in enumerate(lines) if line.startswith("RP-0027,"))
    key, day, amount, *rest = lines[number].split(",")
    lines[number] = ",".join([key, day, str(Decimal(amount) + Decimal("0.01")), *rest])
    write_spend(folder, lines)
    return "RP-0027"


def edit_one_rationale(folder) -> str:
    edit_line(
        folder, "gate_decisions.csv", 9, '"Cost ""too high"", revisit"', "Cost is fine after all"
    )
    return "RP-0005"


def edit_one_project_field(folder) -> str:
    edit_line(folder, "projects.csv", 2, ",0.46", ",0.47")  # RP-0001's probability
    return "RP-0001"


@pytest.mark.parametrize(
    "edit", [edit_one_spend_amount, edit_one_rationale, edit_one_project_field]
)
def test_one_edited_project_is_the_only_one_replaced(folder, sam, edit):
    untouched = as_held()
    numbers = metrics_by_product_manager()
    key = edit(folder)
    project = Project.objects.get(key=key)
    manager = project.product_manager.email

    summary = import_portfolio(folder, actor=sam, replace=True)

    assert (summary.projects_replaced, summary.projects_unchanged) == (1, 61)
    assert replaced_keys() == {key}
    history = ReplacedHistory.objects.get()
    assert history.project == project and history.replaced_by == sam
    assert list(
        AuditEntry.objects.filter(action="project.replaced").values_list("project__key", flat=True)
    ) == [key]
    after = as_held()
    for kind in ("projects", "decisions", "spend"):
        # Every row but the replaced project's is the row it was.
        kept = {row for row in untouched[kind] if project.pk not in row[:2]}
        assert kept <= after[kind], kind
    # The metrics of every product manager whose projects were all left as they are.
    now = metrics_by_product_manager()
    assert {email: now[email] for email in numbers if email != manager} == {
        email: numbers[email] for email in numbers if email != manager
    }


def test_the_replaced_project_holds_the_files_rows(folder, sam):
    edit_one_spend_amount(folder)
    first = SpendEntry.objects.filter(project__key="RP-0027").order_by("spent_on", "id").first()

    import_portfolio(folder, actor=sam, replace=True)

    assert SpendEntry.objects.filter(
        project__key="RP-0027", spent_on=first.spent_on, amount=first.amount + Decimal("0.01")
    ).exists()
    archived = ReplacedHistory.objects.get().spend
    assert f"{first.amount:.2f}" in {entry["amount"] for entry in archived}


# --- What "the same" means ----------------------------------------------------------------------


def test_spend_in_another_order_is_the_same(folder, sam):
    header, *rows = spend_lines(folder)
    random.Random(7).shuffle(rows)  # across projects and within each
    write_spend(folder, [header, *rows])

    summary = import_portfolio(folder, actor=sam, replace=True)

    assert (summary.projects_replaced, summary.projects_unchanged) == (0, 62)


def test_a_generated_portfolio_compares_by_its_plain_rows(tmp_path, sam, monkeypatch):
    """The generator's files, as an export's, have plain rows (no quotes): read a run of
    one project at a time. Reordered within each project, spread over the file, or with one
    cent more on one row, they compare as the app holds them."""
    monkeypatch.setattr(unchanged, "SCATTERED_ROWS_PER_PASS", 500)
    generate_portfolio(tmp_path, projects=40, spend_rows=3000, seed=7, end=timezone.localdate())
    command_line_import(tmp_path)
    header, *rows = spend_lines(tmp_path)
    assert '"' not in "".join(rows)

    as_written = import_portfolio(tmp_path, actor=sam, replace=True)
    write_spend(tmp_path, [header, *reversed(rows)])  # each project's rows in reverse
    reversed_rows = import_portfolio(tmp_path, actor=sam, replace=True)
    write_spend(tmp_path, [header, *sorted(rows, key=lambda row: row.split(",")[1])])
    by_date = import_portfolio(tmp_path, actor=sam, replace=True)
    key, day, amount, *rest = rows[-1].split(",")
    rows[-1] = ",".join([key, day, f"{Decimal(amount) + Decimal('0.01'):.2f}", *rest])
    write_spend(tmp_path, [header, *rows])
    one_cent = import_portfolio(tmp_path, actor=sam, replace=True)

    unchanged_counts = {
        (summary.projects_replaced, summary.projects_unchanged)
        for summary in (as_written, reversed_rows, by_date)
    }
    assert unchanged_counts == {(0, 40)}
    assert (one_cent.projects_replaced, one_cent.projects_unchanged) == (1, 39)
    assert replaced_keys() == {key}


def test_spend_spread_over_the_file_is_read_in_further_passes(folder, sam, monkeypatch):
    """Rows of a project far apart in the file (here: in date order) are gathered a few
    projects at a time (here: 40 rows at most a pass), and compare as any others."""
    monkeypatch.setattr(unchanged, "SCATTERED_ROWS_PER_PASS", 40)
    gathered = []
    gather = unchanged._FileSpend._gather
    monkeypatch.setattr(
        unchanged._FileSpend,
        "_gather",
        lambda self, keys: gathered.append(keys) or gather(self, keys),
    )
    header, *rows = spend_lines(folder)
    rows.sort(key=lambda row: row.split(",")[1])
    write_spend(folder, [header, *rows])
    same = import_portfolio(folder, actor=sam, replace=True)
    first = next(i for i, row in enumerate(rows) if row.startswith("RP-0027,"))
    key, day, amount, *rest = rows[first].split(",")
    rows[first] = ",".join([key, day, str(Decimal(amount) + 1), *rest])
    write_spend(folder, [header, *rows])

    changed = import_portfolio(folder, actor=sam, replace=True)

    assert (same.projects_replaced, same.projects_unchanged) == (0, 62)
    assert (changed.projects_replaced, changed.projects_unchanged) == (1, 61)
    assert replaced_keys() == {"RP-0027"}
    assert len(gathered) > 2 and "RP-0027" in {key for keys in gathered for key in keys}


def test_spend_compares_as_a_multiset_not_a_set(folder, sam):
    """A, B, A against B, B, A: the same entries as a set, and as many, but not the same
    multiset: replaced. The same duplicates again: unchanged."""
    header, *rows = spend_lines(folder)
    first, second, third = [i for i, row in enumerate(rows) if row.startswith("RP-0027,")][:3]
    rows[third] = rows[first]  # A, B, A
    write_spend(folder, [header, *rows])
    import_portfolio(folder, actor=sam, replace=True)
    assert ReplacedHistory.objects.filter(project__key="RP-0027").count() == 1
    rows[first] = rows[second]  # B, B, A
    write_spend(folder, [header, *rows])

    changed = import_portfolio(folder, actor=sam, replace=True)
    same = import_portfolio(folder, actor=sam, replace=True)

    assert (changed.projects_replaced, changed.projects_unchanged) == (1, 61)
    assert (same.projects_replaced, same.projects_unchanged) == (0, 62)
    assert ReplacedHistory.objects.filter(project__key="RP-0027").count() == 2
    assert replaced_keys() == {"RP-0027"}


def test_values_written_another_way_are_the_same(folder, sam):
    """Columns in another order, a byte order mark, money without its cents, a probability
    with trailing zeros and an address in capitals: the same values."""
    header, *rows = spend_lines(folder)
    reordered = ["amount,note,category,spent_on,project"]
    for row in rows:
        key, day, amount, category, note = row.split(",", 4)
        if amount.endswith(".00"):
            amount = amount[:-3]
        reordered.append(f"{amount},{note},{category},{day},{key}")
    (folder / "spend.csv").write_text("\ufeff" + "\n".join(reordered) + "\n", encoding="utf-8")
    edit_line(folder, "projects.csv", 2, ",0.46", ",0.4600")
    edit_line(folder, "projects.csv", 2, "pm1@example.com", "PM1@Example.com")

    summary = import_portfolio(folder, actor=sam, replace=True)

    assert (summary.projects_replaced, summary.projects_unchanged) == (0, 62)


PROJECT = (
    "key,title,research_type,bucket,researcher,product_manager,submitted_on,value_kind,"
    "projected_low,projected_expected,projected_high,probability_of_success\n"
    "HOLD-1,Held twice,applied,efficiency,alice@example.com,bob@example.com,2026-01-05,"
    "cost_savings,1000,2000,3000,0.5\n"
)
TWO_HOLDS = [
    "project,gate,decided_on,decision,funding_granted,decided_by,probability_of_success,rationale",
    "HOLD-1,1,2026-02-02,hold,0,bob@example.com,0.5,Wait for the data",
    "HOLD-1,1,2026-02-02,hold,0,bob@example.com,0.4,Wait for legal",
]


def hand_made(folder, decisions: list[str]):
    folder.mkdir(exist_ok=True)
    (folder / "projects.csv").write_text(PROJECT, encoding="utf-8")
    (folder / "gate_decisions.csv").write_text("\n".join(decisions) + "\n", encoding="utf-8")
    (folder / "spend.csv").write_text("project,spent_on,amount,category,note\n", encoding="utf-8")
    (folder / "outcomes.csv").write_text("project,month,realized_value\n", encoding="utf-8")
    return folder


def test_decisions_compare_in_their_order(tmp_path, sam):
    """Two holds on one day are recorded in the files' order: the other order is another
    history (its latest probability too), so the project is replaced."""
    import_portfolio(hand_made(tmp_path / "files", TWO_HOLDS), actor=sam)
    same = import_portfolio(hand_made(tmp_path / "files", TWO_HOLDS), actor=sam, replace=True)
    header, first, second = TWO_HOLDS

    swapped = import_portfolio(
        hand_made(tmp_path / "files", [header, second, first]), actor=sam, replace=True
    )

    assert (same.projects_replaced, same.projects_unchanged) == (0, 1)
    assert (swapped.projects_replaced, swapped.projects_unchanged) == (1, 0)
    assert list(GateDecision.objects.order_by("sequence").values_list("rationale", flat=True)) == [
        "Wait for legal",
        "Wait for the data",
    ]


def test_a_change_made_in_the_app_since_the_files_is_replaced(folder, sam, alice, bob):
    """A spend entry recorded in the app since the files were written: the files replace
    that project; a project the files do not name is left alone, as always."""
    project = Project.objects.get(key="RP-0027")
    SpendEntry.objects.create(
        project=project, spent_on=project.submitted_on, amount=1, category="other", note=""
    )
    make_project(key="APP-1", researcher=alice, product_manager=bob)  # not in the files

    summary = import_portfolio(folder, actor=sam, replace=True)

    assert replaced_keys() == {"RP-0027"}
    assert (summary.projects_replaced, summary.projects_unchanged) == (1, 61)
    assert Project.objects.filter(key="APP-1").exists()


# --- The two sides' spend digests ---------------------------------------------------------------


def test_the_database_digests_spend_as_the_files_are_read(bob):
    """PostgreSQL adds up its side in SQL (its own MD5, its own text of a date and an
    amount): it must be what Python makes of the same entries, for any note."""
    project, other = make_project(), make_project()
    entries = [
        (project, datetime.date(2026, 3, 9), Decimal("1200.50"), "compute", "GPU hours"),
        (project, datetime.date(2026, 3, 9), Decimal("0.01"), "data", 'a "quote", \\ and\ttab'),
        (project, datetime.date(2025, 12, 31), Decimal("99999999.99"), "people", "Ünïcode ✓ 🚀"),
        (project, datetime.date(2025, 12, 31), Decimal("5"), "other", "two\nlines"),
        (project, datetime.date(2025, 12, 31), Decimal("5"), "other", "two\nlines"),
        (other, datetime.date(2024, 1, 2), Decimal("7.10"), "vendor", ""),
    ]
    lines: dict[int, list[str]] = {}
    for owner, day, amount, category, note in entries:
        SpendEntry.objects.create(
            project=owner, spent_on=day, amount=amount, category=category, note=note
        )
        lines.setdefault(owner.pk, []).append(
            spend_line(day, amount.quantize(Decimal("0.01")), category, note)
        )
    expected = {pk: spend_digest(written) for pk, written in lines.items()}

    assert _database_spend([project.pk, other.pk, make_project().pk]) == expected


def test_the_export_of_tricky_notes_is_the_same_again(tmp_path, sam, bob):
    """Notes the export quotes (commas, quotes, line breaks) or writes formula-safe."""
    project = make_project(key="NOTES-1")
    for note in ("a, b", 'say "hi"', "two\nlines", "=SUM(A1)", "'quoted", " spaced ", "✓"):
        SpendEntry.objects.create(
            project=project,
            spent_on=project.submitted_on,
            amount=Decimal("12.30"),
            category="other",
            note=note,
        )
    export_portfolio(tmp_path)

    summary = import_portfolio(tmp_path, actor=sam, replace=True)

    assert (summary.projects_replaced, summary.projects_unchanged) == (0, 1)


def test_the_import_page_says_it_is_comparing(db, adam):
    from gates import import_jobs
    from gates.models import ImportJob

    reporter = import_jobs._Reporter(ImportJob.objects.create(created_by=adam, status="running"))

    reporter.progress("comparing", "spend.csv", 250_000, finished=False)
    spend = reporter.phase
    reporter.progress("comparing", "projects.csv", 5_000, finished=True)

    assert spend == "Comparing spend.csv with the app (250,000 rows so far)"
    assert reporter.phase == "Comparing projects.csv with the app (5,000 projects so far)"


@pytest.mark.usefixtures("existing")  # a project of the app the files replace (EXIST-1)
@FUZZ_PAGE
@given(files=harmless_portfolios())
def test_any_files_the_format_allows_are_unchanged_the_second_time(files):
    """Columns in any order, optional columns left out, CRLF, a byte order mark, a spend row
    twice: replaced into the app once, the same files again leave every project as it is."""
    with transaction.atomic():
        first = _import(_streams(files), replace=True)
        again = _import(_streams(files), replace=True)
        assert (again.projects_created, again.projects_replaced) == (0, 0)
        assert again.projects_unchanged == first.projects == 3
        transaction.set_rollback(True)
