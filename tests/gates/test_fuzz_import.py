"""The portfolio importer, fed broken files: it imports them or says what is wrong, writing nothing.

Hypothesis starts from a small valid portfolio and breaks it: random cells
(NUL, quotes, newlines, huge, unicode, numbers and dates out of range), rows of
the wrong length, wrong, missing, repeated or reordered headers, other
encodings, random bytes, truncated files, missing files. Whatever comes,
``import_portfolio`` either succeeds (and the rollups add up) or raises
ImportFailed whose every line reads ``FILE:LINE: column: message``; no other
exception, and nothing written on failure. The import page gets the same.
"""

from __future__ import annotations

import csv
import io
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gates.interchange import (
    DECISIONS,
    FILES,
    OUTCOMES,
    PROJECTS,
    SPEND,
    ImportFailed,
    import_portfolio,
)
from gates.models import CriterionScore, GateDecision
from portfolio.models import AuditEntry, Outcome, Project, SpendEntry, SpendMonth, User
from portfolio.rollups import check_spend_months
from tests.builders import make_project

EXAMPLES = int(os.environ.get("GREENLIGHT_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES * 5,  # no HTTP here: many examples stay quick
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ_PAGE = settings(FUZZ, max_examples=EXAMPLES)

BASE = {
    PROJECTS: [
        [
            "key",
            "title",
            "research_type",
            "bucket",
            "researcher",
            "product_manager",
            "submitted_on",
            "value_kind",
            "projected_low",
            "projected_expected",
            "projected_high",
            "probability_of_success",
        ],
        [
            "FZ-1",
            "Triage model",
            "applied",
            "efficiency",
            "res1@example.com",
            "pm1@example.com",
            "2025-01-06",
            "cost_savings",
            "100",
            "200",
            "300",
            "0.4",
        ],
        [
            "FZ-2",
            "Churn, predicted",
            "science",
            "revenue",
            "res2@example.com",
            "pm1@example.com",
            "2025-02-03",
            "revenue",
            "0",
            "50.5",
            "99.99",
            "1",
        ],
        [
            "EXIST-1",
            "Replaces the one in the database",
            "applied",
            "new_category",
            "alice@example.com",
            "bob@example.com",
            "2025-03-03",
            "revenue",
            "1",
            "2",
            "3",
            "0",
        ],
    ],
    DECISIONS: [
        [
            "project",
            "gate",
            "decided_on",
            "decision",
            "funding_granted",
            "decided_by",
            "probability_of_success",
            "rationale",
        ],
        ["FZ-1", "1", "2025-01-10", "go", "1000", "pm1@example.com", "0.5", ""],
        ["FZ-1", "2", "2025-02-10", "go", "2000", "pm1@example.com", "", 'Good, "really"'],
        ["FZ-1", "3", "2025-03-10", "go", "0", "exec@example.com", "0.6", ""],
        ["FZ-1", "4", "2025-04-10", "go", "500.25", "pm1@example.com", "0.7", "Ship it"],
        ["FZ-2", "1", "2025-02-10", "hold", "", "pm1@example.com", "", "Waiting for data"],
    ],
    SPEND: [
        ["project", "spent_on", "amount", "category", "note"],
        ["FZ-1", "2025-01-20", "100.50", "compute", "GPU"],
        ["FZ-1", "2025-02-01", "2000", "people", "contractor, week\nand a half"],
        ["FZ-2", "2025-02-05", "0.01", "data", ""],
        ["EXIST-1", "2025-03-31", "7", "vendor", ""],
    ],
    OUTCOMES: [
        ["project", "month", "realized_value"],
        ["FZ-1", "2025-05-01", "1000"],
        ["FZ-1", "2025-06-01", "0"],
    ],
}

CELL_NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "FZ-1\x00",
    '"',
    '""',
    'a"b',
    "a,b",
    "\n",
    "\r",
    "a\r\nb",
    "\t",
    "\ufeff",
    "=1+1",
    "💥",
    "É",
    "FZ-1",
    "fz-1",
    "FZ-2",
    "EXIST-1",
    "exist-1",
    "x" * 33,
    "x" * 201,
    "alice@example.com",
    "ALICE@example.com",
    "bob@example.com",
    "not-an-email",
    "a@b",
    "1",
    "2",
    "3",
    "4",
    "5",
    "0",
    "-1",
    "-0",
    "1.234",
    "0.00001",
    "1e3",
    "1E-2",
    "NaN",
    "Infinity",
    "99999999999999.99",
    "100000000000000",
    "9" * 40,
    ".5",
    "5.",
    "+1",
    "1,000",
    "$5",
    "2025-02-30",
    "2025-13-01",
    "2025-06-01",
    "2025-04-10",
    "2024-12-31",
    "9999-12-31",
    "0001-01-01",
    "20250101",
    "2025-1-1",
    "go",
    "kill",
    "hold",
    "recycle",
    "GO",
    "applied",
    "science",
    "efficiency",
    "revenue",
    "new_category",
    "cost_savings",
    "people",
    "compute",
]
CELL = st.one_of(
    st.sampled_from(CELL_NASTY),
    st.text(max_size=20),
    st.builds("{}\x00{}".format, st.text(max_size=5), st.text(max_size=5)),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda d: d.isoformat()),
)
HUGE = st.integers(1000, 300_000).map(lambda n: "x" * n)  # beyond csv's field size limit


