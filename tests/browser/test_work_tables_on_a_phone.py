"""At 390 px the work tables (My work, people, imports) are cards: what matters is in view."""

from __future__ import annotations

import re

import pytest

from portfolio.models import Status
from tests.browser.expect import expect
from tests.builders import PASSWORD, decide, make_project

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups, which the previous live-server test's flush may have removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()


def in_view(locator) -> bool:
    """Wholly inside the phone's width, with no sideways scrolling."""
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_my_work_shows_a_researchers_drafts_and_projects_whole(page, live_server, login, alice):
    make_project(
        key="DRAFT-1", title="Triage", status=Status.DRAFT, researcher=alice, hypothesis=""
    )
    make_project(key="OPEN-1", title="Routing", researcher=alice)
    page.set_viewport_size(PHONE)
    login(page, live_server, alice.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    draft = page.get_by_role("row", name="DRAFT-1")
    still_to_do = draft.get_by_role("cell", name="Still to do")
    expect(still_to_do).to_contain_text("then submit")
    assert in_view(still_to_do)
    assert in_view(draft.get_by_role("link", name="Edit"))
    open_row = page.get_by_role("row", name="OPEN-1")
    for column in ("Where it stands", "The gate needs from you", "Waiting on others"):
        assert in_view(open_row.get_by_role("cell", name=column)), column
    assert fits(page)


def test_an_architects_queue_keeps_its_buttons_in_view(page, live_server, login, bob, carol):
    project = make_project(key="EST-1", product_manager=bob)
    decide(project, 1, "go")
    page.set_viewport_size(PHONE)
    login(page, live_server, carol.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    row = page.get_by_role("row", name="EST-1")
    assert in_view(row.get_by_role("button", name="Take it"))
    assert in_view(row.get_by_role("link", name="Write the estimate"))
    assert fits(page)


def test_the_people_page_shows_the_name_beside_its_buttons(page, live_server, login, adam, rita):
    page.set_viewport_size(PHONE)
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/people/")
    row = page.get_by_role("row", name="rita@example.com")
    assert in_view(row.get_by_role("rowheader"))
    assert in_view(row.get_by_role("button", name="Grant"))
    assert fits(page)


def test_the_imports_list_is_a_card_per_import(page, live_server, login, adam):
    from gates.models import ImportJob

    ImportJob.objects.create(
        created_by=adam,
        upload_bytes=61_000,
        status=ImportJob.Status.FAILED,
        phase="Refused: nothing was imported",
        problems=["spend.csv:2: amount: '$12,000' is not money: write 12000.00"],
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/portfolio/imports/")
    caption = page.locator("caption")
    expect(caption).to_be_visible()
    assert in_view(caption)
    row = page.locator("table.import-jobs tbody tr").first
    assert row.bounding_box()["height"] < 300
    assert in_view(row)
    assert fits(page)


def test_a_review_waiting_for_a_vote_keeps_its_vote_link_in_view(
    page, live_server, login, bob, carol
):
    from gates.defaults import create_default_gatekeepers, create_default_gates
    from gates.models import Criterion, Gate, Gatekeeper, RequiredDeliverable
    from tests.builders import add_estimate, add_study

    # The gates and their gatekeepers, which an earlier live-server test's flush may have removed.
    create_default_gates(Gate, RequiredDeliverable, Criterion)
    create_default_gatekeepers(Gate, Gatekeeper)
    project = make_project(key="VOTE-1", title="Routing", product_manager=bob)
    decide(project, 1, "go")
    add_study(project)
    add_estimate(project, carol)
    page.set_viewport_size(PHONE)
    login(page, live_server, carol.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    row = page.get_by_role("row", name="VOTE-1")
    expect(row.get_by_role("cell", name="Votes so far")).to_contain_text("0 of 2 gatekeepers")
    vote = row.get_by_role("link", name=re.compile(r"^Vote\b"))
    assert in_view(vote)
    assert fits(page)
    vote.click()
    expect(page.get_by_role("button", name="Cast my vote")).to_be_visible()
