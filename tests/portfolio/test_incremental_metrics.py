"""The dashboard's numbers brought up to date after recorded spend (portfolio/metrics/incremental.py).

Whatever path the numbers take, they must be the numbers a full computation gives: each
test compares with one (the kept numbers forgotten first). On PostgreSQL the spend is
merged into the last numbers; on SQLite every computation is full.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction

from portfolio import versioning
from portfolio.metrics import SECTIONS, calibrated, engine, incremental, scope
from portfolio.metrics.scope import Scope
from portfolio.models import Project, SpendChange, Status
from tests.builders import decide, grant_roles_as_the_files_imply, record_spend
from tests.portfolio.dashboard_sample import import_sample

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 30)
ON_POSTGRESQL = connection.vendor == "postgresql"


def numbers() -> dict:
    return incremental.dashboard(Scope.of(as_of=AS_OF))[0]


def computed_afresh() -> dict:
    incremental.forget()
    return incremental.dashboard(Scope.of(as_of=AS_OF))[0]


def spend(project: Project, day: datetime.date, amount: str = "1234.56") -> None:
    record_spend(project, max(day, project.submitted_on), amount, actor=project.product_manager)


@pytest.fixture
def sample(adam):
    import_sample()
    grant_roles_as_the_files_imply()
    # Projects that can still take spend, submitted well before A.
    projects = Project.objects.exclude(status=Status.KILLED).filter(
        submitted_on__lte=datetime.date(2025, 12, 1)
    )
    return {p.key: p for p in projects.order_by("key")}


def test_spend_recorded_since_is_merged_into_the_last_numbers(sample, full_computations):
    before = numbers()
    open_rows = incremental._kept[AS_OF].rows["open_projects"]
    idle = next(row["key"] for row in open_rows if row["idle"] and row["key"] in sample)
    ordinary = [key for key in sample if key != idle][:4]
    spend(sample[idle], datetime.date(2026, 6, 12))  # recent spend of an idle project
    spend(sample[ordinary[0]], datetime.date(2026, 6, 30))  # A's own month, from the entries
    spend(sample[ordinary[1]], datetime.date(2026, 2, 3), "0.01")  # a month of the rollup
    spend(sample[ordinary[2]], datetime.date(2026, 7, 1))  # after A: in no number as of A
    spend(sample[ordinary[3]], datetime.date(2025, 12, 31), "99999.99")

    after = numbers()

    assert after == computed_afresh()
    assert after["headline"]["cumulative_spend"] != before["headline"]["cumulative_spend"]
    assert after["series"] != before["series"]
    assert idle in {zombie["key"] for zombie in after["zombies"]}
    # On PostgreSQL the spend was merged: the full computations are the first and the one
    # afresh to compare with (5 versions on). On SQLite every computation is full.
    if ON_POSTGRESQL:
        assert full_computations == [full_computations[0], full_computations[0] + 5]
    else:
        assert len(full_computations) == 3


def test_the_page_shows_spend_recorded_since_the_last_refresh(client, erin, sample):
    from tests.portfolio.test_dashboard import page_numbers

    client.force_login(erin)
    shown = page_numbers(client.get("/dashboard/", {"as_of": AS_OF}).content)
    project = next(iter(sample.values()))
    spend(project, AS_OF, "1000.00")

    now = page_numbers(client.get("/dashboard/", {"as_of": AS_OF}).content)

    assert now["headline.cumulative_spend"] == shown["headline.cumulative_spend"] + 1000.0


def test_any_other_change_since_means_a_full_computation(sample, full_computations, bob):
    numbers()
    project = next(p for p in sample.values() if p.status == Status.ACTIVE)
    spend(project, datetime.date(2026, 6, 1))
    decide(project, project.current_gate, "hold", actor=project.product_manager)
    spend(project, datetime.date(2026, 6, 2))

    assert numbers() == computed_afresh()
    assert len(full_computations) == 3  # the first, after the decision, and afresh


def test_spend_in_the_same_transaction_as_another_change_is_computed_in_full(
    sample, full_computations
):
    numbers()
    project = next(p for p in sample.values() if p.status == Status.ACTIVE)
    with transaction.atomic():
        spend(project, datetime.date(2026, 6, 1))
        versioning.bump()  # any audited change without spend of its own

    assert numbers() == computed_afresh()
    assert len(full_computations) == 3


def test_spend_rolled_back_leaves_no_change_to_merge(sample, full_computations):
    numbers()
    project = next(iter(sample.values()))
    with pytest.raises(RuntimeError), transaction.atomic():
        spend(project, datetime.date(2026, 6, 1))
        raise RuntimeError("the request failed after recording spend")
    spend(project, datetime.date(2026, 6, 2), "5.00")

    assert not SpendChange.objects.filter(cents=123456).exists()
    assert numbers() == computed_afresh()
    assert len(full_computations) == (2 if ON_POSTGRESQL else 3)


def test_nothing_changed_gives_the_kept_numbers(sample, full_computations):
    first = numbers()
    assert numbers() is first if ON_POSTGRESQL else numbers() == first
    assert len(full_computations) == (1 if ON_POSTGRESQL else 2)


def test_spend_before_the_series_first_month_is_not_merged():
    kept = {
        "groups": [],
        "series": [{"month_index": 24300, "spend_c": 5, "greenlit": 0, "killed": 0}],
        "open_projects": [],
    }
    read = {"changed_projects": [], "open_projects": [], "data_version": [{"number": 2}]}
    read["changed_projects"] = [
        {"id": 1, "bucket": "core", "status": "active", "closed_gate": None}
    ]
    earlier = {"version": 2, "project_id": 1, "spent_on": "2024-12-31", "cents": 100}
    same = {**earlier, "spent_on": "2025-01-01"}  # month 24300

    assert incremental._merged(kept, read, [earlier], AS_OF) is None
    merged = incremental._merged(kept, read, [same], AS_OF)
    assert merged is None  # no group holds the project: it is not merged either
    kept["groups"] = [
        {
            "bucket": "core",
            "status": "active",
            "closed_gate": None,
            "projects": 1,
            "spend_c": 5,
            "funding_c": 0,
            "expected_c": 0,
        }
    ]
    merged = incremental._merged(kept, read, [same], AS_OF)
    assert merged["series"][0]["spend_c"] == 105 and merged["groups"][0]["spend_c"] == 105


def test_only_the_merged_queries_read_the_spend_tables():
    """A new query over spend must get a merge rule in incremental.py (or numbers go stale)."""
    merged = {query.name for query in incremental.SPEND_QUERIES}
    queries = [query for section in SECTIONS for query in section.queries]
    for query in [*queries, calibrated.RECORDS_QUERY]:
        ctes = engine._in_order(scope.SHARED, [query])
        texts = [query.select, *(cte.sql for cte in ctes)]
        reads_spend = any("{spend}" in text or "{spend_month}" in text for text in texts)
        assert reads_spend == (query.name in merged), query.name


def test_the_refresh_deletes_spend_changes_no_refresh_needs(sample, settings):
    from portfolio import tasks

    project = next(iter(sample.values()))
    spend(project, datetime.date(2026, 6, 1))
    old = SpendChange.objects.get()
    SpendChange.objects.filter(pk=old.pk).update(version=old.version - tasks.KEEP_SPEND_CHANGES)
    spend(project, datetime.date(2026, 6, 2))

    tasks.refresh_metrics.call(version=versioning.current())

    assert list(SpendChange.objects.values_list("cents", flat=True)) == [123456]
    assert SpendChange.objects.get().spent_on == datetime.date(2026, 6, 2)


def test_a_spend_change_is_written_with_its_version(sample):
    project = next(iter(sample.values()))
    spend(project, datetime.date(2026, 6, 1), "12.34")
    change = SpendChange.objects.get()
    assert change.version == versioning.current()
    assert (change.project_id, change.spent_on, change.cents) == (
        project.pk,
        max(datetime.date(2026, 6, 1), project.submitted_on),
        1234,
    )
    assert Decimal(change.cents) / 100 == Decimal("12.34")


def test_emptying_the_cache_drops_the_kept_numbers(sample, full_computations):
    """As after restoring a backup: the data versions start over, the numbers must too."""
    from django.core.cache import cache

    numbers()
    cache.clear()
    numbers()

    assert len(full_computations) == 2


def _panels(as_of: datetime.date = AS_OF) -> str:
    from portfolio.dashboard import views
    from portfolio.dashboard.forms import DashboardFilterForm, product_manager_emails

    form = DashboardFilterForm(
        {"as_of": as_of.isoformat()}, product_managers=product_manager_emails()
    )
    assert form.is_valid(), form.errors
    return views.panels_html(form, versioning.current())


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The templates the dashboard's views render from now on, in order."""
    from portfolio.dashboard import views

    names = []
    real = views.render_to_string
    monkeypatch.setattr(
        views, "render_to_string", lambda name, context: names.append(name) or real(name, context)
    )
    return names