def _serialize(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def portfolios(draw) -> dict[str, bytes | None]:
    """The base portfolio with up to four things changed in its rows, then perhaps its bytes."""
    tables = {name: [list(row) for row in rows] for name, rows in BASE.items()}
    for _ in range(draw(st.integers(0, 4))):
        rows = tables[draw(st.sampled_from(FILES))]
        width = len(rows[0])
        kind = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "huge", "row", "drop", "copy", "rename", "remove", "swap"]
            )
        )
        data_rows = range(1, len(rows))
        if kind in ("cell", "huge") and data_rows:
            row = rows[draw(st.sampled_from(data_rows))]
            if row:
                row[draw(st.integers(0, len(row) - 1))] = draw(HUGE if kind == "huge" else CELL)
        elif kind == "row":
            rows.append(draw(st.lists(CELL, min_size=0, max_size=width + 2)))
        elif kind == "drop" and data_rows:
            del rows[draw(st.sampled_from(data_rows))]
        elif kind == "copy" and data_rows:
            rows.append(list(rows[draw(st.sampled_from(data_rows))]))
        elif kind == "rename" and width:
            rows[0][draw(st.integers(0, width - 1))] = draw(CELL)
        elif kind == "remove" and width:
            column = draw(st.integers(0, width - 1))
            for row in rows:
                if column < len(row):
                    del row[column]
        elif kind == "swap" and width > 1:  # columns in another order: still valid
            a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
            for row in rows:
                if max(a, b) < len(row):
                    row[a], row[b] = row[b], row[a]
    files: dict[str, bytes | None] = {name: _serialize(rows) for name, rows in tables.items()}

    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(FILES))
        content = files[name]
        if content is None:
            continue
        kind = draw(
            st.sampled_from(
                ["bytes", "encoding", "truncate", "quote", "missing", "empty", "crlf", "bom"]
            )
        )
        if kind == "bytes":
            files[name] = draw(st.binary(max_size=500))
        elif kind == "encoding":
            codec = draw(st.sampled_from(["latin-1", "utf-16", "utf-16-le", "cp1252", "utf-32"]))
            files[name] = content.decode("utf-8", "replace").encode(codec, errors="replace")
        elif kind == "truncate":
            files[name] = content[: draw(st.integers(0, len(content)))]
        elif kind == "quote":
            at = draw(st.integers(0, len(content)))
            files[name] = content[:at] + b'"' + content[at:]
        elif kind == "missing":
            files[name] = None
        elif kind == "empty":
            files[name] = b""
        elif kind == "crlf":
            files[name] = content.replace(b"\n", b"\r\n")
        elif kind == "bom":
            files[name] = b"\xef\xbb\xbf" + content
    return files


OPTIONAL = {
    DECISIONS: ["funding_granted", "probability_of_success", "rationale"],
    SPEND: ["note"],
}


@st.composite
def harmless_portfolios(draw) -> dict[str, bytes]:
    """The base portfolio changed in ways the format allows: it must import."""
    tables = {name: [list(row) for row in rows] for name, rows in BASE.items()}
    for _ in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(FILES))
        rows = tables[name]
        kind = draw(st.sampled_from(["swap", "drop optional", "copy spend", "drop spend"]))
        if kind == "swap":  # columns in any order
            a, b = draw(st.integers(0, len(rows[0]) - 1)), draw(st.integers(0, len(rows[0]) - 1))
            for row in rows:
                row[a], row[b] = row[b], row[a]
        elif kind == "drop optional" and name in OPTIONAL:
            present = [c for c in OPTIONAL[name] if c in rows[0]]
            if present:
                column = rows[0].index(draw(st.sampled_from(present)))
                for row in rows:
                    del row[column]
        elif kind == "copy spend" and len(tables[SPEND]) > 1:
            spend = tables[SPEND]
            spend.append(list(spend[draw(st.integers(1, len(spend) - 1))]))
        elif kind == "drop spend" and len(tables[SPEND]) > 1:
            del tables[SPEND][draw(st.integers(1, len(tables[SPEND]) - 1))]
    files = {name: _serialize(rows) for name, rows in tables.items()}
    for name in draw(st.lists(st.sampled_from(FILES), max_size=4, unique=True)):
        if draw(st.booleans()):
            files[name] = files[name].replace(b"\n", b"\r\n")
        else:
            files[name] = b"\xef\xbb\xbf" + files[name]
    return files


# --- Checks ----------------------------------------------------------------------------------

PROBLEM = re.compile(r"(projects|gate_decisions|spend|outcomes)\.csv:\d+: .+?: .", re.DOTALL)
FIXED_LINES = ("The files changed while they were imported.",)
MORE = re.compile(r"… and [0-9][0-9,]* more problems not listed")


def _counts() -> tuple:
    models = (Project, User, GateDecision, CriterionScore, SpendEntry, SpendMonth, Outcome)
    return (
        *(model.objects.count() for model in models),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    )


