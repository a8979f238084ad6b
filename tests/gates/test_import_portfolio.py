"""manage.py import_portfolio: the sample portfolio comes in whole; every bad input is refused.

Each refusal names FILE:LINE: column, exits non-zero, and writes nothing.
"""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections

from gates.interchange import (
    ImportFailed,
    command_line_import,
    import_portfolio,
)
from gates.models import GateDecision
from portfolio.models import (
    AuditEntry,
    Outcome,
    Project,
    ReplacedHistory,
    Role,
    SpendEntry,
    SpendMonth,
    Status,
    User,
)
from portfolio.rollups import check_spend_months
from tests.gates.replacing import edit_every_project

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
FILES = ("projects.csv", "gate_decisions.csv", "spend.csv", "outcomes.csv")


@pytest.fixture
def folder(tmp_path) -> Path:
    """A writable copy of the sample portfolio's four files."""
    for name in FILES:
        shutil.copy(SAMPLE / name, tmp_path / name)
    return tmp_path


def set_line(folder: Path, name: str, number: int, text: str) -> None:
    lines = (folder / name).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[number - 1] = text + "\n"
    (folder / name).write_text("".join(lines), encoding="utf-8")


def edit_line(folder: Path, name: str, number: int, old: str, new: str) -> None:
    line = (folder / name).read_text(encoding="utf-8").splitlines()[number - 1]
    assert old in line, f"{old!r} not on line {number} of {name}: {line!r}"
    set_line(folder, name, number, line.replace(old, new, 1))


