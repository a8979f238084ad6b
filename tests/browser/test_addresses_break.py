"""E-mail addresses away from the dashboard's cards (the project page's key facts, its
timeline and audit trail, the people page) break at their "@" or a dot on a phone, not
mid-word: a person without a name is shown by address, and ``overflow-wrap: anywhere``
broke "a.very.long.product.manager.name@research.example.com" at any letter.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from tests.browser.test_form_polish import BROKEN_EMAILS_JS
from tests.builders import PASSWORD, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LONG_ADDRESS = "a.very.long.product.manager.name@research.example.com"


@pytest.fixture(autouse=True)
def roles_and_gates(transactional_db):
    """The role groups and the four gates, which an earlier live-server test's flush removed."""
    from portfolio.roles import ensure_roles

    ensure_roles()
    importlib.import_module("gates.migrations.0003_default_gates").create_gates(django_apps, None)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_address_on_the_project_page_breaks_at_its_at_or_a_dot(
    page, live_server, login, adam, bob
):
    from portfolio import services
    from portfolio.models import Role

    manager = make_user(LONG_ADDRESS, Role.PRODUCT_MANAGER)  # no name: shown by address
    project = make_project(key="MAIL-1", title="Addresses", product_manager=bob)
    services.correct_project(
        project=project, actor=adam, product_manager=manager, next_stage_ask=Decimal("1000")
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, manager.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/MAIL-1/")
    page.locator("#audit > summary").click()

    main = page.locator("main")
    # In the key facts (once: with no name, the person is shown by address) and in the
    # audit trail's changes.
    assert main.inner_text().count(LONG_ADDRESS) == 2
    assert main.evaluate(BROKEN_EMAILS_JS) == []
    assert fits(page)


def test_an_address_on_the_people_page_breaks_at_its_at_or_a_dot(page, live_server, login, adam):
    from portfolio.models import Role

    make_user(LONG_ADDRESS, Role.PRODUCT_MANAGER)
    page.set_viewport_size(PHONE)
    login(page, live_server, adam.email, PASSWORD)
    page.goto(f"{live_server.url}/people/")

    main = page.locator("main")
    assert main.inner_text().count(LONG_ADDRESS) >= 2
    assert main.evaluate(BROKEN_EMAILS_JS) == []
    assert fits(page)