def test_the_panels_after_spend_are_those_rendered_afresh(sample, request):
    """The panels spend does not move are kept, not rendered again; the page is the same."""
    from django.core.cache import cache

    from portfolio.dashboard import views

    _panels()
    rendered = request.getfixturevalue("rendered")  # from here on
    spend(next(iter(sample.values())), datetime.date(2026, 6, 10))
    spend(list(sample.values())[1], datetime.date(2026, 5, 31))

    after = _panels()

    assert rendered == (
        ["portfolio/dashboard.html#panels"]  # the kept panels went in as they were
        if ON_POSTGRESQL
        else [*(f"portfolio/_dashboard_{name}.html" for name in views.PANEL_SECTIONS), rendered[-1]]
    )
    incremental.forget()
    views._kept_panels.clear()
    cache.clear()
    assert after == _panels()


def test_a_panel_is_rendered_again_when_its_sections_are_new(sample, request):
    from portfolio.dashboard import views

    _panels()
    project = next(p for p in sample.values() if p.status == Status.ACTIVE)
    decide(project, project.current_gate, "hold", actor=project.product_manager)
    rendered = request.getfixturevalue("rendered")  # from here on

    _panels()

    assert [name for name in rendered if "_dashboard_" in name] == [
        f"portfolio/_dashboard_{name}.html" for name in views.PANEL_SECTIONS
    ]


