"""The numbers over the whole portfolio read by two statements side by side (PostgreSQL).

Outside a transaction the engine runs the queries that read the spend tables on this
thread's connection and the others on a helper thread's, both in one snapshot
(portfolio/metrics/side_by_side.py). The answer must be the one statement's, to the cent,
whatever happens on the helper's side.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction

from portfolio import metrics, versioning
from portfolio.metrics import engine, incremental, side_by_side
from portfolio.metrics.scope import Scope
from portfolio.models import Project, Status
from tests import builders
from tests.portfolio.dashboard_sample import EXPECTED, expected, import_sample, metrics_md

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AS_OF = datetime.date(2026, 6, 30)


@pytest.fixture
def sample():
    import_sample()
    yield
    side_by_side.stop()


@pytest.fixture
def statements(monkeypatch):
    """Each call of side_by_side.first_values: how many statements it was given."""
    calls: list[int] = []
    real = side_by_side.first_values

    def counted(given, *args, **kwargs):
        calls.append(len(given))
        return real(given, *args, **kwargs)

    monkeypatch.setattr(side_by_side, "first_values", counted)
    return calls


def _note_helper_backends(monkeypatch, *, calling_thread_waits: bool) -> list[int]:
    """The server process each statement the helper ran was run by.

    With ``calling_thread_waits``, the calling thread's half waits (at most 10 s) until the
    helper has started its own: on a busy machine the calling thread could finish first
    and, finding the helper's half not started, run it itself (the fallback), which is
    right but not what a test of the helper looks at."""
    backends: list[int] = []
    real = side_by_side._first_value
    helper_started = threading.Event()

    def noted(cursor, sql, params):
        if threading.current_thread().name.startswith("greenlight-metrics"):
            helper_started.set()
            cursor.execute("SELECT pg_backend_pid()")
            backends.append(cursor.fetchone()[0])
        elif calling_thread_waits:
            helper_started.wait(10)
        return real(cursor, sql, params)

    monkeypatch.setattr(side_by_side, "_first_value", noted)
    return backends


@pytest.fixture
def helper_backends(monkeypatch):
    return _note_helper_backends(monkeypatch, calling_thread_waits=False)


@pytest.fixture
def helper_backends_once_started(monkeypatch):
    return _note_helper_backends(monkeypatch, calling_thread_waits=True)


def one_statement(**filters) -> dict:
    with transaction.atomic():  # inside a transaction: one statement, as before
        return metrics.compute(**filters)


@pytest.mark.parametrize("filename", list(EXPECTED))
def test_side_by_side_gives_the_expected_numbers(
    sample, statements, helper_backends_once_started, filename
):
    helper_backends = helper_backends_once_started
    filters = EXPECTED[filename]
    found = metrics.compute(
        **{k: datetime.date.fromisoformat(v) if k == "as_of" else v for k, v in filters.items()}
    )

    assert metrics_md(found) == expected(filename)
    assert statements == [2], "the spend queries and the others, side by side"
    assert len(helper_backends) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert helper_backends[0] != cursor.fetchone()[0], "on another connection"


def test_every_dashboard_section_equals_one_statement(sample, statements):
    checked = Scope.of(as_of=AS_OF)
    found, rows = metrics.compute_with(checked, metrics.DASHBOARD)
    with transaction.atomic():
        alone, alone_rows = metrics.compute_with(checked, metrics.DASHBOARD)

    assert statements == [2]
    assert found == alone
    assert rows == alone_rows


def test_both_halves_read_one_snapshot(sample, monkeypatch, settings):
    """A change committed after the first half began is in neither half: the data version
    read with the numbers is the one before it, and the numbers are those of before."""
    settings.METRICS_REFRESH = False
    spent_on = Project.objects.filter(status=Status.ACTIVE, submitted_on__lte=AS_OF).first()
    before_version = versioning.current()
    before = one_statement(as_of=AS_OF)
    real = side_by_side._in_snapshot

    def change_first(snapshot, sql, params):
        # On the helper's thread, before its half: spend committed while the first half's
        # transaction is open.
        builders.record_spend(spent_on, AS_OF, "1000000.00", actor=spent_on.product_manager)
        return real(snapshot, sql, params)

    monkeypatch.setattr(side_by_side, "_in_snapshot", change_first)
    checked = Scope.of(as_of=AS_OF)
    found, rows = metrics.compute_with(checked, metrics.SPEC, (incremental.DATA_VERSION_QUERY,))

    assert incremental.version_of(rows) == before_version
    assert found == before
    assert versioning.current() > before_version
    assert one_statement(as_of=AS_OF) != before, "the change did move the numbers"


def test_a_failing_helper_leaves_the_numbers_to_this_thread(sample, monkeypatch, caplog):
    def broken(snapshot, sql, params):
        raise ConnectionError("the helper's connection was lost")

    monkeypatch.setattr(side_by_side, "_in_snapshot", broken)
    found = metrics.compute(as_of=AS_OF)

    assert metrics_md(found) == expected("metrics-2026-06-30.json")
    assert "failed on the helper's connection" in caplog.text


def test_a_busy_helper_leaves_its_half_to_this_thread(sample, helper_backends):
    """Another caller's half on the helper: this caller does not queue behind it."""
    busy, release = threading.Event(), threading.Event()

    def occupy():
        busy.set()
        release.wait(30)

    occupied = side_by_side._the_helper().submit(occupy)
    busy.wait(30)
    try:
        found = metrics.compute(as_of=AS_OF)
    finally:
        release.set()
        occupied.result(30)

    assert metrics_md(found) == expected("metrics-2026-06-30.json")
    assert helper_backends == [], "both halves ran here"


