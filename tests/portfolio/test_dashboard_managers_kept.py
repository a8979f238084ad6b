"""The dashboard's Product manager filter after spend alone: the people read before, not
read again (each spend entry is a new data version), and read again after anything else."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from portfolio import services, versioning
from portfolio.dashboard import views
from portfolio.models import Role
from tests.builders import make_project, make_user, record_spend

pytestmark = pytest.mark.django_db
URL = reverse("dashboard")


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """Each reading of the product managers, counted."""
    counted: list[int] = []
    read = views.product_manager_emails

    def counting():
        counted.append(1)
        return read()

    monkeypatch.setattr(views, "product_manager_emails", counting)
    monkeypatch.setattr(views, "_last_managers", None)
    return counted


def test_after_spend_alone_the_product_managers_are_not_read_again(client, erin, bob, reads):
    project = make_project(product_manager=bob)
    client.force_login(erin)
    client.get(URL)
    assert len(reads) == 1

    record_spend(project, datetime.date(2026, 1, 5), "120.00")
    record_spend(project, datetime.date(2026, 1, 6), "80.00")
    content = client.get(URL).content.decode()

    assert len(reads) == 1
    assert '<option value="bob@example.com">' in content


def test_after_another_change_they_are_read_again_and_show_it(client, erin, bob, adam, reads):
    project = make_project(product_manager=bob)
    client.force_login(erin)
    client.get(URL)
    record_spend(project, datetime.date(2026, 1, 5), "120.00")
    newcomer = make_user("nina@example.com", full_name="Nina Newcomer")
    services.grant_role(person=newcomer, role=Role.PRODUCT_MANAGER, actor=adam)

    content = client.get(URL).content.decode()

    assert len(reads) == 2
    assert '<option value="nina@example.com">Nina Newcomer (nina@example.com)</option>' in content


def test_spend_only_between_versions(bob):
    project = make_project(product_manager=bob)
    start = versioning.current()
    record_spend(project, datetime.date(2026, 1, 5), "1.00")
    record_spend(project, datetime.date(2026, 1, 6), "2.00")
    spent = versioning.current()
    assert versioning.spend_only_between(start, spent)
    assert versioning.spend_only_between(spent, spent)
    assert not versioning.spend_only_between(spent, start)  # backwards
    versioning.bump()  # a change that is not a spend entry (an import, an admin's edit)
    assert not versioning.spend_only_between(start, versioning.current())
