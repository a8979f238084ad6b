"""A chart legend's key (the dot, the ring, the dashed line) stays beside its label.

On a 390 px phone the dashboard's first chart ended a line with the ring of "no project
decided yet (drawn on the axis)" and began the next with its words: the legend's keys and
words wrapped as separate pieces. Each key now wraps with its label, on the dashboard's
charts and the plan's.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import sign_in_to_the_demo

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}

# Each legend key whose label does not start on the key's line: the key, then the
# vertical centres of the key and of the first line of the words after it.
APART_JS = """() => {
  const apart = [];
  for (const key of document.querySelectorAll('.chart-legend .key')) {
    let words = key.nextSibling;
    while (words && !words.textContent.trim()) words = words.nextSibling;
    if (!words) { apart.push(`${key.className}: no words after it`); continue; }
    const range = document.createRange();
    range.selectNodeContents(words);
    const line = [...range.getClientRects()].find((box) => box.width > 0);
    const box = key.getBoundingClientRect();
    const keyMiddle = box.top + box.height / 2;
    if (!line || keyMiddle < line.top || keyMiddle > line.bottom) {
      apart.push(`${key.className}: key at ${Math.round(keyMiddle)}, `
        + `"${words.textContent.trim()}" at ${line ? Math.round(line.top) : '?'}`);
    }
  }
  return apart;
}"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


@pytest.mark.parametrize("path", ["/dashboard/", "/plan/"])
def test_each_legend_key_sits_beside_its_label_on_a_phone(page, live_server, login, path):
    from portfolio.models import Role

    page.set_viewport_size(PHONE)
    sign_in_to_the_demo(page, live_server, login, Role.PRODUCT_MANAGER)
    page.goto(f"{live_server.url}{path}")

    assert page.locator(".chart-legend .key").count() >= 2
    assert page.evaluate(APART_JS) == []
