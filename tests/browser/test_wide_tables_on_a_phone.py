"""At 390 px the wide tables (the dashboard's, the project list, the audit trail) are cards.

A row is read whole, each value under or beside its column's name, with no sideways
scrolling; the table keeps its headers for screen readers (Chromium's accessibility tree
still has the table, its column headers and its cells) and passes axe-core's WCAG 2.2 AA
rules at that width. Only a chart's data table of numbers by month or by probability bin
stays a table, scrolling in its own labelled box when it must: it is read down its columns.
"""

from __future__ import annotations

import datetime
import importlib
from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from portfolio import services
from tests.browser import demo
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_project, make_user, record_spend

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The charts' data tables that stay tables: numbers by month, by probability bin.
STAY_TABLES = {
    "Success rate against cumulative spend, by month",
    "Reliability diagram data",
}


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def in_view(locator) -> bool:
    """Wholly inside the phone's width, with no sideways scrolling."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


SCROLLING_TABLES_JS = """() => [...document.querySelectorAll('.table-wrap')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => box.querySelector('caption')?.textContent.trim() || box.outerHTML.slice(0, 80))"""


def open_every_data_table(page) -> None:
    for details in page.locator("details.data-table").all():
        if not details.evaluate("element => element.open"):
            details.locator("> summary").click()


def reads_as_cards(table) -> None:
    """Each row of ``table`` is in view, its box does not scroll, and it is no scroll region."""
    rows = table.locator("tbody > tr")
    assert rows.count() > 0
    for row in rows.all():
        assert in_view(row), row.inner_text()
    wrap = table.locator("xpath=..")
    assert wrap.evaluate("box => box.scrollWidth <= box.clientWidth + 1")
    expect(wrap).not_to_have_attribute("role", "region")


def roles_in_table(page, name: str) -> Counter:
    """The roles under the table named ``name`` in Chromium's own accessibility tree: what a
    screen reader is given once CSS has made the rows cards."""
    session = page.context.new_cdp_session(page)
    nodes = {node["nodeId"]: node for node in session.send("Accessibility.getFullAXTree")["nodes"]}
    session.detach()
    tables = [
        node
        for node in nodes.values()
        if node.get("role", {}).get("value") == "table"
        and node.get("name", {}).get("value") == name
    ]
    assert tables, f"no table named {name!r} in the accessibility tree"
    roles: Counter = Counter()
    waiting = list(tables[0].get("childIds", []))
    while waiting:
        node = nodes[waiting.pop()]
        roles[node.get("role", {}).get("value")] += 1
        waiting.extend(node.get("childIds", []))
    return roles


def passes_axe(page, axe) -> None:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    violations = [
        f"{v['id']}: {v['help']} at {[' '.join(n['target']) for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert violations == []


def test_the_dashboards_tables_read_as_cards(page, live_server, login, axe):
    from gates.management.commands.seed_demo import DEMO_USERS
    from portfolio.models import Role

    demo.seed_demo()
    email, password = next((e, p) for role, e, _, p in DEMO_USERS if role == Role.EXECUTIVE)
    page.set_viewport_size(PHONE)
    login(page, live_server, email, password)
    page.goto(f"{live_server.url}/dashboard/")
    open_every_data_table(page)

    cards = [
        "Funnel by gate",
        "Projects, success rate and spend by strategic bucket",
        "Annualized realized value against projected range, by project",
        "Active projects: probability of success, projected value and spend",
        "Brier score by product manager",
        "Mean outcome score of each decision maker's go decisions",
        "Outcome score of each scored product",
        "By gatekeeper",
        "Overrides and how the projects ended",
        "Zombie projects",
    ]
    for name in cards:
        reads_as_cards(page.get_by_role("table", name=name, exact=True))

    # A gate's card is headed "Gate 1", not a bare 1, and its numbers sit beside their names.
    gate_1 = page.get_by_role("table", name="Funnel by gate").locator("tbody > tr").first
    expect(gate_1.get_by_role("rowheader")).to_have_text("Gate 1", use_inner_text=True)
    sunk = gate_1.get_by_role("cell", name="Sunk cost (EUR)")
    assert in_view(sunk)
    assert sunk.bounding_box()["height"] < 40  # one line: the name beside the amount
    expect(gate_1.locator("td.bar-cell")).to_be_hidden()
    zombie = page.get_by_role("table", name="Zombie projects").locator("tbody > tr").first
    assert in_view(zombie.get_by_role("cell", name="Product manager"))
    assert in_view(zombie.get_by_role("link"))

    # Nothing else scrolls sideways but the charts' data tables by month or bin.
    assert set(page.evaluate(SCROLLING_TABLES_JS)) <= STAY_TABLES
    assert fits(page)

    roles = roles_in_table(page, "Zombie projects")
    assert roles["columnheader"] == 7
    assert roles["rowheader"] == roles["row"] - 1 > 0
    assert roles["cell"] == 6 * roles["rowheader"]
    passes_axe(page, axe)


def test_the_project_list_is_a_card_per_project_sorted_from_its_headers(
    page, live_server, login, alice, bob
):
    from portfolio.models import Role

    long_named = make_project(
        key="LONG-1",
        title="Summarising every inbound customer support call into structured notes",
        product_manager=make_user(
            "a.very.long.product.manager.name@research.example.com", Role.PRODUCT_MANAGER
        ),
        bucket="new_category",
    )
    make_project(key="SHORT-1", title="Triage", product_manager=bob)
    record_spend(long_named, datetime.date(2026, 2, 1), "1234567.89")
    page.set_viewport_size(PHONE)
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/")

    table = page.get_by_role("table", name="Projects, sorted by key (ascending)")
    reads_as_cards(table)
    row = table.get_by_role("row", name="LONG-1")
    assert in_view(row.get_by_role("link", name="LONG-1"))
    for column in ("Status", "Product manager", "Expected (EUR)", "Spend (EUR)"):
        assert in_view(row.get_by_role("cell", name=column)), column
    expect(row.get_by_role("cell", name="Spend (EUR)")).to_contain_text("1,234,568")

    # The column headers stay in view above the cards, as the links that sort them.
    expect(page.get_by_text("Sort by", exact=True)).to_be_visible()
    by_spend = page.get_by_role("link", name="Spend (EUR)")
    assert in_view(by_spend)
    assert by_spend.bounding_box()["height"] >= 44
    by_spend.click()
    expect(page.get_by_role("table", name="Projects, sorted by spend (ascending)")).to_be_visible()
    expect(page.locator("table.projects tbody > tr").first).to_contain_text("SHORT-1")
    assert fits(page)

    roles = roles_in_table(page, "Projects, sorted by spend (ascending)")
    assert roles["columnheader"] == 13
    assert roles["cell"] == 13 * 2


def test_the_audit_trail_is_a_card_per_change(page, live_server, login, axe, adam, bob, pete):
    project = make_project(key="AUD-1", title="Audit me", product_manager=bob)
    services.correct_project(
        project=project,
        actor=adam,
        product_manager=pete,
        probability_of_success=Decimal("0.35"),
        next_stage_ask=Decimal("1000"),
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, pete.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/AUD-1/")
    page.locator("#audit > summary").click()

    table = page.get_by_role("table", name="Audit trail of AUD-1")
    reads_as_cards(table)
    change = table.locator("tbody > tr").first
    changes = change.get_by_role("cell", name="Changes")
    expect(changes).to_contain_text("Product manager: Bob Product → Pete Product")
    assert in_view(changes)
    assert in_view(change.get_by_role("cell", name="Who"))
    assert fits(page)

    roles = roles_in_table(page, "Audit trail of AUD-1")
    assert roles["columnheader"] == 4
    assert roles["cell"] == 4 * (roles["row"] - 1) > 0
    passes_axe(page, axe)
