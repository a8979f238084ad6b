"""The project list in a real browser: a shared URL, filters and sorting swapped in by htmx."""

from __future__ import annotations

import datetime
import importlib
import re
from decimal import Decimal

import pytest

from portfolio import services
from portfolio.models import Status
from tests.browser.expect import expect
from tests.builders import PASSWORD, decide, make_project

# Live-server tests commit for real; the database is flushed after each (roles and the
# default gates come back through post_migrate).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gates():
    """The four default gates, seeded again if an earlier live-server test flushed them."""
    from django.apps import apps

    seed = importlib.import_module("gates.migrations.0003_default_gates")
    seed.create_gates(apps, None)


def _portfolio(alice, rita, bob, pete):
    wide = {"projected_low": Decimal(0), "projected_high": Decimal(5_000_000)}
    rows = [
        ("REV-A", "Upsell recommender", "revenue", Status.ACTIVE, bob, 900_000),
        ("REV-B", "Dynamic pricing", "revenue", Status.ACTIVE, pete, 2_400_000),
        ("REV-C", "Renewal nudges", "revenue", Status.ON_HOLD, bob, 300_000),
        ("REV-D", "Bundle finder", "revenue", Status.ACTIVE, bob, 1_200_000),
        ("EFF-A", "Invoice triage", "efficiency", Status.ACTIVE, bob, 500_000),
        ("NEW-A", "Voice assistant", "new_category", Status.ACTIVE, pete, 4_000_000),
    ]
    projects = {}
    for n, (key, title, bucket, status, pm, expected) in enumerate(rows):
        projects[key] = make_project(
            key=key,
            title=title,
            bucket=bucket,
            status=status,
            researcher=alice if n % 2 else rita,
            product_manager=pm,
            projected_expected=Decimal(expected),
            **wide,
        )
    make_project(key="REV-DRAFT", bucket="revenue", researcher=rita, status=Status.DRAFT)
    return projects


def _rows(page) -> list[str]:
    return page.locator("#project-table tbody tr td:first-child").all_inner_texts()


def test_the_project_list_filters_sorts_and_keeps_the_url(
    page, live_server, login, screenshot, gates, alice, rita, bob, pete
):
    projects = _portfolio(alice, rita, bob, pete)
    login(page, live_server, alice.email, PASSWORD)

    # A shared URL opens the filtered list as it was shared.
    page.goto(f"{live_server.url}/projects/?bucket=revenue&status=active")
    assert _rows(page) == ["REV-A", "REV-B", "REV-D"]
    expect(page.get_by_label("Bucket")).to_have_value("revenue")
    expect(page.get_by_role("checkbox", name="Active")).to_be_checked()
    expect(page.get_by_role("checkbox", name="On hold")).not_to_be_checked()
    expect(page.get_by_text("3 projects")).to_be_visible()

    # Changing a filter swaps the table in place (no reload) and updates the address.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("checkbox", name="On hold").check()
    expect(page).to_have_url(re.compile(r"status=active&status=on_hold"))
    expect(page.locator("#project-table tbody tr")).to_have_count(4)
    page.get_by_role("checkbox", name="Active").uncheck()
    expect(page).to_have_url(re.compile(r"bucket=revenue&status=on_hold&sort="))
    # Only the filters in use are in the address.
    assert "gate=" not in page.url and "q=" not in page.url
    expect(page.locator("#project-table tbody tr")).to_have_count(1)
    assert _rows(page) == ["REV-C"]
    assert page.evaluate("window.notReloaded") is True

    # Sorting by a column header, then the other way.
    page.get_by_role("checkbox", name="On hold").uncheck()
    expect(page.locator("#project-table tbody tr")).to_have_count(4)
    page.get_by_role("link", name="Expected").click()
    expect(page).to_have_url(re.compile(r"sort=expected"))
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Expected")
    expect(page.locator("#project-table tbody tr td:first-child")).to_have_text(
        ["REV-C", "REV-A", "REV-D", "REV-B"]
    )
    page.get_by_role("link", name="Expected").click()
    expect(page).to_have_url(re.compile(r"sort=-expected"))
    expect(page.locator("#project-table tbody tr td:first-child")).to_have_text(
        ["REV-B", "REV-D", "REV-A", "REV-C"]
    )

    # Typing in the search box filters too, keeping the sort.
    page.get_by_role("searchbox", name="Search").fill("bundle")
    expect(page.locator("#project-table tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=bundle"))
    expect(page).to_have_url(re.compile(r"sort=-expected"))
    assert page.evaluate("window.notReloaded") is True

    # The URL the browser shows reproduces the view on a fresh load.
    page.reload()
    expect(page.locator("#project-table tbody tr td:first-child")).to_have_text(["REV-D"])
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("bundle")
    page.get_by_role("searchbox", name="Search").fill("")
    expect(page.locator("#project-table tbody tr")).to_have_count(4)
    screenshot(page, "project_list_filtered")

    # Open a project with some history from the list.
    project = projects["REV-B"]
    decide(
        project,
        1,
        "go",
        pete,
        decided_on=datetime.date(2026, 1, 12),
        funding_granted=Decimal(120_000),
        rationale="Worth a study.",
    )
    for month, amount in ((1, 20_000), (2, 35_000), (3, 30_000), (4, 18_000)):
        services.record_spend(
            project=project,
            actor=pete,
            spent_on=datetime.date(2026, month, 15),
            amount=Decimal(amount),
            category="people",
        )
    page.get_by_role("link", name="REV-B").click()
    expect(page.get_by_role("heading", name="Dynamic pricing")).to_be_visible()
    expect(page.locator("svg .spend-line")).to_be_visible()
    page.get_by_text("Spend by month as a table").click()
    expect(page.get_by_role("cell", name="103,000.00")).to_be_visible()
    screenshot(page, "project_detail_history")


