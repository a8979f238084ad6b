"""Spend in the as-of date's own month: counted up to A, not after.

The engine reads spend by month from the monthly rollup, A's month included, and takes off
the entries dated after A in A's month. Spend by project as of a past date comes from the
rollup the same way; as of today (or later) from each project's total less its entries
after A. These pin what a reader sees on either side of A, by both ways.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio import metrics
from portfolio.metrics import Scope
from tests.builders import make_empty_draft, make_project
from tests.portfolio.test_metrics_dashboard import spend

D = datetime.date
A = D(2025, 10, 15)


@pytest.fixture(params=["rollup", "totals"])
def spent(request, alice, bob, monkeypatch):
    """Spend before A's month, in it before, on and after A, and in the month after."""
    early = make_project(key="EARLY", submitted_on=D(2025, 8, 1), bucket="efficiency")
    spend(early, D(2025, 9, 10), "100.00")
    spend(early, D(2025, 10, 3), "20.00")
    spend(early, D(2025, 10, 15), "0.25")  # on A itself
    spend(early, D(2025, 10, 16), "999.00")  # after A
    spend(early, D(2025, 10, 31), "1.00")  # the month's last day
    spend(early, D(2025, 11, 2), "5.00")  # the next month
    # Its only spend is after A, in A's month.
    late = make_project(key="LATE", submitted_on=D(2025, 8, 1), bucket="revenue")
    spend(late, D(2025, 10, 20), "50.00")
    if request.param == "totals":
        # As if today were the earliest date asked: every A is "today or later", and spend by
        # project comes from the projects' totals (portfolio/metrics/scope.py).
        monkeypatch.setattr(timezone, "localdate", lambda *args: D(2025, 9, 1))
    return early, late


def numbers(as_of: D, **filters) -> dict:
    return metrics.compute_for(
        Scope.of(as_of=as_of, **filters), ("headline", "series", "buckets", "risk")
    )


def series(found: dict) -> dict[str, Decimal]:
    return {row["month"]: Decimal(str(row["cumulative_spend"])) for row in found["series"]}


def spend_of(found: dict) -> dict[str, Decimal]:
    return {row["key"]: row["spend_to_date"] for row in found["risk"]}


def test_spend_after_a_in_as_month_is_not_counted(spent):
    found = numbers(A)
    assert Decimal(str(found["headline"]["cumulative_spend"])) == Decimal("120.25")
    assert series(found) == {
        "2025-08": 0,
        "2025-09": Decimal("100.00"),
        "2025-10": Decimal("120.25"),
    }
    assert spend_of(found) == {"EARLY": Decimal("120.25"), "LATE": Decimal("0")}
    by_bucket = {row["bucket"]: row["cumulative_spend"] for row in found["buckets"]}
    assert Decimal(str(by_bucket["efficiency"])) == Decimal("120.25")
    assert Decimal(str(by_bucket["revenue"])) == 0


def test_on_the_months_last_day_all_of_it_counts(spent):
    found = numbers(D(2025, 10, 31))
    assert Decimal(str(found["headline"]["cumulative_spend"])) == Decimal("1170.25")
    assert series(found)["2025-10"] == Decimal("1170.25")
    assert spend_of(found) == {"EARLY": Decimal("1120.25"), "LATE": Decimal("50.00")}


def test_before_the_month_none_of_it_counts(spent):
    found = numbers(D(2025, 9, 30))
    assert Decimal(str(found["headline"]["cumulative_spend"])) == Decimal("100.00")
    assert series(found) == {"2025-08": 0, "2025-09": Decimal("100.00")}


def test_a_filter_takes_off_only_its_own_projects_spend(spent):
    found = numbers(A, bucket="revenue")
    assert Decimal(str(found["headline"]["cumulative_spend"])) == 0
    assert series(found) == {"2025-08": 0, "2025-09": 0, "2025-10": 0}
    found = numbers(A, bucket="efficiency")
    assert series(found)["2025-10"] == Decimal("120.25")


def test_the_projects_totals_are_what_they_take_spend_after_a_from(spent):
    """The totals hold every entry, after A too: as of today the engine takes those off."""
    early, late = spent
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.spend_total, late.spend_total) == (Decimal("1125.25"), Decimal("50.00"))
    found = numbers(A)
    assert spend_of(found) == {"EARLY": Decimal("120.25"), "LATE": Decimal("0")}


def test_spend_of_projects_outside_the_scope_is_in_no_month(spent):
    """Over every project, spend by month is the rollup's less the projects outside the scope
    (portfolio/metrics/scope.py): a draft's spend, and spend of a project submitted after A,
    neither count nor start the series earlier; a filter reads the scope's rows (the same)."""
    draft = make_empty_draft(key="DRAFT")
    spend(draft, D(2025, 6, 5), "7000.00")
    later = make_project(key="LATER", submitted_on=D(2025, 11, 1), bucket="efficiency")
    spend(later, D(2025, 7, 5), "300.00")
    spend(later, D(2025, 9, 5), "40.00")

    found = numbers(A)
    assert series(found) == {
        "2025-08": 0,
        "2025-09": Decimal("100.00"),
        "2025-10": Decimal("120.25"),
    }
    assert Decimal(str(found["headline"]["cumulative_spend"])) == Decimal("120.25")
    assert series(numbers(A, bucket="efficiency")) == series(found)
    # Submitted by the later date, its spend counts, from its first month.
    assert series(numbers(D(2025, 11, 30)))["2025-07"] == Decimal("300.00")