def append(folder: Path, name: str, text: str) -> int:
    """Add a row at the end; returns its line number."""
    with (folder / name).open("a", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return len((folder / name).read_text(encoding="utf-8").splitlines())


def nothing_written(users_before: int = 0) -> bool:
    return (
        Project.objects.count() == 0
        and GateDecision.objects.count() == 0
        and SpendEntry.objects.count() == 0
        and Outcome.objects.count() == 0
        and User.objects.count() == users_before
        and AuditEntry.objects.exclude(action__startswith="sign_in.").count() == 0
    )


def refused(folder: Path) -> list[str]:
    """The command's problems (stderr), after checking it failed and wrote nothing."""
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_portfolio", str(folder), stderr=stderr, stdout=io.StringIO())
    assert nothing_written()
    return stderr.getvalue().splitlines()


def import_ok(folder: Path, *args: str) -> str:
    stdout = io.StringIO()
    call_command("import_portfolio", str(folder), *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def sample_rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- The sample comes in whole ------------------------------------------------------------------


def test_it_imports_the_sample_portfolio(db, folder):
    output = import_ok(folder)

    assert output.strip() == (
        "Imported 62 projects, 146 gate decisions, 620 spend entries and 99 outcome months; "
        "18 new people."
    )
    assert Project.objects.count() == 62
    assert GateDecision.objects.count() == 146
    assert SpendEntry.objects.count() == 620
    assert Outcome.objects.count() == 99


def test_it_sets_each_projects_running_fields_as_the_services_would(db, folder):
    import_ok(folder)

    project = Project.objects.get(key="RP-0027")
    spend = [row for row in sample_rows("spend.csv") if row["project"] == "RP-0027"]
    assert project.status == Status.GREENLIT
    assert project.current_gate is None
    assert project.decisions_count == 5
    assert str(project.last_decision_on) == "2025-06-04"
    assert project.latest_probability == Decimal("0.35")
    assert project.funding_granted_total == Decimal("742033.21")
    assert project.spend_total == sum((Decimal(row["amount"]) for row in spend), Decimal(0))
    assert str(project.last_spend_on) == max(row["spent_on"] for row in spend)
    assert project.probability_of_success == Decimal("0.25")
    killed = Project.objects.get(key="RP-0001")
    assert (killed.status, killed.current_gate, killed.latest_probability) == (
        Status.KILLED,
        None,
        Decimal("0.19"),
    )


def test_it_keeps_the_file_order_of_decisions_on_one_date(db, folder):
    import_ok(folder)

    project = Project.objects.get(key="EDGE-sameday")
    decisions = list(project.decisions.order_by("sequence").values_list("sequence", "decision"))
    assert decisions == [(1, "hold"), (2, "go")]
    assert (project.status, project.current_gate) == (Status.ACTIVE, 2)


def test_it_numbers_decisions_by_date_whatever_the_order_of_the_file(db, folder):
    # RP-0002: go at gate 1 (line 3), kill at gate 2 (line 4); write them the other way round.
    lines = (folder / "gate_decisions.csv").read_text(encoding="utf-8").splitlines()
    lines[2], lines[3] = lines[3], lines[2]
    (folder / "gate_decisions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    import_ok(folder)

    decisions = GateDecision.objects.filter(project__key="RP-0002").order_by("sequence")
    assert [(d.sequence, d.gate.number, d.decision) for d in decisions] == [
        (1, 1, "go"),
        (2, 2, "kill"),
    ]


def test_it_leaves_an_idle_project_waiting_at_gate_1(db, folder):
    import_ok(folder)

    project = Project.objects.get(key="EDGE-idle")
    assert (project.status, project.current_gate, project.decisions_count) == (
        Status.ACTIVE,
        1,
        0,
    )
    assert project.spend_total == 0


def test_it_creates_unknown_people_with_no_role_and_no_password(db, folder):
    """A file never grants a role (format version 2): an admin does, in the app."""
    import_ok(folder)

    researcher = User.objects.get(email="researcher10@example.com")
    manager = User.objects.get(email="pm1@example.com")
    decider = User.objects.get(email="cfo@example.com")  # seen only in decided_by
    assert (researcher.roles, manager.roles, decider.roles) == ([], [], [])
    assert not researcher.has_usable_password()
    assert not decider.is_staff and not decider.is_superuser


def test_it_leaves_the_roles_of_known_people_alone(db, folder, bob):
    edit_line(folder, "projects.csv", 2, "researcher10@example.com", "bob@example.com")

    import_ok(folder)

    bob.refresh_from_db()
    assert bob.roles == [Role.PRODUCT_MANAGER]


def test_it_reuses_known_people_ignoring_case(db, folder, bob):
    edit_line(folder, "projects.csv", 2, "pm1@example.com", "Bob@Example.com")

    import_ok(folder)

    assert Project.objects.get(key="RP-0001").product_manager == bob
    assert User.objects.filter(email__iexact="bob@example.com").count() == 1
    bob.refresh_from_db()
    assert bob.has_usable_password()


def test_it_keeps_the_monthly_spend_rollup_exact(db, folder):
    import_ok(folder)

    assert SpendMonth.objects.exists()
    assert check_spend_months() == []


def test_it_leaves_an_audit_trail(db, folder, adam):
    import_portfolio(folder, actor=adam)

    assert AuditEntry.objects.filter(action="portfolio.imported", actor=adam).count() == 1
    assert AuditEntry.objects.filter(action="project.imported").count() == 62
    entry = AuditEntry.objects.get(action="project.imported", project__key="RP-0027")
    assert entry.summary == "RP-0027 imported from the portfolio files"


def test_it_accepts_a_byte_order_mark_and_blank_lines(db, folder):
    text = (folder / "projects.csv").read_text(encoding="utf-8")
    (folder / "projects.csv").write_text("\ufeff" + text + "\n\n", encoding="utf-8")

    import_ok(folder)

    assert Project.objects.count() == 62


def test_it_accepts_optional_columns_left_out(db, folder):
    (folder / "spend.csv").write_text(
        "spent_on,amount,project,category\n2026-01-14,10,RP-0001,data\n", encoding="utf-8"
    )
    (folder / "gate_decisions.csv").write_text(
        "project,gate,decided_on,decision,decided_by\nRP-0001,1,2026-03-10,hold,pm1@example.com\n",
        encoding="utf-8",
    )
    (folder / "outcomes.csv").write_text("project,month,realized_value\n", encoding="utf-8")

    import_ok(folder)

    decision = GateDecision.objects.get()
    assert (decision.funding_granted, decision.probability_of_success, decision.rationale) == (
        0,
        None,
        "",
    )
    assert SpendEntry.objects.get().note == ""


def test_it_counts_lines_of_quoted_values_that_span_lines(db, folder):
    set_line(
        folder,
        "gate_decisions.csv",
        2,
        'RP-0001,1,2026-03-10,kill,,pm1@example.com,0.19,"Waiting for\ndata, still"',
    )
    # Now on line 5 of the file (the rationale above takes two lines): a bad date.
    edit_line(folder, "gate_decisions.csv", 5, "2024-12-13", "2024-12-32")

    assert refused(folder) == [
        "gate_decisions.csv:5: decided_on: '2024-12-32' is not a date: write YYYY-MM-DD (2026-03-31)"
    ]


def test_it_shows_progress_with_rows_and_rate(db, folder):
    seen = []

    command_line_import(folder, progress=lambda *event: seen.append(event))

    assert ("checking", "spend.csv", 620, True) in seen
    assert ("writing", "spend.csv", 620, True) in seen


def test_the_command_shows_progress_on_a_terminal(db, folder):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    call_command("import_portfolio", str(folder), stderr=terminal, stdout=io.StringIO())

    assert "checking spend.csv: 620 rows" in terminal.getvalue()
    assert "rows/s" in terminal.getvalue()


def test_the_command_stays_quiet_when_not_on_a_terminal(db, folder):
    stderr = io.StringIO()
    call_command("import_portfolio", str(folder), stderr=stderr, stdout=io.StringIO())

    assert stderr.getvalue() == ""


def test_the_command_exits_non_zero_on_bad_input(db, folder, capsys, monkeypatch):
    edit_line(folder, "spend.csv", 2, "1993.82", "$1993.82")
    # run_from_argv closes the connections when it ends: keep the test's open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_portfolio", str(folder)]).execute()

    assert exit_.value.code == 1
    assert "spend.csv:2: amount: '$1993.82' is not money" in capsys.readouterr().err
    assert nothing_written()


def test_the_command_refuses_a_folder_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_portfolio", str(tmp_path / "nowhere"))


# --- Every bad input, with its line, and nothing written ----------------------------------------


def test_it_refuses_a_missing_column(db, folder):
    set_line(folder, "spend.csv", 1, "project,spent_on,amount,note")

    assert refused(folder) == ["spend.csv:1: category: missing column"]


def test_it_refuses_an_unknown_column(db, folder):
    edit_line(folder, "projects.csv", 1, "title,", "title,colour,")

    assert refused(folder) == [
        "projects.csv:1: colour: unknown column (the columns are: key, title, research_type, "
        "bucket, researcher, product_manager, submitted_on, value_kind, projected_low, "
        "projected_expected, projected_high, probability_of_success, next_stage_ask)"
    ]


def test_a_file_separated_by_semicolons_says_so_once(db, folder):
    # Excel's "CSV" in many locales: the whole file is refused with the reason, not
    # a "missing column" line for each of its columns.
    lines = (folder / "outcomes.csv").read_text().splitlines()
    (folder / "outcomes.csv").write_text("\n".join(line.replace(",", ";") for line in lines))

    assert refused(folder) == [
        "outcomes.csv:1: (file): the columns are separated by semicolons (;): save the file "
        "as CSV with commas (the columns are: project, month, realized_value)"
    ]


def test_an_unreadable_decisions_file_gives_its_own_problem_not_knock_on_ones(db, folder):
    set_line(folder, "gate_decisions.csv", 1, "project,gate,decided_on,verdict")

    problems = refused(folder)
    # Only the header's problems: no outcome is said to be of a project not greenlit.
    assert problems and all(p.startswith("gate_decisions.csv:1: ") for p in problems), problems


def test_it_refuses_a_column_given_twice(db, folder):
    set_line(folder, "outcomes.csv", 1, "project,month,realized_value,month")

    assert refused(folder) == ["outcomes.csv:1: month: this column appears twice"]


@pytest.mark.parametrize("bad", ["2026-02-30", "02/01/2026", "2026-2-1", "20260102"])
def test_it_refuses_a_bad_date(db, folder, bad):
    edit_line(folder, "projects.csv", 2, "2026-01-02", bad)

    assert refused(folder) == [
        f"projects.csv:2: submitted_on: '{bad}' is not a date: write YYYY-MM-DD (2026-03-31)"
    ]


def test_it_refuses_money_with_a_currency_symbol_or_thousands_separator(db, folder):
    edit_line(folder, "spend.csv", 2, "1993.82", '"$12,000"')

    assert refused(folder) == [
        "spend.csv:2: amount: '$12,000' is not money: write a plain number with at most "
        "2 decimals, no currency symbol or thousands separator (12000.50)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12.345", "'12.345' has more than 2 decimal places"),
        ("0", "0 must be greater than 0"),
        ("-5", "-5 must be greater than 0"),
        ("", "a value is required"),
        (
            "1e3",
            "'1e3' is not money: write a plain number with at most 2 decimals, no currency symbol or thousands separator (12000.50)",
        ),
    ],
)
def test_it_refuses_a_spend_amount_that_is_not_positive_money(db, folder, value, message):
    edit_line(folder, "spend.csv", 2, "1993.82", value)

    assert refused(folder) == [f"spend.csv:2: amount: {message}"]


def test_it_refuses_a_probability_outside_0_and_1(db, folder):
    edit_line(folder, "projects.csv", 3, ",0.01", ",1.5")
    edit_line(folder, "gate_decisions.csv", 3, ",0.37,", ",-0.2,")

    assert refused(folder) == [
        "projects.csv:3: probability_of_success: 1.5 is outside [0, 1]: a probability is from 0 to 1",
        "gate_decisions.csv:3: probability_of_success: -0.2 is outside [0, 1]: a probability is from 0 to 1",
    ]


def test_it_refuses_a_low_projection_above_the_expected_one(db, folder):
    edit_line(folder, "projects.csv", 2, "222000,661000", "700000,661000")

    assert refused(folder) == [
        "projects.csv:2: projected_low: low (700000.00) is above expected (661000.00)"
    ]


def test_it_refuses_an_expected_projection_above_the_high_one(db, folder):
    edit_line(folder, "projects.csv", 2, "1196000.00", "600000")

    assert refused(folder) == [
        "projects.csv:2: projected_high: high (600000.00) is below expected (661000.00)"
    ]


def test_it_refuses_an_unknown_project_key(db, folder):
    line = append(folder, "spend.csv", "RP-9999,2026-01-14,10,compute,")

    assert refused(folder) == [
        f"spend.csv:{line}: project: unknown project key 'RP-9999' (not in projects.csv)"
    ]


def test_it_refuses_a_duplicate_key_ignoring_case(db, folder):
    first = (folder / "projects.csv").read_text(encoding="utf-8").splitlines()[1]
    line = append(folder, "projects.csv", first.replace("RP-0001", "rp-0001"))

    assert refused(folder) == [
        f"projects.csv:{line}: key: duplicate key 'rp-0001' (first on line 2)"
    ]


def test_it_refuses_a_skipped_gate(db, folder):
    # RP-0027 went on from gate 1 (line 61); line 62 is its gate 2 decision.
    edit_line(folder, "gate_decisions.csv", 62, "RP-0027,2,", "RP-0027,3,")

    assert refused(folder) == [
        "gate_decisions.csv:62: gate: out of sequence: the project is waiting at gate 2, not gate 3"
    ]


def test_it_refuses_a_first_decision_past_gate_1(db, folder):
    edit_line(folder, "gate_decisions.csv", 2, "RP-0001,1,", "RP-0001,2,")

    assert refused(folder) == [
        "gate_decisions.csv:2: gate: out of sequence: the project is waiting at gate 1, not gate 2"
    ]


def test_it_refuses_a_decision_after_a_kill(db, folder):
    line = append(folder, "gate_decisions.csv", "RP-0001,1,2026-04-01,go,,pm1@example.com,,")

    assert refused(folder) == [
        f"gate_decisions.csv:{line}: decision: out of sequence: the project was killed: "
        "no decision may follow"
    ]


def test_it_refuses_a_decision_after_the_greenlight(db, folder):
    line = append(folder, "gate_decisions.csv", "RP-0027,4,2025-07-01,go,,pm3@example.com,,")

    assert refused(folder) == [
        f"gate_decisions.csv:{line}: decision: out of sequence: the project is already "
        "greenlit onto the roadmap: no decision may follow"
    ]


def test_it_refuses_a_decision_before_the_submission(db, folder):
    edit_line(folder, "gate_decisions.csv", 2, "2026-03-10", "2025-12-31")

    assert refused(folder) == [
        "gate_decisions.csv:2: decided_on: 2025-12-31 is before the project was submitted "
        "(2026-01-02)"
    ]


def test_it_refuses_spend_before_the_submission(db, folder):
    edit_line(folder, "spend.csv", 2, "2026-01-14", "2025-12-31")

    assert refused(folder) == [
        "spend.csv:2: spent_on: 2025-12-31 is before the project was submitted (2026-01-02)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        (",1,2026", ",5,2026", "gate", "'5' is not one of: 1, 2, 3, 4"),
        (",kill,", ",maybe,", "decision", "'maybe' is not one of: go, kill, hold, recycle"),
        (
            "pm1@example.com",
            "pm1-at-example",
            "decided_by",
            "'pm1-at-example' is not an e-mail address",
        ),
    ],
)
def test_it_refuses_a_bad_gate_decision_or_decider(db, folder, old, new, column, message):
    edit_line(folder, "gate_decisions.csv", 2, old, new)

    assert refused(folder) == [f"gate_decisions.csv:2: {column}: {message}"]