def _assert_problems_are_readable(errors: list[str]) -> None:
    assert errors, "a refusal lists at least one problem"
    for line in errors:
        assert PROBLEM.match(line) or line in FIXED_LINES or MORE.fullmatch(line), repr(line)


def _assert_consistent() -> None:
    """After a successful import: each project's running totals match its history."""
    assert check_spend_months() == []
    for project in Project.objects.submitted():
        spent = project.spend_entries.aggregate(total=Sum("amount"))["total"] or 0
        granted = project.decisions.aggregate(total=Sum("funding_granted"))["total"] or 0
        assert project.spend_total == spent, project.key
        assert project.funding_granted_total == granted, project.key
        assert project.decisions_count == project.decisions.count(), project.key


@pytest.fixture
def existing(alice, bob, sam):
    """Someone and a project already in the database, for the replace path."""
    return make_project(key="EXIST-1", researcher=alice, product_manager=bob)


def _import(streams, *, replace: bool):
    """As the superuser, who may replace (the base portfolio replaces EXIST-1)."""
    return import_portfolio(streams, replace=replace, actor=User.objects.get(is_superuser=True))


def _streams(files: dict[str, bytes | None]) -> dict[str, io.BytesIO | None]:
    return {
        name: None if content is None else io.BytesIO(content) for name, content in files.items()
    }


def test_the_base_portfolio_imports(existing):
    summary = _import(_streams(_serialize_base()), replace=True)

    assert summary.projects_created == 2 and summary.projects_replaced == 1
    assert summary.decisions == 5 and summary.spend_entries == 4 and summary.outcomes == 2
    _assert_consistent()


def _serialize_base() -> dict[str, bytes | None]:
    return {name: _serialize(rows) for name, rows in BASE.items()}


REPLACE = st.sampled_from([True, True, False])  # the base replaces EXIST-1: mostly allowed


@FUZZ
@given(files=portfolios(), replace=REPLACE)
def test_the_importer_takes_any_files_and_writes_all_or_nothing(existing, files, replace):
    with transaction.atomic():
        before = _counts()
        try:
            _import(_streams(files), replace=replace)
        except ImportFailed as failed:
            event("refused")  # --hypothesis-show-statistics: how often each way
            _assert_problems_are_readable(failed.errors)
            assert _counts() == before, "a refused import wrote something"
        else:
            event("imported")
            _assert_consistent()
        transaction.set_rollback(True)


@FUZZ_PAGE
@given(files=harmless_portfolios())
def test_the_importer_takes_what_the_format_allows(existing, files):
    """Columns in any order, optional columns left out, CRLF, a BOM: all imported, totals exact."""
    with transaction.atomic():
        summary = _import(_streams(files), replace=True)
        assert summary.projects == 3
        _assert_consistent()
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    "cell",
    [(PROJECTS, 1, 1), (PROJECTS, 1, 0), (DECISIONS, 2, 7), (SPEND, 1, 4), (OUTCOMES, 1, 0)],
)
def test_a_nul_in_a_cell_is_refused_by_line(existing, cell):
    """PostgreSQL cannot store a NUL: the importer says where it is instead of failing there."""
    name, row, index = cell
    tables = {n: [list(r) for r in rows] for n, rows in BASE.items()}
    tables[name][row][index] += "\x00"
    files = {n: _serialize(rows) for n, rows in tables.items()}

    with pytest.raises(ImportFailed) as failed:
        _import(_streams(files), replace=True)

    assert failed.value.errors[0].startswith(f"{name}:{row + 1}: (file): the file has a NUL byte")
    assert not Project.objects.filter(key="FZ-1").exists()


def test_a_utf16_file_is_refused(existing):
    files = _serialize_base()
    files[PROJECTS] = files[PROJECTS].decode().encode("utf-16-le")

    with pytest.raises(ImportFailed) as failed:
        _import(_streams(files), replace=True)

    assert failed.value.errors[0].startswith("projects.csv:1: (file): the file has a NUL byte")


# --- The import page ---------------------------------------------------------------------------

UPLOAD_FIELDS = {
    "projects": PROJECTS,
    "gate_decisions": DECISIONS,
    "spend": SPEND,
    "outcomes": OUTCOMES,
}


@FUZZ_PAGE
@given(files=portfolios(), replace=REPLACE)
def test_the_import_page_takes_any_files(client, sam, existing, files, replace):
    client.force_login(sam)
    uploads = {
        field: SimpleUploadedFile(name, files[name], content_type="text/csv")
        for field, name in UPLOAD_FIELDS.items()
        if files[name] is not None
    }
    if replace:
        uploads["replace"] = "on"
    with transaction.atomic():
        before = _counts()
        response = client.post(reverse("portfolio_import"), uploads)
        after = _counts()
        transaction.set_rollback(True)

    assert response.status_code in (200, 302, 400)
    if response.status_code == 200:  # replacing: first the list of what would be replaced
        assert after == before
        assert "What the files would replace" in response.content.decode()
    if response.status_code == 400:
        assert after == before
        html = response.content.decode()
        assert "Nothing was imported" in html or "The files were not imported" in html
