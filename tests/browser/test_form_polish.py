"""What a person notices on a refused form and on the dashboard's cards, against the demo
portfolio of ``seed_demo``.

A link of an error summary shows its field with the field's name and message (the
browser alone put the field at the very top of the screen, both scrolled off above it);
the decision's summary says each problem once and every link lands on something that
takes the focus; an unjudged kill criterion is marked as any other field is. E-mail
addresses on a phone's cards break at their "@" or a dot, not mid-word; at 1400 px the
dashboard's "Download CSV" stays on one line and the buckets table fits its box.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps

from tests.browser import demo
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}

# The focused field, what names it (its label, or its group's) and its message, each as
# its box's top and bottom, for the summary link just followed.
SHOWN_JS = """() => {
  const field = document.activeElement;
  const choice = field.matches('input[type=radio], input[type=checkbox]');
  const group = choice ? field.closest('[role=radiogroup], fieldset') : null;
  const labelledBy = group?.getAttribute('aria-labelledby');
  const name = labelledBy ? document.getElementById(labelledBy)
    : group?.matches('fieldset') ? group.querySelector(':scope > legend')
    : field.labels?.[0];
  const block = field.closest('.field, .kill-mark-row, tr');
  const message = block?.querySelector('.errorlist, .row-message')
    || field.closest('fieldset:has(> .form-errors)')?.querySelector(':scope > .form-errors');
  const box = (element) => {
    if (!element) return null;
    const rect = element.getBoundingClientRect();
    return {top: rect.top, bottom: rect.bottom, text: element.textContent.trim().slice(0, 60)};
  };
  return {id: field.id, tag: field.tagName, height: innerHeight,
          field: box(field), name: box(name), message: box(message)};
}"""

# The e-mail addresses in ``root`` broken across lines other than at their "@" or a dot.
BROKEN_EMAILS_JS = r"""(root) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // An address written in pieces (<wbr> after "@" and the dots) is read whole.
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, title')) continue;
    const nodes = [...parent.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE);
    if (nodes[0] !== node) continue;
    const text = nodes.map((n) => n.data).join('');
    if (!/[^\s@]+@[^\s@]+\.[^\s@]+/.test(text)) continue;
    let top = null;
    let before = '';
    for (const piece of nodes) {
      for (let i = 0; i < piece.data.length; i++) {
        const range = document.createRange();
        range.setStart(piece, i);
        range.setEnd(piece, i + 1);
        const rect = range.getBoundingClientRect();
        const char = piece.data[i];
        if (rect.width === 0 && rect.height === 0) continue;
        if (top !== null && rect.top > top + 2 && /\S/.test(before) && /\S/.test(char)
            && !['@', '.'].includes(before)) {
          broken.push(`${text.trim()}: a line starts at "${piece.data.slice(i, i + 8)}"`);
        }
        top = rect.top;
        before = char;
      }
    }
  }
  return broken;
}"""


# The lines an element's words are set on.
LINES_JS = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
}"""


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def sign_in_to_the_demo(page, live_server, login, role) -> None:
    from gates.management.commands.seed_demo import DEMO_USERS

    demo.seed_demo()
    email, password = next((e, p) for r, e, _, p in DEMO_USERS if r == role)
    login(page, live_server, email, password)


def assert_each_link_shows_its_field(page, summary_selector: str) -> None:
    """Follow each link of the summary from the top of the page: the field it names is
    focused, and it, its name and its message are all on the screen."""
    links = page.locator(f"{summary_selector} a")
    assert links.count() > 0
    for n in range(links.count()):
        link = links.nth(n)
        text = link.inner_text()
        page.evaluate("window.scrollTo(0, 0)")
        link.click()
        shown = page.evaluate(SHOWN_JS)
        assert f"#{shown['id']}" == link.get_attribute("href"), (text, shown)
        for part in ("field", "name", "message"):
            box = shown[part]
            assert box is not None, (text, part, shown)
            assert box["top"] >= 0 and box["bottom"] <= shown["height"], (text, part, shown)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1400", "390"])
