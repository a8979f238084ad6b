"""A headline tile's amount stays whole on its line: "EUR 11,551,000 / year", its unit with it.

At 1280 px the projected value of greenlit projects put "/ year" alone on a line under
"EUR 11,551,000"; at 1100 px, five tiles to a row, every amount broke between "EUR" and its
number. A tile's value now takes one line (the amounts a little smaller in narrow tiles).
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import sign_in_to_the_demo

pytestmark = pytest.mark.django_db(transaction=True)

# Each headline tile's value (an amount, with its unit if any) taking more than one line.
BROKEN_JS = """() => {
  const broken = [];
  for (const value of document.querySelectorAll('.dash-tiles .tile .value')) {
    const text = value.textContent.replace(/\\s+/g, ' ').trim();
    if (!/^[A-Z]{3} /.test(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(value);
    const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
    const middles = boxes.map((box) => box.top + box.height / 2);
    const apart = middles.some((middle) => boxes.some((box) => middle < box.top || middle > box.bottom));
    const wide = value.scrollWidth > value.clientWidth + 1;
    if (apart || wide) broken.push(`${text} (${apart ? 'on several lines' : 'wider than its tile'})`);
  }
  return broken;
}"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def test_each_headline_amount_keeps_its_unit_on_its_line(page, live_server, login):
    from portfolio.models import Role

    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    for width in (1280, 1100, 900, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/dashboard/")
        assert page.locator(".dash-tiles .value small").filter(has_text="year").count() == 1
        assert page.evaluate(BROKEN_JS) == [], width