@pytest.mark.parametrize(
    ("old", "new", "column", "message"),
    [
        ("RP-0001,", "RP 0001,", "key", "'RP 0001' is not a key: use 1–32 letters, digits, - or _"),
        (",applied,", ",basic,", "research_type", "'basic' is not one of: applied, science"),
        (
            ",efficiency,",
            ",moonshot,",
            "bucket",
            "'moonshot' is not one of: efficiency, revenue, new_category",
        ),
        (
            ",cost_savings,",
            ",profit,",
            "value_kind",
            "'profit' is not one of: revenue, cost_savings",
        ),
        (
            "researcher10@example.com",
            "researcher10",
            "researcher",
            "'researcher10' is not an e-mail address",
        ),
        ("Vision study #1", "", "title", "a value is required"),
        ("Vision study #1", "x" * 201, "title", "at most 200 characters (this is 201)"),
        (
            ",0.46",
            ",0.123456",
            "probability_of_success",
            "'0.123456' has more than 4 decimal places",
        ),
    ],
)
def test_it_refuses_a_bad_project_value(db, folder, old, new, column, message):
    edit_line(folder, "projects.csv", 2, old, new)

    problems = refused(folder)

    assert problems[0] == f"projects.csv:2: {column}: {message}"
    if column != "key":  # other files still name RP-0001, which stays known
        assert len(problems) == 1


