"""A draft deleted in another tab, in a real browser: saving it keeps what was typed.

The researcher opens their draft in one tab and types, deletes the draft in a second tab,
then presses Save draft in the first. Nothing is saved: a page (410) says the draft was
deleted, by whom, shows what was typed, and offers to save it as a new draft; doing so
makes a new draft that holds the text.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from portfolio.models import Project, Status
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA, violations
from tests.builders import PASSWORD, make_project

# Live-server tests commit for real; the database is flushed after each.
pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Churn radar, rewritten"
HYPOTHESIS = "Churn shows a month ahead\nin the support tickets."


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)


def test_saving_a_draft_deleted_in_another_tab_keeps_the_text(
    page, live_server, login, axe, screenshot, alice, bob
):
    make_project(
        key="GL-0152",
        title="Churn radar",
        researcher=alice,
        product_manager=bob,
        status=Status.DRAFT,
    )
    login(page, live_server, alice.email, PASSWORD)

    # Tab 1: the draft's form, typed into and not yet saved.
    tab_1 = page
    tab_1.goto(f"{live_server.url}/projects/GL-0152/edit/")
    expect(tab_1.get_by_role("heading", name="Edit draft GL-0152")).to_be_visible()
    tab_1.get_by_label("Title").fill(TITLE)
    tab_1.get_by_label("Hypothesis").fill(HYPOTHESIS)

    # Tab 2: the same draft deleted, after its confirmation.
    tab_2 = page.context.new_page()
    tab_2.goto(f"{live_server.url}/projects/GL-0152/")
    tab_2.get_by_role("link", name="Delete draft").click()
    expect(tab_2.get_by_role("heading", name="Delete draft GL-0152?")).to_be_visible()
    tab_2.get_by_role("button", name="Delete the draft").click()
    expect(tab_2.get_by_role("heading", name="Delete draft GL-0152?")).to_be_hidden()
    assert not Project.objects.filter(key="GL-0152").exists()

    # Tab 1: Save draft saves nothing and says why, with what was typed.
    tab_1.bring_to_front()
    with tab_1.expect_response(
        lambda answer: answer.request.method == "POST" and "/GL-0152/edit/" in answer.url
    ) as saved:
        tab_1.get_by_role("button", name="Save draft").click()
    assert saved.value.status == 410
    expect(tab_1.get_by_role("heading", name="Draft GL-0152 was deleted")).to_be_visible()
    alert = tab_1.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved: GL-0152 (“Churn radar”) was deleted by you")
    expect(alert).to_contain_text("after this page was opened (in another tab or window)")
    typed = tab_1.locator("dl.typed-text")
    expect(typed.locator("dt", has_text="Title")).to_be_visible()
    expect(typed).to_contain_text(TITLE)
    expect(typed).to_contain_text("Churn shows a month ahead")
    expect(typed).to_contain_text("in the support tickets.")
    assert violations(tab_1, axe, {"type": "tag", "values": WCAG_22_AA}) == []
    screenshot(tab_1, "draft_deleted_in_another_tab")
    assert not Project.objects.filter(key="GL-0152").exists()

    # Saving it as a new draft keeps the text: a draft again, with the title and hypothesis.
    tab_1.get_by_role("button", name="Save it as a new draft").click()
    expect(tab_1.get_by_text("Draft GL-0152 saved.")).to_be_visible()
    expect(tab_1.get_by_role("heading", name=TITLE)).to_be_visible()
    again = Project.objects.get(key="GL-0152")
    assert again.status == Status.DRAFT and again.researcher == alice
    assert again.title == TITLE
    assert again.hypothesis.replace("\r\n", "\n") == HYPOTHESIS
    assert again.product_manager == bob

    # Its form holds the text, line for line.
    tab_1.goto(f"{live_server.url}/projects/GL-0152/edit/")
    expect(tab_1.get_by_label("Title")).to_have_value(TITLE)
    expect(tab_1.get_by_label("Hypothesis")).to_have_value(HYPOTHESIS)
    # Saved, the text is not offered again as unsaved in this tab.
    expect(tab_1.get_by_text("You have unsaved text")).to_have_count(0)
