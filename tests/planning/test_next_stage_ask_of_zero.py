"""An ask of 0 is no ask: kept empty, so that the form, the API, the project page, the gate
review and the plan all say the project asks for nothing (docs/planning.md: "No ask (empty
or 0)"). It was kept as 0.00: the form and the API showed 0.00 while the pages said none.
Sent to the API: tests/api/test_next_stage_ask_of_zero.py; imported:
tests/gates/test_import_estimates.py."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio.models import Project
from tests.builders import make_project

pytestmark = pytest.mark.django_db


def ask_page(client, project) -> str:
    return client.get(reverse("next_stage_ask_edit", args=[project.key])).content.decode()


@pytest.mark.parametrize("typed", ["0", "0.00", "000"])
def test_an_ask_of_0_saved_from_the_page_is_no_ask(client, alice, project, typed):
    project.next_stage_ask = Decimal("1000")
    project.save()
    client.force_login(alice)
    response = client.post(
        reverse("next_stage_ask_edit", args=[project.key]), {"next_stage_ask": typed}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.next_stage_ask is None
    form = ask_page(client, project)
    assert 'name="next_stage_ask"' in form and "0.00" not in form
    detail = client.get(reverse("project_detail", args=[project.key])).content.decode()
    assert "Set the ask</a>" in detail


def test_the_field_says_that_0_or_empty_asks_nothing(client, alice, project):
    client.force_login(alice)
    assert "0 or empty: the project asks for nothing." in ask_page(client, project)


def test_asks_kept_as_0_before_become_no_ask_on_upgrade(project, alice):
    from django.apps import apps

    migration = importlib.import_module("portfolio.migrations.0016_no_ask_of_zero")
    asking = make_project(researcher=alice, next_stage_ask=Decimal("5000"))
    Project.objects.filter(pk=project.pk).update(next_stage_ask=Decimal(0))

    migration.zero_asks_to_none(apps, None)

    assert Project.objects.get(pk=project.pk).next_stage_ask is None
    assert Project.objects.get(pk=asking.pk).next_stage_ask == Decimal("5000")
