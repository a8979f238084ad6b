"""A date in a table stays on one line: "2025-09-24", never "2025-09-" over "24".

At 1280 px My work's queues (Waiting since, Opened on, Last edited, the latest decisions'
Date), the gate review's earlier decisions (Decided on) and the plan's scenarios (As of,
and their budget "EUR 4,000,000.00") broke their dates at a hyphen, and an amount between
its currency and its number, wherever the column was narrow.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import sign_in_to_the_demo

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}

# Each table cell (of those ``selector`` finds) holding a date or an amount whose text
# takes more than one line, with its lines.
BROKEN_JS = """(selector) => {
  const whole = /^(\\d{4}-\\d{2}-\\d{2}|[A-Z]{3} [\\d,.]+)$/;
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const text = cell.textContent.trim();
    if (!whole.test(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
    if (tops.size > 1) broken.push(`${text} on ${tops.size} lines`);
  }
  return broken;
}"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def dates_on_one_line(page, selector: str = "main td") -> None:
    cells = page.locator(selector).count()
    assert cells, f"no {selector} on {page.url}"
    assert page.evaluate(BROKEN_JS, selector) == [], page.url


def test_my_work_s_dates_stay_on_one_line(page, live_server, login):
    from portfolio.models import Role

    page.set_viewport_size(DESKTOP)
    for role in (Role.PRODUCT_MANAGER, Role.RESEARCHER, Role.EXECUTIVE):
        page.context.clear_cookies()
        sign_in_to_the_demo(page, live_server, login, role)
        page.goto(f"{live_server.url}/")
        dates_on_one_line(page)


def test_the_gate_review_s_earlier_decisions_keep_their_dates_whole(page, live_server, login):
    from portfolio.models import Role

    page.set_viewport_size(DESKTOP)
    sign_in_to_the_demo(page, live_server, login, Role.PRODUCT_MANAGER)
    page.goto(f"{live_server.url}/projects/GL-0071/gate-review/")
    dates_on_one_line(page)


def test_the_scenarios_keep_their_dates_and_budgets_whole(page, live_server, login):
    from portfolio.models import Role

    page.set_viewport_size(DESKTOP)
    sign_in_to_the_demo(page, live_server, login, Role.PRODUCT_MANAGER)
    page.goto(f"{live_server.url}/plan/scenarios/")
    dates_on_one_line(page)