def test_it_refuses_an_overlong_email(db, folder):
    edit_line(folder, "projects.csv", 2, "researcher10@example.com", "r" * 250 + "@example.com")

    assert refused(folder) == [
        "projects.csv:2: researcher: an e-mail address has at most 254 characters"
    ]


def test_it_refuses_a_bad_spend_category(db, folder):
    edit_line(folder, "spend.csv", 2, ",compute,", ",snacks,")

    assert refused(folder) == [
        "spend.csv:2: category: 'snacks' is not one of: people, compute, data, vendor, other"
    ]


def test_it_refuses_an_outcome_for_a_project_not_greenlit(db, folder):
    line = append(folder, "outcomes.csv", "RP-0001,2026-05-01,100")

    assert refused(folder) == [
        f"outcomes.csv:{line}: project: RP-0001 is not greenlit (no go at gate 4): "
        "it cannot have outcomes"
    ]


def test_it_refuses_an_outcome_before_the_greenlight(db, folder):
    line = append(folder, "outcomes.csv", "RP-0027,2025-06-01,100")  # greenlit on 2025-06-04

    assert refused(folder) == [
        f"outcomes.csv:{line}: month: RP-0027 was greenlit on 2025-06-04, after 2025-06-01"
    ]


def test_it_refuses_a_duplicate_outcome_month(db, folder):
    line = append(folder, "outcomes.csv", "RP-0027,2025-08-01,1.00")

    assert refused(folder) == [
        f"outcomes.csv:{line}: month: RP-0027 already has an outcome for 2025-08 (line 2)"
    ]


