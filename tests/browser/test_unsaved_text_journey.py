"""Unsaved text kept in the tab (static/js/drafts.js), in a real browser.

A researcher writes a feasibility study, signs out in a second tab and presses Save in
the first: the sign-in page, then back on the form, which offers the text again; restored
and saved, it is gone from the tab. Another person signing in on that tab is never offered
it; Discard forgets it; a decision's rationale comes back the same way through htmx.
"""

from __future__ import annotations

import contextlib
import importlib
import re

import pytest
from django.apps import apps

from gates.defaults import create_default_gatekeepers
from gates.models import FeasibilityStudy, Gate, Gatekeeper, Vote
from gates.services import save_feasibility_study
from portfolio.models import Artifact
from tests.browser.expect import expect
from tests.browser.test_every_page import (
    OVERFLOWING_JS,
    PHONE,
    SMALL_TARGETS_JS,
    TOUCH_TARGET_PX,
    WCAG_22_AA,
)
from tests.builders import PASSWORD, add_estimate, add_study, make_project

pytestmark = pytest.mark.django_db(transaction=True)

FINDINGS = (
    "We labelled 4,000 tickets by hand and trained a classifier on them.\n\n"
    "On a held-out month it routed 71 % of tickets to the right queue."
)
EVIDENCE = "Notebook runs 12-19; the held-out month was March."
OFFER = re.compile(r"^You have unsaved text from \d\d:\d\d in this tab\.$")


@pytest.fixture(autouse=True)
def default_gates(transactional_db):
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(apps, None)
    create_default_gatekeepers(Gate, Gatekeeper)


KEPT_KEYS_JS = (
    "Object.keys(sessionStorage).filter((key) => key.startsWith('greenlight-draft:')).sort()"
)


def kept_keys(page) -> list[str]:
    return page.evaluate(KEPT_KEYS_JS)


