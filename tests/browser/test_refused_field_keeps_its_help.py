"""A refused field is still read with its help: a screen reader hears what is wrong, then
the hint that says how to get it right (portfolio.web.forms.BoundField), and both stay on
the screen. The decision form's date is the case that mattered: its hint says when a kill
may be dated, and a kill dated before the recorded spend is refused."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from portfolio.models import Status
from tests.browser.expect import expect
from tests.builders import PASSWORD, criteria, decide, make_project, record_spend

pytestmark = pytest.mark.django_db(transaction=True)

HINT = "Spend is recorded up to 2026-11-30: date a kill on or after it."
REFUSED = (
    "GL-0095 has spend recorded up to 2026-11-30: date the kill on or after it, "
    "or correct the spend first."
)

# What aria-describedby names, in its order, each as the text of the element it names
# (None for an id that names nothing).
DESCRIBED_BY_JS = """(field) => (field.getAttribute('aria-describedby') || '')
  .split(/\\s+/).filter(Boolean)
  .map((id) => { const e = document.getElementById(id); return e ? e.textContent.trim() : null; })"""


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_a_refused_kill_date_is_read_with_its_message_then_its_hint(
    page, live_server, login, alice, bob
):
    project = make_project(key="GL-0095", researcher=alice, product_manager=bob)
    decide(project, 1, "hold", decided_on=datetime.date(2026, 3, 26))
    record_spend(project, datetime.date(2026, 11, 30), "1200")
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/GL-0095/gate-review/")
    date = page.get_by_label("Decided on")
    expect(date).to_have_accessible_description(HINT)

    page.locator("input[name=decision][value=kill]").check()
    date.fill("2026-04-01")
    page.get_by_role("textbox", name="Rationale", exact=True).fill("The data does not exist.")
    page.get_by_label("Yes, kill GL-0095").check()
    page.get_by_role("button", name="Record decision").click()

    date = page.get_by_label("Decided on")
    expect(date).to_have_attribute("aria-invalid", "true")
    assert date.evaluate(DESCRIBED_BY_JS) == [REFUSED, HINT]
    expect(date).to_have_accessible_description(f"{REFUSED} {HINT}")
    # Both are shown beside the field, not only read out.
    field = page.locator("#field-decided_on")
    expect(field.locator(".errorlist")).to_be_visible()
    expect(field.locator(".helptext")).to_be_visible()
    expect(field.locator(".helptext")).to_have_text(HINT)
    project.refresh_from_db()
    assert project.status == Status.ON_HOLD


def test_a_refused_scorecard_answer_is_read_with_its_message_then_its_help(
    page, live_server, login, alice, bob
):
    must = next(c for c in criteria(1) if c.is_must_meet)
    must.help_text = "Signed by the data owner's legal team."
    must.save(update_fields=["help_text"])
    make_project(key="GL-0096", researcher=alice, product_manager=bob)
    login(page, live_server, bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/GL-0096/gate-review/")
    answers = page.get_by_role("radiogroup", name=must.name, exact=True)
    expect(answers).to_have_accessible_description(must.help_text)

    page.locator("input[name=decision][value=go]").check()
    page.get_by_role("button", name="Record decision").click()

    answers = page.get_by_role("radiogroup", name=must.name, exact=True)
    expect(answers).to_have_attribute("aria-invalid", "true")
    message = "Not answered: a go needs it met."
    assert answers.evaluate(DESCRIBED_BY_JS) == [message, must.help_text]
    expect(answers).to_have_accessible_description(f"{message} {must.help_text}")
    expect(page.locator(f"#id_must_{must.pk}_helptext")).to_be_visible()