def test_it_refuses_an_outcome_month_not_on_its_first_day(db, folder):
    edit_line(folder, "outcomes.csv", 2, "2025-08-01", "2025-08-15")

    assert refused(folder) == ["outcomes.csv:2: month: 2025-08-15 is not the first day of a month"]


def test_it_refuses_a_negative_realized_value(db, folder):
    edit_line(folder, "outcomes.csv", 2, "37273.52", "-1")

    assert refused(folder) == ["outcomes.csv:2: realized_value: -1 must not be negative"]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_it_refuses_an_empty_file(db, folder, content):
    (folder / "outcomes.csv").write_bytes(content)

    assert refused(folder) == ["outcomes.csv:1: (file): the file is empty: it needs a header row"]


def test_it_refuses_a_file_that_is_not_utf8(db, folder):
    edit_line(folder, "spend.csv", 3, "contractor, week", "café")
    data = (folder / "spend.csv").read_bytes().replace("café".encode(), "café".encode("latin-1"))
    (folder / "spend.csv").write_bytes(data)

    assert refused(folder) == [
        "spend.csv:3: (file): the file is not UTF-8 (byte 0xe9 at position 39 of this line): "
        "save it as UTF-8"
    ]


def test_it_refuses_a_nul_byte(db, folder):
    edit_line(folder, "spend.csv", 3, "contractor, week", "contractor\x00")

    assert refused(folder) == [
        "spend.csv:3: (file): the file has a NUL byte at position 46 of this line: "
        "it is not a CSV text file"
    ]


