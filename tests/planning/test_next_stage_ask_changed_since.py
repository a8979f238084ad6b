"""The researcher and the product manager both set a project's next-stage ask: a page
opened before the other's save is refused, not a silent overwrite."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from planning.services import set_next_stage_ask
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


def test_the_page_opened_before_the_others_save_is_refused(project, alice, bob):
    set_next_stage_ask(project=project, ask=Decimal("50000"), actor=alice)
    url = reverse("next_stage_ask_edit", args=[project.key])
    researcher, manager = Client(), Client()
    researcher.force_login(alice)
    manager.force_login(bob)
    tab_a = form_data(manager.get(url).content.decode(), url)
    tab_b = form_data(researcher.get(url).content.decode(), url)

    assert manager.post(url, tab_a | {"next_stage_ask": "80,000"}).status_code == 302
    refused = researcher.post(url, tab_b | {"next_stage_ask": "60000"})
    assert refused.status_code == 400
    project.refresh_from_db()
    assert project.next_stage_ask == Decimal("80000.00")
    body = refused.content.decode()
    assert "Since this page was opened, Bob Product changed the next-stage ask (Ask)" in body
    page = form_data(body, url)
    assert page["next_stage_ask"] == "60000"
    assert ">80000.00</td>" in body

    assert researcher.post(url, page).status_code == 302
    project.refresh_from_db()
    assert project.next_stage_ask == Decimal("60000.00")
