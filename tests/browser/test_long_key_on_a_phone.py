"""A project key as long as a key may be (32 characters, no space to break at) stays inside
a 390 px phone: on the project list its card holds it, and the project page's heading,
the gate review, the dashboard's tables and the plan wrap it rather than widen the page."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from portfolio.models import Project
from tests.browser.expect import expect
from tests.builders import PASSWORD, decide, make_project, record_spend

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LONG_KEY = "QA_" + "K" * 29

OVERFLOW_JS = "document.documentElement.scrollWidth - window.innerWidth"
# The elements reaching past the right edge of the page, for the message.
PAST_THE_EDGE_JS = """() => [...document.body.querySelectorAll('*')]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .map((element) => element.outerHTML.slice(0, 90)).slice(-3)"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


# Each place the key is written, where it reaches past the phone's right edge: a page that
# does not scroll sideways may still cut it off inside a box that does or that hides it.
KEY_CUT_OFF_JS = """(key) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.includes(key)) continue;
    if (node.parentElement.closest('.visually-hidden')) continue;  // for screen readers only
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.left < -1 || box.right > window.innerWidth + 1) {
      found.push(`${Math.round(box.left)}..${Math.round(box.right)} `
        + node.parentElement.outerHTML.slice(0, 80));
    }
  }
  return found;
}"""


def _fits(page, path: str) -> None:
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow <= 0, (
        f"{path} at 390 px is {overflow} px too wide: {page.evaluate(PAST_THE_EDGE_JS)}"
    )
    assert page.evaluate(KEY_CUT_OFF_JS, LONG_KEY) == [], f"{path}: the key reaches past the edge"


@pytest.fixture
def long_key(alice, bob) -> Project:
    project = make_project(
        key=LONG_KEY, title="A key as long as keys get", researcher=alice, product_manager=bob
    )
    decide(project, 1, "go", bob, funding_granted=Decimal(50000))
    record_spend(project, datetime.date(2026, 2, 3), Decimal(1200))
    return project


def test_a_32_character_key_stays_inside_its_card_on_the_project_list(
    page, live_server, login, bob, long_key
):
    page.set_viewport_size(PHONE)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/")

    link = page.get_by_role("link", name=LONG_KEY, exact=True)
    expect(link).to_be_visible()
    _fits(page, "/projects/")
    card = page.locator("table.projects > tbody > tr").filter(has=link)
    card_box, link_box = card.bounding_box(), link.bounding_box()
    assert link_box["x"] + link_box["width"] <= card_box["x"] + card_box["width"] + 0.5


@pytest.mark.parametrize(
    "path",
    [
        f"/projects/{LONG_KEY}/",
        f"/projects/{LONG_KEY}/gate-review/",
        "/",
        "/dashboard/",
        "/plan/",
    ],
)
def test_a_32_character_key_fits_a_phone_wherever_it_is_shown(
    page, live_server, login, bob, long_key, path
):
    page.set_viewport_size(PHONE)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}{path}")
    # The tables folded away (the dashboard's data tables, the audit trail) are read too.
    for summary in page.locator("details:not([open]) > summary").all():
        if summary.is_visible():
            summary.click()

    assert LONG_KEY in page.content()
    _fits(page, path)
