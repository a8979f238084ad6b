"""Every page of every role (``pages.PAGES``): axe-core at WCAG 2.2 AA, and it fits a phone.

For each role one browser session signs in and walks its pages, at 1400 px and at
390 px: axe-core must find no violation of the WCAG 2.0/2.1/2.2 A and AA rules, the
page must not scroll sideways (wide tables scroll inside their own focusable box), and
at 390 px every control must offer a 44 px touch target and chart labels stay
readable. All problems of a role are reported together, each with its page, and each
page with a problem is saved as a screenshot.
"""

from __future__ import annotations

import importlib
import os

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from gates.management.commands.seed_demo import DEMO_USERS
from tests.browser import pages

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE_RULES = ["target-size", "scrollable-region-focusable", "color-contrast", "meta-viewport"]
# A page with a problem is saved as tests/browser/screenshots/pages/ROLE-PAGE-WIDTH.png;
# SCREENSHOT_EVERY_PAGE=true saves every page at 390 px too, to look the phone layout over.
EVERY_SCREENSHOT = os.environ.get("SCREENSHOT_EVERY_PAGE", "").lower() == "true"
TOUCH_TARGET_PX = 44
SMALLEST_CHART_LABEL_PX = 10
PASSWORDS = {role: password for role, _, _, password in DEMO_USERS}

# The controls a thumb must hit: buttons, fields, the links styled as buttons and the
# navigation. Links inside running text are exempt (WCAG 2.5.8's inline exception).
SMALL_TARGETS_JS = """(minimum) => {
  const selector = 'button, [role=button], a.button, select, textarea, summary,'
    + ' input:not([type=hidden]), nav a, .pagination a';
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    let target = element;
    if (element.matches('input[type=checkbox], input[type=radio]')) {
      target = element.closest('label') || document.querySelector(`label[for="${element.id}"]`);
      if (!target) { small.push(element.outerHTML.slice(0, 80)); continue; }
    }
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.height < minimum || box.width < minimum) {
      small.push(`${Math.round(box.width)}x${Math.round(box.height)} `
        + target.outerHTML.slice(0, 80));
    }
  }
  return small;
}"""

# The outermost elements reaching past the right edge, for the message.
OVERFLOWING_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (box) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX);
  // Inside a scrolling box is fine, unless positioned against something outside it.
  const contained = (element) => {
    const positioned = ['absolute', 'fixed'].includes(getComputedStyle(element).position);
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up) && (!positioned || up.contains(element.offsetParent))) return true;
    }
    return false;
  };
  const found = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.getBoundingClientRect().right <= width + 1 || contained(element)) continue;
    const parent = element.parentElement;
    if (parent !== document.body && parent.getBoundingClientRect().right > width + 1
        && !contained(parent)) continue;
    found.push(element.outerHTML.slice(0, 100));
  }
  return found.slice(0, 3);
}"""

SMALL_CHART_LABELS_JS = """(minimum) => {
  const small = [];
  for (const text of document.querySelectorAll('svg text')) {
    const box = text.getBoundingClientRect();
    if (box.height > 0 && box.height < minimum) {
      small.push(`${box.height.toFixed(1)}px "${text.textContent.slice(0, 30)}"`);
    }
  }
  return small;
}"""


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    """The four gates, which a data migration seeds and an earlier live-server test's flush removed."""
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def violations(page, axe, only: dict) -> list[dict]:
    """axe-core's violations of the rules ``only`` names. axe is loaded by the context's
    init script as each page loads (sending its 570 kB with every check cost more), or
    here when it is not there; only violations come back (the passes' nodes, which axe
    lists by default, were a fifth of each check)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe.axe_script)
    options = {"runOnly": only, "resultTypes": ["violations"]}
    return page.evaluate("(options) => axe.run(document, options)", options)["violations"]


def problems_on(page, axe, case: pages.PageCase, world, url: str, width: str) -> list[str]:
    where = f"{case.name} at {width}"
    response = page.goto(url)
    if response is None or response.status != case.status:
        return [f"{where}: {url} answered {response and response.status}"]
    if case.setup:
        case.setup(page, world)
    found = []
    # At 390 px only the rules the width changes run again (the rest found all at 1400 px).
    phone = page.viewport_size["width"] == PHONE["width"]
    only = (
        {"type": "rule", "values": PHONE_RULES} if phone else {"type": "tag", "values": WCAG_22_AA}
    )
    for violation in violations(page, axe, only):
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:4]
        found.append(
            f"{where}: axe {violation['id']} ({violation['impact']}) x{len(violation['nodes'])}: "
            f"{violation['help']} at {targets}"
        )
    viewport = page.viewport_size["width"]
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    if scroll_width > viewport:
        culprits = page.evaluate(OVERFLOWING_JS)
        found.append(f"{where}: {scroll_width}px wide, scrolls sideways: {culprits}")
    if phone:
        for small in page.evaluate(SMALL_TARGETS_JS, TOUCH_TARGET_PX):
            found.append(f"{where}: touch target under {TOUCH_TARGET_PX}px: {small}")
        for small in page.evaluate(SMALL_CHART_LABELS_JS, SMALLEST_CHART_LABEL_PX):
            found.append(f"{where}: chart label too small: {small}")
    return found


def test_the_check_reports_what_axe_finds(page, axe):
    """The check fails a page: a picture without words, pale text (at both widths' rules)."""
    page.set_content(
        '<html lang="en"><title>Bad</title><main><img src="data:,">'
        '<p style="color:#bbb;background:#fff">Pale words</p></main></html>'
    )

    def found(only: dict) -> set[str]:
        return {violation["id"] for violation in violations(page, axe, only)}

    assert {"image-alt", "color-contrast"} <= found({"type": "tag", "values": WCAG_22_AA})
    assert found({"type": "rule", "values": PHONE_RULES}) == {"color-contrast"}


# Every page of a role at one width with axe-core: minutes on a busy machine, not hung. One
# width per test, so that the longest walks (a product manager's, about 50 s at each width
# on a quiet machine) pack evenly onto the test workers.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("size_name", ["1400px", "390px"])
@pytest.mark.parametrize("role", [pages.ANONYMOUS, *pages.ROLES])
def test_every_page_passes_axe_and_fits_a_phone(
    role, size_name, browser, live_server, login, screenshot, axe
):
    world = pages.demo_world()
    cases = [case for case in pages.PAGES if role in case.roles]
    assert cases, f"no page lists the role {role}"
    if size_name == "390px":
        cases = [case for case in cases if case.phone]
    found: list[str] = []
    context = browser.new_context(
        viewport=DESKTOP if size_name == "1400px" else PHONE, reduced_motion="reduce"
    )
    context.set_default_timeout(10_000)
    context.add_init_script(script=axe.axe_script)
    page = context.new_page()
    try:
        if role != pages.ANONYMOUS:
            login(page, live_server, world.users[role].email, PASSWORDS[role])
        for case in cases:
            url = live_server.url + reverse(case.url_name, kwargs=case.args(world)) + case.query
            problems = problems_on(page, axe, case, world, url, size_name)
            found += problems
            if problems or (size_name == "390px" and EVERY_SCREENSHOT):
                name = f"pages/{role}-{case.name}-{size_name}".replace(" ", "-").lower()
                screenshot(page, name)
    finally:
        context.close()
    assert not found, f"{len(found)} problems for {role} at {size_name}:\n" + "\n".join(found)