def test_it_refuses_a_row_with_the_wrong_number_of_values(db, folder):
    line = append(folder, "spend.csv", "RP-0001,2026-01-14,10,compute,note,extra")

    assert refused(folder) == [f"spend.csv:{line}: (row): 6 values, but the header has 5 columns"]


def test_it_refuses_a_broken_quote(db, folder):
    line = append(folder, "spend.csv", 'RP-0001,2026-01-14,10,compute,"never closed')

    problems = refused(folder)

    assert len(problems) == 1
    assert problems[0].startswith(f"spend.csv:{line}: (file): not valid CSV:")


def test_it_refuses_a_missing_file(db, folder):
    (folder / "outcomes.csv").unlink()

    assert refused(folder) == [
        "outcomes.csv:1: (file): missing: a portfolio is the four files projects.csv, "
        "gate_decisions.csv, spend.csv, outcomes.csv"
    ]


def test_it_lists_every_problem_in_file_and_line_order(db, folder):
    edit_line(folder, "outcomes.csv", 3, "2025-09-01", "2025-09-02")
    edit_line(folder, "spend.csv", 5, "2447.01", "2,447.01")
    set_line(folder, "spend.csv", 5, 'RP-0001,2026-02-21,"2,447.01",vendor,GPU hours')
    edit_line(folder, "projects.csv", 4, "2106000", "2106000.001")
    edit_line(folder, "gate_decisions.csv", 2, ",kill,", ",stop,")

    assert [problem.split(": ")[0] for problem in refused(folder)] == [
        "projects.csv:4",
        "gate_decisions.csv:2",
        "spend.csv:5",
        "outcomes.csv:3",
    ]


