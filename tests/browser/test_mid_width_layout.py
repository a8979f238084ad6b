"""On a screen of middling width (a laptop's half screen, a tablet) the dashboard's funnel
and strategic buckets tables fit their boxes, and the page does not scroll sideways.

Between about 850 and 1250 px the dashboard set the two side by side in boxes narrower
than their tables, which scrolled sideways in them (at 800 px they are one under the
other already); the counts' cards (2,941,069.44 minutes saved) pushed the page sideways
at 850 to 1100 px.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import sign_in_to_the_demo

pytestmark = pytest.mark.django_db(transaction=True)

# Each box on the page that scrolls sideways, by its table's caption, and how far.
SCROLLING_JS = """() => [...document.querySelectorAll('.table-wrap, .scroll-box')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${(box.querySelector('caption')?.textContent || box.className).trim()}: `
    + `${box.scrollWidth} px in ${box.clientWidth}`)"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [800, 950, 1100])
def test_the_dashboards_tables_fit_their_boxes_at_mid_widths(page, live_server, login, width):
    from portfolio.models import Role

    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    page.goto(f"{live_server.url}/dashboard/")

    buckets = page.locator(".dash-buckets .table-wrap")
    table = buckets.locator("table")
    measured = buckets.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert measured[0] <= measured[1], f"the buckets table: {measured[0]} px in {measured[1]}"
    assert table.bounding_box()["width"] <= buckets.bounding_box()["width"]
    # Its neighbour, the funnel, fits too; so does the page (the counts' cards pushed it
    # sideways at 850 to 1100 px).
    scrolling = page.evaluate(SCROLLING_JS)
    assert not [box for box in scrolling if box.startswith(("Funnel", "Projects, success"))]
    assert fits(page), page.evaluate("document.documentElement.scrollWidth")


def make_sunk_costs_large(factor: int = 1000) -> None:
    """The killed projects' spend, times ``factor``: the funnel's sunk costs of a large
    portfolio (8 and 9 digits, 91,317,945 say) rather than the demo's 5 and 6."""
    from django.db.models import F

    from portfolio import services, versioning
    from portfolio.models import Project, SpendEntry, Status

    killed = Project.objects.filter(status=Status.KILLED)
    SpendEntry.objects.filter(project__in=killed).update(amount=F("amount") * factor)
    for project in killed:
        with versioning.changing(project):
            services.recompute_spend_totals(project=project)


@pytest.mark.parametrize("width", [1300, 1450])
def test_the_funnel_fits_with_a_large_portfolio_s_sunk_costs(page, live_server, login, width):
    """With 8- and 9-digit sunk costs the funnel's table is wider than half the page: the
    funnel and the buckets go one under the other rather than cut off "Sunk cost"."""
    from portfolio.models import Role

    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    make_sunk_costs_large()
    page.goto(f"{live_server.url}/dashboard/")

    sunk = page.locator('.dash-funnel [data-metric$=".sunk_spend_killed_here"]').all_inner_texts()
    assert max(len(text.replace(",", "")) for text in sunk) >= 9, sunk
    funnel = page.locator(".dash-funnel .table-wrap")
    measured = funnel.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert measured[0] <= measured[1], f"the funnel table: {measured[0]} px in {measured[1]}"
    assert not [box for box in page.evaluate(SCROLLING_JS) if box.startswith("Funnel")]
    header = page.get_by_role("columnheader", name="Sunk cost (EUR)")
    right = funnel.bounding_box()["x"] + funnel.bounding_box()["width"]
    assert header.bounding_box()["x"] + header.bounding_box()["width"] <= right + 1
    buckets = page.locator(".dash-buckets .table-wrap")
    measured = buckets.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert measured[0] <= measured[1], f"the buckets table: {measured[0]} px in {measured[1]}"
    assert fits(page), page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [1300, 1450])
def test_the_demo_s_funnel_and_buckets_still_sit_side_by_side_on_a_wide_screen(
    page, live_server, login, width
):
    from portfolio.models import Role

    page.set_viewport_size({"width": width, "height": 900})
    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    page.goto(f"{live_server.url}/dashboard/")

    funnel = page.locator(".dash-funnel").bounding_box()
    buckets = page.locator(".dash-buckets").bounding_box()
    assert funnel["y"] == buckets["y"] and funnel["x"] < buckets["x"]
    assert not [box for box in page.evaluate(SCROLLING_JS) if box.startswith("Funnel")]
