"""The dashboard's cache: one entry per filter set and data version, never another's numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio import services
from tests.builders import make_project
from tests.portfolio.test_dashboard import page_numbers

URL = reverse("dashboard")
AS_OF = "2026-06-30"


@pytest.fixture
def two_buckets(alice, bob):
    for key, bucket, amount in (("REV-1", "revenue", "1000.00"), ("EFF-1", "efficiency", "30.00")):
        project = make_project(key=key, bucket=bucket, researcher=alice, product_manager=bob)
        services.record_spend(
            project=project,
            actor=alice,
            spent_on=datetime.date(2026, 2, 2),
            amount=Decimal(amount),
            category="people",
        )


def _spend(client, **params) -> float:
    response = client.get(URL, {"as_of": AS_OF, **params})
    assert response.status_code == 200
    return page_numbers(response.content)["headline.cumulative_spend"]


def test_each_filter_gets_its_own_numbers_from_the_cache(client, erin, two_buckets, monkeypatch):
    import portfolio.dashboard.views as views

    calls = []
    real = views.dashboard_metrics  # the dashboard's one computation, filtered or not
    monkeypatch.setattr(views, "dashboard_metrics", lambda f: calls.append(f) or real(f))
    client.force_login(erin)

    assert _spend(client) == 1030.0
    assert _spend(client, bucket="revenue") == 1000.0
    assert _spend(client, bucket="efficiency") == 30.0
    assert _spend(client, bucket="revenue", as_of="2026-01-31") == 0.0
    assert len(calls) == 4
    # Asked again: from the cache, and still each its own.
    assert _spend(client, bucket="efficiency") == 30.0
    assert _spend(client) == 1030.0
    assert len(calls) == 4


def test_the_htmx_swap_and_the_page_share_an_entry_but_not_the_response(client, erin, two_buckets):
    client.force_login(erin)
    page = client.get(URL, {"as_of": AS_OF, "bucket": "revenue"})
    swap = client.get(URL, {"as_of": AS_OF, "bucket": "revenue"}, headers={"HX-Request": "true"})
    assert page_numbers(swap.content)["headline.cumulative_spend"] == 1000.0
    assert "<html" in page.content.decode() and "<html" not in swap.content.decode()
    assert "HX-Request" in page.headers["Vary"] and "HX-Request" in swap.headers["Vary"]


@pytest.mark.django_db
def test_the_whole_portfolios_dashboard_brings_the_calibration_records_with_it(monkeypatch):
    """Over every project, the risk chart's calibration records come from the dashboard's
    own statement and are kept; with a filter, they are still the whole portfolio's."""
    from django.core.cache import cache

    from portfolio.dashboard.views import dashboard_metrics
    from portfolio.metrics import DASHBOARD, calibrated, compute
    from tests.portfolio.dashboard_sample import import_sample

    import_sample()
    as_of = datetime.date(2026, 6, 30)
    whole = calibrated.load_records(as_of)
    assert any(record.forecasts for record in whole.values())  # the sample has a record
    load_records = calibrated.load_records

    cache.clear()
    numbers = dashboard_metrics({"as_of": as_of, "bucket": None, "product_manager": ""})
    monkeypatch.setattr(calibrated, "load_records", lambda day: pytest.fail("read again"))
    assert numbers == compute(as_of=as_of, sections=DASHBOARD)
    assert calibrated.records(as_of) == whole

    cache.clear()
    loads = []
    monkeypatch.setattr(
        calibrated, "load_records", lambda day: loads.append(day) or load_records(day)
    )
    filtered = dashboard_metrics({"as_of": as_of, "bucket": "revenue"})
    assert filtered == compute(as_of=as_of, bucket="revenue", sections=DASHBOARD)
    assert calibrated.records(as_of) == whole
    assert loads == [as_of]  # a filtered view keeps no records: they are read on their own