def test_it_lists_a_thousand_problems_and_counts_the_rest(db, folder):
    with (folder / "spend.csv").open("a", encoding="utf-8") as handle:
        for _ in range(1200):
            handle.write("RP-0001,2026-01-14,$5,compute,\n")

    problems = refused(folder)

    assert len(problems) == 1001
    assert problems[-1] == "… and 200 more problems not listed"


def test_it_refuses_keys_that_already_exist(db, folder):
    import_ok(folder)
    before = (
        Project.objects.count(),
        SpendEntry.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    )

    with pytest.raises(ImportFailed) as failure:
        command_line_import(folder)

    # One line for the 62 keys, naming the first ones (tests/gates/test_import_existing_keys.py).
    assert failure.value.errors == [
        "projects.csv:2: key: 62 keys already exist (RP-0001 on line 2, RP-0002 on line 3, "
        "RP-0003 on line 4 and 59 more): only a replace overwrites them (a superuser's, on the "
        "import page; --replace on the command line)"
    ]
    assert (
        Project.objects.count(),
        SpendEntry.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    ) == before


# --- Replacing ------------------------------------------------------------------------------------


def test_it_replaces_existing_projects_when_asked(db, folder, sam):
    command_line_import(folder)
    original = Project.objects.get(key="RP-0027")
    edit_line(folder, "projects.csv", 28, original.title, "Renamed")
    rows = (folder / "spend.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [row for row in rows if not row.startswith("RP-0027,")]
    (folder / "spend.csv").write_text("".join(kept), encoding="utf-8")

    summary = import_portfolio(folder, replace=True, actor=sam)

    # The other 61 are in the files as the app holds them: left as they are.
    assert (summary.projects_created, summary.projects_replaced) == (0, 1)
    assert summary.projects_unchanged == 61
    project = Project.objects.get(key="RP-0027")
    assert project.pk == original.pk
    assert project.title == "Renamed"
    assert project.spend_total == 0
    assert not SpendEntry.objects.filter(project=project).exists()
    assert GateDecision.objects.count() == 146
    assert Outcome.objects.count() == 99
    assert check_spend_months() == []
    assert AuditEntry.objects.filter(action="project.replaced", actor=sam).count() == 1


def test_it_reports_a_key_taken_while_it_was_writing(db, folder, monkeypatch):
    from gates.interchange import writing

    original = writing.write_projects

    def racing(*args, **kwargs):
        # A proposal with one of the file's keys is saved just before the import writes.
        from tests.builders import make_project

        make_project(key="RP-0001")
        return original(*args, **kwargs)

    monkeypatch.setattr(writing, "write_projects", racing)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(folder)

    assert failure.value.errors == [
        "projects.csv:1: key: another change saved the same projects while this import was "
        "writing; nothing was imported: try again"
    ]
    assert not Project.objects.exists()


def test_the_command_replaces_with_its_flag(db, folder):
    import_ok(folder)
    edit_line(folder, "projects.csv", 2, "Vision study #1", "Vision study #1 (revised)")

    output = import_ok(folder, "--replace")

    assert "Imported 1 project (1 replaced)" in output
    assert "61 projects unchanged (the files hold exactly what the app has)" in output
    assert Project.objects.get(key="RP-0001").title == "Vision study #1 (revised)"
    assert GateDecision.objects.count() == 146


def test_it_imports_uploaded_files(db, adam):
    files = {name: io.BytesIO((SAMPLE / name).read_bytes()) for name in FILES}

    summary = import_portfolio(files, actor=adam)

    assert summary.projects == 62
    assert SpendEntry.objects.count() == 620


@pytest.mark.postgres
def test_postgresql_copies_spend_and_still_guards_history(db, folder):
    from django.db import connection, transaction
    from django.db.utils import IntegrityError

    import_ok(folder)
    edit_every_project()  # the same files would leave every project as it is
    import_ok(folder, "--replace")  # the trigger lets the import's own rewrite through
    assert ReplacedHistory.objects.count() == 62

    assert SpendEntry.objects.count() == 620
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM gates_gatedecision")


@pytest.mark.postgres
def test_postgresql_import_works_with_debug_cursors(db, adam):
    """DEBUG (or a test capturing queries) wraps cursors; the spend COPY still runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    files = {name: io.BytesIO((SAMPLE / name).read_bytes()) for name in FILES}
    with CaptureQueriesContext(connection):
        summary = import_portfolio(files, actor=adam)

    assert summary.projects == 62
    assert SpendEntry.objects.count() == 620
    assert check_spend_months() == []


# --- Money: at most 9999999999999.99, the largest every database reads back exactly -----------

TOO_LARGE_MONEY = "is more than 9999999999999.99, the largest amount Greenlight keeps (13 digits before the point)"


@pytest.mark.parametrize("value", ["10000000000000", "99999999999999.99", "9999999999999999"])
def test_it_refuses_money_over_the_largest_amount_kept(db, folder, value):
    edit_line(folder, "projects.csv", 2, "1196000.00", value)
    edit_line(folder, "spend.csv", 2, "1993.82", value)

    assert refused(folder) == [
        f"projects.csv:2: projected_high: {value} {TOO_LARGE_MONEY}",
        f"spend.csv:2: amount: {value} {TOO_LARGE_MONEY}",
    ]


def test_it_imports_the_largest_amount_and_reads_it_back_exactly(db, folder):
    edit_line(folder, "projects.csv", 2, "1196000.00", "9999999999999.99")
    import_ok(folder)

    assert Project.objects.get(key="RP-0001").projected_high == Decimal("9999999999999.99")


def test_it_refuses_spend_whose_total_would_be_over_the_largest_amount(db, folder):
    edit_line(folder, "spend.csv", 2, "1993.82", "9999999999999.99")
    rest = sum(
        (
            Decimal(row["amount"])
            for row in sample_rows("spend.csv")[1:]
            if row["project"] == "RP-0001"
        ),
        Decimal(0),
    )

    assert refused(folder) == [
        f"spend.csv:1: amount: RP-0001's spend comes to {Decimal('9999999999999.99') + rest} "
        + TOO_LARGE_MONEY
    ]


def test_it_refuses_funding_whose_total_would_be_over_the_largest_amount(db, folder):
    edit_line(folder, "gate_decisions.csv", 9, "24881.00", "9999999999999.99")

    assert refused(folder) == [
        "gate_decisions.csv:10: funding_granted: the project's funding granted comes to "
        f"10000000228714.19 {TOO_LARGE_MONEY}"
    ]


def test_a_value_the_database_refuses_is_not_reported_as_a_key_taken(db, folder, monkeypatch):
    """The import checks every limit first; should a database rule still refuse a row, the
    problem is said as what it is, not as another change taking a key."""
    from gates.interchange import writing

    original = writing.write_projects

    def over_a_limit(*args, **kwargs):
        written = original(*args, **kwargs)
        Project.objects.filter(key="RP-0001").update(next_stage_ask=Decimal("1e13"))
        return written

    monkeypatch.setattr(writing, "write_projects", over_a_limit)

    with pytest.raises(ImportFailed) as failure:
        command_line_import(folder)

    [problem] = failure.value.errors
    assert "The database refused a value of the projects" in problem
    assert "project_ask_within_limit" in problem and "nothing was imported" in problem
    assert not Project.objects.exists()
