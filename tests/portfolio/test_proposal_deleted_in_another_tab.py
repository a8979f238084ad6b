"""Saving a draft deleted in another tab: a page saying it was deleted, by whom and when,
with what was typed and a way to keep it, never a bare 404 that loses the text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Project, Status
from portfolio.services import delete_draft
from tests.builders import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def deleted_draft(alice, bob):
    draft = make_project(
        key="GL-0152",
        title="Churn radar",
        researcher=alice,
        product_manager=bob,
        status=Status.DRAFT,
    )
    delete_draft(project=draft, actor=alice)
    return draft


TYPED = {
    "key": "GL-0152",
    "title": "Churn radar, rewritten",
    "hypothesis": "Churn shows a month ahead\nin the support tickets.",
    "action": "save",
}


def test_saving_a_draft_deleted_in_another_tab_shows_what_was_typed(client, alice, deleted_draft):
    client.force_login(alice)
    response = client.post(reverse("proposal_edit", args=["GL-0152"]), TYPED)
    assert response.status_code == 410
    body = response.content.decode()
    assert "Draft GL-0152 was deleted" in body
    assert "was deleted by you on" in body and "Nothing was saved" in body
    assert "Churn radar, rewritten" in body
    assert "Churn shows a month ahead<br>in the support tickets." in body
    assert 'action="/proposals/new/"' in body and "Save it as a new draft" in body
    assert '<input type="hidden" name="title" value="Churn radar, rewritten">' in body


def test_the_typed_text_saves_as_a_new_draft(client, alice, deleted_draft):
    client.force_login(alice)
    body = client.post(reverse("proposal_edit", args=["GL-0152"]), TYPED).content.decode()
    assert 'name="version_seen"' not in body and 'name="action"' not in body
    resent = {"title": "Churn radar, rewritten", "key": "GL-0152"}
    response = client.post(
        reverse("proposal_create"), {**resent, "hypothesis": TYPED["hypothesis"]}
    )
    assert response.status_code == 302
    again = Project.objects.get(key="GL-0152")
    assert (again.title, again.status) == ("Churn radar, rewritten", Status.DRAFT)


def test_someone_else_gets_the_404_as_before(client, rita, deleted_draft):
    client.force_login(rita)
    assert client.post(reverse("proposal_edit", args=["GL-0152"]), TYPED).status_code == 404


def test_a_key_never_used_is_a_404_as_before(client, alice):
    client.force_login(alice)
    assert client.post(reverse("proposal_edit", args=["GL-9999"]), TYPED).status_code == 404