def expect_kept(page, expected: list[str]) -> None:
    """The tab keeps the text of exactly ``expected``: waited for, since the page's script
    forgets a saved form's text after the page is drawn (a check made at once raced it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    # On a timeout the assertion below says what is kept instead.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"(expected) => JSON.stringify({KEPT_KEYS_JS}) === JSON.stringify(expected)",
            arg=sorted(expected),
            timeout=5_000,
        )
    assert kept_keys(page) == sorted(expected)


def sign_out_in_another_tab(page, live_server) -> None:
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Sign out").click()
    expect(other.get_by_role("heading", name="Sign in to Greenlight")).to_be_visible()
    other.close()


def sign_in_here(page, email: str) -> None:
    """On the sign-in page this tab was sent to, keeping its ``next``."""
    expect(page.get_by_role("heading", name="Sign in to Greenlight")).to_be_visible()
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_text_saved_while_signed_out_is_offered_back_and_saved(
    page, live_server, login, axe, screenshot, alice, bob
):
    project = make_project(key="KEPT-1", researcher=alice, product_manager=bob)
    url = f"{live_server.url}/projects/KEPT-1/feasibility-study/"
    login(page, live_server, alice.email, PASSWORD)
    page.goto(url)
    page.get_by_label("Findings").fill(FINDINGS)
    page.get_by_role("radio", name="Partly").check()
    page.get_by_label("Evidence").fill(EVIDENCE)
    page.get_by_role("radio", name="Medium").check()
    page.get_by_label("Recommended next step").select_option("continue")

    sign_out_in_another_tab(page, live_server)
    page.get_by_role("button", name="Save study").click()
    # Sent to sign in, then straight back to the form; nothing was saved.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=.*feasibility-study"))
    assert not FeasibilityStudy.objects.filter(project=project).exists()
    sign_in_here(page, alice.email)
    expect(page).to_have_url(url)

    # Offered, not filled in unasked.
    notice = page.locator("[data-draft-notice]")
    expect(notice.get_by_role("status")).to_have_text(OFFER)
    expect(notice).not_to_contain_text("saved again")
    expect(page.get_by_label("Findings")).to_have_value("")
    screenshot(page, "unsaved-text-offered")
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(page, options={"runOnly": wcag}).response["violations"] == []
    # On a phone: it fits, and its buttons are big enough for a thumb.
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOWING_JS) == []
    small = page.evaluate(SMALL_TARGETS_JS, TOUCH_TARGET_PX)
    assert [target for target in small if "Restore" in target or "Discard" in target] == []
    screenshot(page, "unsaved-text-offered-phone")

    notice.get_by_role("button", name="Restore it").click()
    expect(notice.get_by_role("status")).to_have_text(
        re.compile(r"^Your unsaved text from \d\d:\d\d is back in the form\.")
    )
    expect(notice.get_by_role("status")).to_be_focused()
    expect(notice.get_by_role("button")).to_have_count(0)
    expect(page.get_by_label("Findings")).to_have_value(FINDINGS)
    expect(page.get_by_label("Evidence")).to_have_value(EVIDENCE)
    expect(page.get_by_role("radio", name="Partly")).to_be_checked()
    expect(page.get_by_role("radio", name="Medium")).to_be_checked()
    expect(page.get_by_label("Recommended next step")).to_have_value("continue")

    page.get_by_role("button", name="Save study").click()
    expect(page.get_by_text("Feasibility study saved.")).to_be_visible()
    study = FeasibilityStudy.objects.get(project=project)
    # Kept with "\n" line breaks, as the browser's "\r\n" are (portfolio.validators).
    assert (study.findings, study.evidence) == (FINDINGS, EVIDENCE)
    expect_kept(page, [])
    page.goto(url)
    expect(page.get_by_label("Findings")).to_have_value(FINDINGS)
    expect(page.locator("[data-draft-notice]")).to_have_count(0)


def test_text_sent_with_an_expired_token_is_offered_back(page, live_server, login, alice, bob):
    """Signed out and in again in another tab: the form's security token is replaced, and
    Save answers the expired-form page; the text comes back when the form is opened again."""
    make_project(key="KEPT-6", researcher=alice, product_manager=bob)
    url = f"{live_server.url}/projects/KEPT-6/feasibility-study/"
    login(page, live_server, alice.email, PASSWORD)
    page.goto(url)
    page.get_by_label("Findings").fill(FINDINGS)
    other = page.context.new_page()
    other.goto(f"{live_server.url}/accounts/login/")  # the form gives the tab a new token
    sign_in_here(other, alice.email)
    other.close()

    page.get_by_role("button", name="Save study").click()
    expect(page.get_by_role("heading", name="This form has expired")).to_be_visible()
    expect(page.get_by_text("is kept in this tab")).to_be_visible()
    page.goto(url)
    notice = page.locator("[data-draft-notice]")
    notice.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label("Findings")).to_have_value(FINDINGS)


def test_restored_text_does_not_replace_a_change_saved_since_unseen(
    page, live_server, login, alice, bob
):
    """The text keeps the version of the study it was typed against: saved after a change
    made since, it is refused with the change beside it, as any stale save is."""
    project = make_project(key="KEPT-5", researcher=alice, product_manager=bob)
    add_study(project, alice, evidence="Two pilots.")
    url = f"{live_server.url}/projects/KEPT-5/feasibility-study/"
    login(page, live_server, alice.email, PASSWORD)
    page.goto(url)
    page.get_by_label("Findings").fill(FINDINGS)
    page.get_by_role("radio", name="Partly").check()  # typed: a change from "yes"
    # Meanwhile, elsewhere (another tab, another session): the evidence is revised.
    save_feasibility_study(
        project=project,
        actor=alice,
        **{**_study_fields(project), "evidence": "Two pilots and a third in March."},
    )
    page.reload()

    notice = page.locator("[data-draft-notice]")
    expect(notice).to_contain_text("This form was saved again since then")
    expect(page.get_by_label("Evidence")).to_have_value("Two pilots and a third in March.")
    notice.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label("Findings")).to_have_value(FINDINGS)
    page.get_by_role("button", name="Save revision").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Nothing was saved")
    row = page.locator('[data-testid="changed-since"] tr[data-field="evidence"]')
    expect(row.get_by_test_id("saved-now")).to_have_text("Two pilots and a third in March.")
    assert FeasibilityStudy.objects.get(project=project).findings != FINDINGS
    # The refused page still holds unsaved text: kept, not offered (it is in the fields).
    expect_kept(page, [f"greenlight-draft:{alice.pk}:feasibility_study:KEPT-5"])
    expect(page.locator("[data-draft-notice]")).to_have_count(0)


def _study_fields(project) -> dict:
    study = FeasibilityStudy.objects.get(project=project)
    names = ["findings", "hypothesis_held", "evidence", "confidence", "recommended_next_step"]
    return {name: getattr(study, name) for name in names}


def test_another_person_signing_in_on_the_tab_is_not_offered_the_text(
    page, live_server, login, alice, adam
):
    make_project(key="KEPT-2", researcher=alice)
    url = f"{live_server.url}/projects/KEPT-2/artifacts/new/"
    login(page, live_server, alice.email, PASSWORD)
    page.goto(url)
    page.get_by_label("Description").fill("Alice's notes on the model, not for Adam.")
    sign_out_in_another_tab(page, live_server)
    page.get_by_role("button", name="Register artifact").click()

    sign_in_here(page, adam.email)
    expect(page).to_have_url(url)
    expect(page.get_by_role("heading", name=re.compile("Already registered"))).to_be_visible()
    expect(page.locator("[data-draft-notice]")).to_have_count(0)
    expect(page.get_by_label("Description")).to_have_value("")
    expect_kept(page, [])  # Alice's text is gone from the tab, not just not offered
    assert not Artifact.objects.exists()


def test_discard_forgets_the_text(page, live_server, login, alice):
    make_project(key="KEPT-3", researcher=alice)
    url = f"{live_server.url}/projects/KEPT-3/artifacts/new/"
    login(page, live_server, alice.email, PASSWORD)
    page.goto(url)
    page.get_by_label("Description").fill("A first attempt.")
    page.reload()  # the text is kept as it is typed, not only when the form is sent

    notice = page.locator("[data-draft-notice]")
    expect(notice.get_by_role("status")).to_have_text(OFFER)
    # Until Restore or Discard, what is typed does not replace the text offered.
    page.get_by_label("Description").fill("Typed over it before choosing.")
    page.wait_for_timeout(600)
    [key] = kept_keys(page)
    assert "A first attempt." in page.evaluate("(key) => sessionStorage.getItem(key)", key)
    notice.get_by_role("button", name="Discard").click()
    expect(notice.get_by_role("status")).to_have_text(
        re.compile(r"^The unsaved text from \d\d:\d\d was discarded\.$")
    )
    expect(notice.get_by_role("status")).to_be_focused()
    expect(page.get_by_label("Description")).to_have_value("Typed over it before choosing.")
    expect_kept(page, [])
    page.get_by_label("Description").fill("")
    page.wait_for_timeout(600)
    page.reload()
    expect(page.get_by_label("Name")).to_be_visible()
    expect(page.locator("[data-draft-notice]")).to_have_count(0)


def test_a_decisions_rationale_comes_back_after_signing_in_through_htmx(
    page, live_server, login, alice, bob
):
    make_project(key="KEPT-4", researcher=alice, product_manager=bob)
    review = f"{live_server.url}/projects/KEPT-4/gate-review/"
    login(page, live_server, bob.email, PASSWORD)
    page.goto(review)
    page.locator("input[name=decision][value=hold]").check()
    rationale = "Wait for the March data before deciding: the pilot month was unusual."
    page.get_by_role("textbox", name="Rationale").fill(rationale)

    sign_out_in_another_tab(page, live_server)
    page.get_by_role("button", name="Record decision").click()
    # The sign-in page in the window (not in the review's region), then the review again.
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=.*gate-review"))
    sign_in_here(page, bob.email)
    expect(page).to_have_url(review)
    notice = page.locator("[data-draft-notice]")
    expect(page.get_by_role("textbox", name="Rationale")).to_have_value("")
    notice.get_by_role("button", name="Restore it").click()
    expect(page.get_by_role("textbox", name="Rationale")).to_have_value(rationale)
    expect(page.locator("input[name=decision][value=hold]")).to_be_checked()

    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Hold at Gate 1: Exploration recorded")).to_be_visible()
    expect_kept(page, [])


def test_a_vote_comment_comes_back_after_signing_in(page, live_server, login, alice, bob, carol):
    project = make_project(
        key="KEPT-7", researcher=alice, product_manager=bob, current_gate=3, decisions_count=2
    )
    add_study(project, alice)
    add_estimate(project, carol)
    review = f"{live_server.url}/projects/KEPT-7/gate-review/"
    login(page, live_server, carol.email, PASSWORD)
    page.goto(review)
    vote = page.locator("form.vote-form")
    vote.locator("label.decision-choice", has_text="Kill").click()
    comment = "Running it costs more than it saves: the GPU bill alone is 40k a year."
    vote.get_by_label("Comment").fill(comment)

    sign_out_in_another_tab(page, live_server)
    vote.get_by_role("button", name="Cast my vote").click()
    sign_in_here(page, carol.email)
    expect(page).to_have_url(review)  # the review, not the address the vote is posted to
    page.locator("[data-draft-notice]").get_by_role("button", name="Restore it").click()
    expect(vote.get_by_label("Comment")).to_have_value(comment)
    vote.get_by_role("button", name="Cast my vote").click()
    expect(page.get_by_text("Your kill vote is recorded")).to_be_visible()
    assert Vote.objects.get(voter=carol).comment == comment
    expect_kept(page, [])
