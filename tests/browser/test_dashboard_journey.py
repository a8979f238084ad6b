"""An executive reads the portfolio dashboard in a real browser and narrows it with a filter."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
from django.apps import apps as django_apps

from portfolio import metrics
from tests.browser.expect import expect
from tests.builders import PASSWORD
from tests.portfolio.dashboard_sample import import_sample

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def gates(transactional_db):
    """The four gates, which a data migration seeds and a previous live-server test's flush removed.

    Serialized rollback does not bring them back here (once Playwright's event loop runs,
    Django hands this thread new connection objects, without the saved snapshot), so the
    data migration runs again; it is idempotent.
    """
    migration = importlib.import_module("gates.migrations.0003_default_gates")
    migration.create_gates(django_apps, None)


AS_OF = datetime.date(2026, 6, 30)


def test_an_executive_reads_the_dashboard_and_filters_it(
    page, live_server, login, screenshot, erin
):
    import_sample()
    everything = metrics.compute(as_of=AS_OF)
    revenue = metrics.compute(as_of=AS_OF, bucket="revenue")

    login(page, live_server, erin.email, PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of={AS_OF}")

    expect(page.get_by_role("heading", name="Portfolio dashboard")).to_be_visible()
    expect(page.locator(".tile-key .value")).to_have_text("11.8%")
    expect(page.locator(".tile-key .sub")).to_have_text("6 of 51 decided projects greenlit")
    points = page.locator("svg.headline-chart circle.point")
    expect(points).to_have_count(len(everything["series"]))

    # Hovering a month shows its numbers.
    points.last.hover()
    tooltip = page.locator(".chart-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("2026-06: 11.2M spent; success rate 11.8%")
    page.mouse.move(0, 0)
    screenshot(page, "dashboard")

    # A filter refreshes the panels in place and puts itself in the URL, to be shared.
    page.get_by_label("Strategic bucket", exact=True).select_option("revenue")
    expect(page).to_have_url(re.compile(r"bucket=revenue"))
    expect(page.locator(".dash-scope")).to_contain_text(
        f"{revenue['headline']['projects']} projects"
    )
    expect(points).to_have_count(len(revenue["series"]))
    expect(page.locator(".tile-key .sub")).to_have_text("1 of 23 decided projects greenlit")
    screenshot(page, "dashboard-revenue")

    # Back shows the whole portfolio again, its form included (not the revenue filter
    # over the whole portfolio's panels), and Forward the filter.
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"bucket="))
    expect(page.get_by_label("Strategic bucket", exact=True)).to_have_value("")
    expect(page.locator(".tile-key .value")).to_have_text("11.8%")
    page.go_forward()
    expect(page.get_by_label("Strategic bucket", exact=True)).to_have_value("revenue")
    expect(page.locator(".tile-key .sub")).to_have_text("1 of 23 decided projects greenlit")

    # The shared URL gives the same page, straight from the server.
    shared = page.url
    page.goto(shared)
    expect(page.get_by_label("Strategic bucket", exact=True)).to_have_value("revenue")
    expect(page.locator(".tile-key .value")).to_have_text("4.3%")

    # A bubble opens its project.
    bubble = page.locator("svg.bubble-chart circle.bubble").first
    href = bubble.get_attribute("data-href")
    bubble.click(force=True)
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))


def test_the_dashboard_prints_on_a_landscape_page(page, live_server, login, screenshot, erin):
    import_sample()
    login(page, live_server, erin.email, PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of={AS_OF}")

    page.emulate_media(media="print")

    expect(page.locator(".dash-filters")).to_be_hidden()
    expect(page.locator("svg.headline-chart")).to_be_visible()
    screenshot(page, "dashboard-print")


def test_on_a_phone_each_chart_that_scrolls_is_named_after_its_chart(
    page, live_server, login, erin
):
    import_sample()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, erin.email, PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?as_of={AS_OF}")
    headline = page.locator(".dash-headline .chart-figure")
    expect(headline).to_have_attribute("role", "region")
    # Its section's heading, not the <title> of the first month's point inside the chart.
    expect(headline).to_have_attribute(
        "aria-label", "What the research spend has bought (scrolls sideways)"
    )
    for label in page.locator('.chart-figure[role="region"]').evaluate_all(
        "boxes => boxes.map(box => box.getAttribute('aria-label'))"
    ):
        assert not re.match(r"\d{4}-\d{2}:|[A-Z]+-\d+", label), label