def test_inside_a_transaction_one_statement_sees_what_it_wrote(sample, statements, settings):
    settings.METRICS_REFRESH = False
    spent_on = Project.objects.filter(status=Status.ACTIVE, submitted_on__lte=AS_OF).first()
    with transaction.atomic():
        builders.record_spend(spent_on, AS_OF, "500.00", actor=spent_on.product_manager)
        found = metrics.compute(as_of=AS_OF)
    assert statements == []
    assert metrics_md(found) != expected("metrics-2026-06-30.json")


def test_a_few_projects_are_read_in_one_statement(sample, statements):
    restricted = Scope(as_of=AS_OF, projects=(1, 2))
    queries = [query for section in metrics.SECTIONS for query in section.queries]
    engine.fetch(restricted, metrics.scope.SHARED, queries, metrics.scope.fragments(restricted))
    assert statements == []


def test_switched_off_by_the_setting(sample, statements, settings):
    settings.METRICS_SIDE_BY_SIDE = False
    assert metrics_md(metrics.compute(as_of=AS_OF)) == expected("metrics-2026-06-30.json")
    assert statements == []


def test_callers_at_once_share_the_helper_and_get_the_same_numbers(sample):
    """Four threads (as a threaded server's requests) compute at once: one helper serves
    them in turn, and a caller whose half it has not started runs the half itself."""
    answers: list[dict] = []
    failures: list[Exception] = []
    barrier = threading.Barrier(4)

    def compute() -> None:
        try:
            barrier.wait(30)
            answers.append(metrics.compute(as_of=AS_OF))
        except Exception as error:  # collected and asserted on below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=compute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not failures
    assert len(answers) == 4
    assert all(metrics_md(answer) == expected("metrics-2026-06-30.json") for answer in answers)


def test_the_first_statement_s_sections_are_assembled_while_the_other_still_runs(
    sample, monkeypatch
):
    """The sections read from the first statement alone (the risk list among them) are made
    while the helper's statement is still running, not after it: the helper's statement here
    waits (at most 10 s) for the risk list before it is read. Same numbers either way."""
    risk_assembled = threading.Event()
    events: list[str] = []
    real_first_value = side_by_side._first_value

    def helper_waits(cursor, sql, params):
        if threading.current_thread().name.startswith("greenlight-metrics"):
            risk_assembled.wait(10)
            events.append("second statement read")
        return real_first_value(cursor, sql, params)

    risk = next(section for section in metrics.SECTIONS if section.name == "risk")
    real_assemble = risk.assemble

    def noted(rows, scope):
        events.append("risk assembled")
        risk_assembled.set()
        return real_assemble(rows, scope)

    monkeypatch.setattr(side_by_side, "_first_value", helper_waits)
    object.__setattr__(risk, "assemble", noted)  # a frozen dataclass
    try:
        checked = Scope.of(as_of=AS_OF)
        found, _ = metrics.compute_with(checked, metrics.DASHBOARD)
    finally:
        object.__setattr__(risk, "assemble", real_assemble)

    assert events == ["risk assembled", "second statement read"]
    with transaction.atomic():
        assert found == metrics.compute_with(checked, metrics.DASHBOARD)[0]
