"""In the Django admin's user page, unticking the Product manager role of someone who still
owns open projects asks first, in the admin's look (admin/portfolio/user/
remove_role_confirmation.html): Go back shows the form as typed, Yes saves it all.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from portfolio.models import Role
from tests.browser.expect import expect
from tests.browser.test_every_page import WCAG_22_AA
from tests.builders import PASSWORD, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def test_the_admin_is_asked_and_goes_back_to_the_form_as_typed(
    page, live_server, login, axe, screenshot, adam, alice, bob
):
    for n in (1, 2):
        make_project(key=f"GL-000{n}", researcher=alice, product_manager=bob)
    pm = Group.objects.get(name=Role.PRODUCT_MANAGER)
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/portfolio/user/{bob.pk}/change/")
    page.get_by_label("Full name").fill("Bob P. Renamed")
    page.select_option("#id_groups_to", str(pm.pk))
    page.locator("#id_groups_remove").click()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove the Product manager role from Bob Product?"
    )
    expect(page.locator("#content")).to_contain_text(
        "bob@example.com is the product manager of 2 open projects (active or on hold): "
        "GL-0001, GL-0002."
    )
    screenshot(page, "admin-remove-role-confirmation")
    wcag = {"type": "tag", "values": WCAG_22_AA}
    assert axe.run(page, options={"runOnly": wcag}).response["violations"] == []

    page.get_by_role("button", name="Go back").click()
    expect(page.get_by_label("Full name")).to_have_value("Bob P. Renamed")
    expect(page.locator("#id_groups_error")).to_contain_text("Save again to be asked")
    bob.refresh_from_db()
    assert bob.full_name == "Bob Product" and bob.groups.filter(pk=pm.pk).exists()

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Yes, remove the Product manager role").click()
    expect(page).to_have_url(re.compile(r"/admin/portfolio/user/$"))
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    bob.refresh_from_db()
    assert bob.full_name == "Bob P. Renamed" and not bob.groups.filter(pk=pm.pk).exists()