@pytest.mark.postgres
def test_the_calibration_records_are_kept_for_the_version_they_were_read_at(sample, monkeypatch):
    """A change committed between the dashboard's statement and keeping its records must not
    find the older records under its own, newer version."""
    from django.core.cache import cache

    from portfolio.dashboard import views

    real = incremental.dashboard

    def then_a_change(checked):
        found = real(checked)
        with transaction.atomic():
            versioning.bump()  # a decision, say, committed by another request meanwhile
        return found

    monkeypatch.setattr(incremental, "dashboard", then_a_change)
    read_at = versioning.current()
    views.dashboard_metrics({"as_of": AS_OF})

    assert cache.get(calibrated._key(AS_OF, read_at)) is not None
    assert cache.get(calibrated._key(AS_OF, read_at + 1)) is None


def test_numbers_are_kept_for_a_few_as_of_dates(sample, full_computations):
    """Someone looking back at another date does not make the refresh of today's compute in full."""
    numbers()
    for day in range(1, incremental.AS_OF_DATES_KEPT + 1):
        incremental.dashboard(Scope.of(as_of=AS_OF - datetime.timedelta(days=day)))
    assert len(incremental._kept) == incremental.AS_OF_DATES_KEPT
    assert AS_OF not in incremental._kept  # the one used longest ago went
    incremental.dashboard(Scope.of(as_of=AS_OF - datetime.timedelta(days=1)))
    project = next(iter(sample.values()))
    spend(project, datetime.date(2026, 6, 1))
    incremental.dashboard(Scope.of(as_of=AS_OF - datetime.timedelta(days=1)))

    # The first date and each date once; the spend was merged on PostgreSQL.
    assert len(full_computations) == (
        1 + incremental.AS_OF_DATES_KEPT if ON_POSTGRESQL else 3 + incremental.AS_OF_DATES_KEPT
    )
