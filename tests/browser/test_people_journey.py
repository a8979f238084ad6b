"""An admin grants a role on the People page and takes it back, in a real browser."""

from __future__ import annotations

import pytest

from portfolio.models import AuditEntry, Role
from tests.browser.expect import expect
from tests.builders import PASSWORD, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """The role groups, which the previous live-server test's flush may have removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()


def test_an_admin_grants_and_removes_a_role(
    role_groups, page, live_server, login, screenshot, adam, rita
):
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", name="People and roles")).to_be_visible()
    # Their own row offers nothing: another admin changes their roles.
    expect(page.get_by_text("Your own roles are changed by another admin.")).to_be_visible()

    page.get_by_label("Role to grant to rita@example.com").select_option(Role.EXECUTIVE)
    page.get_by_role("row", name="rita@example.com").get_by_role("button", name="Grant").click()
    expect(page.get_by_text("rita@example.com now has the Executive role.")).to_be_visible()
    assert rita.groups.filter(name=Role.EXECUTIVE).exists()
    screenshot(page, "people")

    page.get_by_role("button", name="Remove the Executive role from rita@example.com").click()
    expect(page.get_by_text("rita@example.com no longer has the Executive role.")).to_be_visible()
    assert not rita.groups.filter(name=Role.EXECUTIVE).exists()
    assert AuditEntry.objects.filter(actor=adam, action__startswith="role.").count() == 2


def test_the_people_page_fits_a_phone(page, live_server, login, adam, rita):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/people/")
    expect(page.get_by_role("heading", name="People and roles")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_removing_the_pm_role_from_an_owner_of_open_projects_asks_first(
    role_groups, page, live_server, login, screenshot, adam, bob, alice
):
    make_project(key="GL-0138", researcher=alice, product_manager=bob)
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/people/")

    page.get_by_role("button", name="Remove the Product manager role from bob@example.com").click()
    expect(
        page.get_by_role("heading", name="Remove the Product manager role from Bob Product?")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("GL-0138")
    assert bob.groups.filter(name=Role.PRODUCT_MANAGER).exists()
    screenshot(page, "people-remove-role")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    page.get_by_role("button", name="Yes, remove the Product manager role").click()
    expect(
        page.get_by_text("bob@example.com no longer has the Product manager role.")
    ).to_be_visible()
    assert not bob.groups.filter(name=Role.PRODUCT_MANAGER).exists()

    # His project stays findable from the project list's filter.
    page.goto(f"{live_server.url}/projects/?pm=bob%40example.com")
    expect(page.get_by_role("link", name="GL-0138")).to_be_visible()


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _fits_and_passes_axe(page, axe) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert [v["id"] for v in results.response["violations"]] == []


def test_an_admin_searches_people_on_a_phone(
    role_groups, page, live_server, login, screenshot, axe, adam, rita, alice
):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/people/")
    search = page.get_by_role("searchbox", name="Search")
    for control in (search, page.get_by_role("button", name="Search", exact=True)):
        assert control.bounding_box()["height"] >= 44

    search.fill("RITA")
    search.press("Enter")
    expect(page.get_by_text("1 person matches “RITA”.")).to_be_visible()
    expect(page.get_by_role("row", name="rita@example.com")).to_be_visible()
    expect(page.get_by_role("row", name="alice@example.com")).to_have_count(0)
    expect(search).to_have_value("RITA")
    _fits_and_passes_axe(page, axe)
    screenshot(page, "people-search")

    # A role granted from the search comes back to it.
    page.get_by_label("Role to grant to rita@example.com").select_option(Role.EXECUTIVE)
    page.get_by_role("row", name="rita@example.com").get_by_role("button", name="Grant").click()
    expect(page.get_by_text("rita@example.com now has the Executive role.")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("RITA")
    expect(page.get_by_role("row", name="alice@example.com")).to_have_count(0)

    search = page.get_by_role("searchbox", name="Search")
    search.fill("nobody at all")
    search.press("Enter")
    expect(page.get_by_text("No one matches “nobody at all”.")).to_be_visible()
    _fits_and_passes_axe(page, axe)
    page.get_by_role("link", name="Show everyone").click()
    expect(page.get_by_role("row", name="alice@example.com")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("")