def test_the_project_list_works_without_javascript(
    browser, live_server, login, alice, rita, bob, pete
):
    _portfolio(alice, rita, bob, pete)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, alice.email, PASSWORD)
        page.goto(f"{live_server.url}/projects/")
        page.get_by_label("Bucket").select_option("revenue")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"bucket=revenue"))
        # Each Apply loads a new page: its rows are awaited (read at once, they were sometimes
        # those of a page still loading: none).
        rows = page.locator("#project-table tbody tr td:first-child")
        expect(rows).to_have_text(["REV-A", "REV-B", "REV-C", "REV-D"])
        # Several statuses without JavaScript: the ticked boxes, Apply, a page reloaded.
        page.get_by_role("checkbox", name="Killed").check()
        page.get_by_role("checkbox", name="On hold").check()
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"status=on_hold&status=killed"))
        expect(rows).to_have_text(["REV-C"])
        page.get_by_role("checkbox", name="Killed").uncheck()
        page.get_by_role("checkbox", name="On hold").uncheck()
        page.get_by_role("button", name="Apply").click()
        expect(page).not_to_have_url(re.compile(r"status="))
        expect(rows).to_have_text(["REV-A", "REV-B", "REV-C", "REV-D"])
        page.get_by_role("link", name="Key").click()
        expect(page).to_have_url(re.compile(r"sort=-key"))
        expect(rows).to_have_text(["REV-D", "REV-C", "REV-B", "REV-A"])
    finally:
        context.close()


def test_a_filter_corrected_in_place_loses_its_error_mark(
    page, live_server, login, gates, alice, rita, bob, pete
):
    """A shared link with a filter the list cannot read opens with the problem beside the
    field; once the filter is corrected and htmx swaps the table in, the mark goes too."""
    _portfolio(alice, rita, bob, pete)
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/?bucket=revenue&status=nonsense")
    status = page.get_by_role("group", name="Status")
    active = page.get_by_role("checkbox", name="Active")
    expect(active).to_have_attribute("aria-invalid", "true")
    expect(status).to_have_attribute("aria-describedby", "id_status_error")
    expect(page.locator(".filters .errorlist")).to_have_count(1)
    expect(page.get_by_text("These filters cannot be applied")).to_be_visible()

    page.evaluate("window.notReloaded = true")
    active.check()
    expect(page.locator("#project-table tbody tr")).to_have_count(3)
    expect(page.locator(".filters .errorlist")).to_have_count(0)
    expect(page.locator(".filters .field-error")).to_have_count(0)
    assert active.get_attribute("aria-invalid") is None
    assert status.get_attribute("aria-describedby") is None
    assert page.evaluate("window.notReloaded") is True
