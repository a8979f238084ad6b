"""The plan's ranking at 1280 px and on a phone: every amount stays on one line with its
currency, and a probability's notes have room to be read.

At 1280 px the twelve columns were squeezed: "EUR" wrapped onto a line of its own above
"87,000.00" in the Ask, ECV and cumulative columns, and the probability's notes ("raw 82.0% ·
calibrated 79.4% (19 forecasts, bias −0.0256)") ran down a column 80 px wide, broken
between any two words. Demo data (seed_demo), a budget of 300,000 with the admin's default
bucket targets, as tests/browser/test_plan_waterline_phone.py.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser import demo
from tests.browser.expect import expect

pytestmark = pytest.mark.django_db(transaction=True)

DEFAULT_TARGETS = "target_efficiency=0.4&target_revenue=0.35&target_new_category=0.2"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AMOUNTS = ("Ask", "ECV", "Cumulative ask", "Cumulative funded")

# For each row and amount column: how many lines the amount's text takes, its height and
# the font's size. The amount is the first text holding the currency (the ECV cell adds
# its flags after it, which may wrap below it).
AMOUNT_LINES = """([currency, columns]) => {
  const headings = [...document.querySelectorAll("table.plan-table thead th")]
    .map((th) => th.textContent.trim().replace(/\\s+/g, " "));
  return [...document.querySelectorAll("table.plan-table tr.plan-row")].flatMap((row) =>
    columns.map((column) => {
      const cell = row.children[headings.indexOf(column)];
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      let text = walker.nextNode();
      while (text && !text.textContent.includes(currency)) text = walker.nextNode();
      const range = document.createRange();
      range.selectNodeContents(text);
      const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      return {
        key: row.dataset.key, column, said: text.textContent.trim(), lines: tops.size,
        height: range.getBoundingClientRect().height,
        font: parseFloat(getComputedStyle(text.parentElement).fontSize),
      };
    }));
}"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


@pytest.fixture
def product_manager(page, live_server, login):
    from gates.management.commands.seed_demo import DEMO_USERS
    from portfolio.models import Role

    demo.seed_demo()
    email, password = next((e, p) for role, e, _, p in DEMO_USERS if role == Role.PRODUCT_MANAGER)
    login(page, live_server, email, password)
    return page


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280px", "390px"])
def test_amounts_keep_their_currency_and_the_notes_have_room(
    product_manager, live_server, viewport
):
    from django.conf import settings

    page = product_manager
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/plan/?budget=300000&{DEFAULT_TARGETS}")
    expect(page.locator("tr.plan-row")).to_have_count(31)

    amounts = page.evaluate(AMOUNT_LINES, [settings.CURRENCY, list(AMOUNTS)])
    assert len(amounts) == 31 * len(AMOUNTS)
    for amount in amounts:
        assert amount["said"].startswith(f"{settings.CURRENCY} "), amount
        # One line: one line box, no taller than a line of its type.
        assert amount["lines"] == 1, amount
        assert amount["height"] < 1.6 * amount["font"], amount

    # The notes under each probability: at least 7.5rem wide (the column was 80 px), and
    # none of their phrases broken ("calibrated" on one line, "79.4%" on the next).
    notes = page.locator("tr.plan-row .plan-prob-detail")
    expect(notes).to_have_count(31)
    rem = page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    for width in notes.evaluate_all("all => all.map((note) => note.clientWidth)"):
        assert width >= 7.5 * rem - 1, width
    phrases = page.locator("tr.plan-row .plan-prob-detail .nowrap")
    expect(phrases).to_have_count(31 * 4)
    for height in phrases.evaluate_all("all => all.map((p) => p.getClientRects().length)"):
        assert height == 1

    # Nothing wider than the screen: on a phone the ranking scrolls in its own box.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