def test_each_link_of_the_decisions_summary_shows_its_field_named_and_explained(
    page, live_server, login, size
):
    from portfolio.models import Role

    page.set_viewport_size(size)
    sign_in_to_the_demo(page, live_server, login, Role.PRODUCT_MANAGER)
    page.goto(f"{live_server.url}/projects/GL-0140/gate-review/")
    # A go dated in the future, with the must-meet criteria and the kill criteria unjudged.
    page.locator("input[name=decision][value=go]").check()
    page.locator("input[name=decided_on]").fill("2099-01-01")
    page.get_by_role("button", name="Record decision").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()

    # Each problem once: a row per unmet must-meet criterion, no line naming them all that
    # linked to the scorecard (which takes no focus).
    messages = [m.strip() for m in summary.locator("li").all_inner_texts()]
    assert len(messages) == len(set(messages)), messages
    assert not any(m.startswith("A go needs every must-meet criterion met") for m in messages)
    assert sum(m.endswith("Not answered: a go needs it met.") for m in messages) == 2

    assert_each_link_shows_its_field(page, ".error-summary")


def test_an_unjudged_kill_criterion_is_marked_as_any_field_is(page, live_server, login):
    from portfolio.models import Role

    page.set_viewport_size(DESKTOP)
    sign_in_to_the_demo(page, live_server, login, Role.PRODUCT_MANAGER)
    page.goto(f"{live_server.url}/projects/GL-0140/gate-review/")
    page.locator("input[name=decision][value=go]").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".error-summary")).to_be_focused()

    rows = page.locator(".kill-mark-row")
    assert rows.count() == 2
    for row in rows.all():
        message = row.locator(".row-message")
        group = row.get_by_role("radiogroup")
        expect(message).to_contain_text("met or not met")
        # Its message above its answers, as a field's is above its input.
        assert message.bounding_box()["y"] < group.bounding_box()["y"]
        expect(group).to_have_attribute("aria-invalid", "true")
        expect(group).to_have_attribute("aria-describedby", message.get_attribute("id"))
        # Tinted as a refused scorecard row is.
        expect(row).to_have_class(re.compile("row-error"))
        assert row.evaluate("row => getComputedStyle(row).backgroundColor") != "rgba(0, 0, 0, 0)"


def test_each_link_of_a_forms_summary_shows_its_field_named_and_explained(page, live_server, login):
    from portfolio.models import Role

    researcher = make_user("rita@example.com", Role.RESEARCHER)
    page.set_viewport_size(PHONE)
    login(page, live_server, researcher.email, PASSWORD)
    page.goto(f"{live_server.url}/proposals/new/")
    form = page.locator("main form").filter(has=page.locator("input[name=title]"))
    form.evaluate("form => { form.noValidate = true; }")  # the server's refusal, not the browser's
    form.get_by_role("button", name="Submit for gate 1").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_each_link_shows_its_field(page, "[data-error-summary]")


def test_e_mail_addresses_on_a_phones_cards_break_at_their_at_or_a_dot(page, live_server, login):
    from django.core.cache import cache

    from gates.management.commands.seed_demo import DEMO_USERS
    from portfolio.models import Role, User

    page.set_viewport_size(PHONE)
    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    # People an import brought in without a name are named by their address.
    personas = [email for _, email, _, _ in DEMO_USERS]
    User.objects.exclude(email__in=personas).update(full_name="")
    cache.clear()
    for path, cards in (
        ("/dashboard/", ".dash-risk, .dash-calibration, .dash-decision-quality, .dash-zombies"),
        ("/projects/", "main"),
    ):
        page.goto(f"{live_server.url}{path}")
        for details in page.locator("details.data-table").all():
            if not details.evaluate("element => element.open"):
                details.locator("> summary").click()
        checked = page.locator(cards)
        assert checked.count() > 0
        assert page.locator("main").inner_text().count("@demo.greenlight") > 3
        for card in checked.all():
            assert card.evaluate(BROKEN_EMAILS_JS) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_the_dashboard_at_1400_keeps_its_links_whole_and_its_tables_in_their_boxes(
    page, live_server, login
):
    from portfolio.models import Role

    page.set_viewport_size(DESKTOP)
    sign_in_to_the_demo(page, live_server, login, Role.EXECUTIVE)
    page.goto(f"{live_server.url}/dashboard/")

    wrap = page.locator(".dash-buckets .table-wrap")
    table = wrap.locator("table")
    assert wrap.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert table.bounding_box()["width"] <= wrap.bounding_box()["width"]
    # Its bars are all in view.
    for bar in wrap.locator("svg.bar").all():
        box, frame = bar.bounding_box(), wrap.bounding_box()
        assert box["width"] > 0 and box["x"] + box["width"] <= frame["x"] + frame["width"]

    downloads = page.locator("main a", has_text="Download CSV")
    assert downloads.count() > 3
    for link in downloads.all():
        if link.is_visible():  # not the data tables' own, in their closed <details>
            assert link.evaluate(LINES_JS) == 1, link.get_attribute("href")
