"""Deleting a draft: its author only, while it is a draft, after a confirmation; audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry, Project, Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db


def url(project) -> str:
    return reverse("proposal_delete", args=[project.key])


@pytest.fixture
def draft(alice, bob) -> Project:
    return make_project(
        key="D-1", title="Half an idea", researcher=alice, product_manager=bob, status=Status.DRAFT
    )


def test_it_asks_for_confirmation_first(client, alice, draft):
    client.force_login(alice)
    response = client.get(url(draft))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Delete draft D-1?" in body
    assert f'<form method="post" action="{url(draft)}"' in body
    assert Project.objects.filter(pk=draft.pk).exists()


def test_its_author_deletes_it_and_the_deletion_is_audited(client, alice, draft):
    client.force_login(alice)
    response = client.post(url(draft), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Draft D-1 deleted." in response.content.decode()
    assert not Project.objects.filter(key="D-1").exists()
    entry = AuditEntry.objects.get(action="proposal.deleted")
    assert entry.actor == alice
    assert entry.summary == "Draft proposal D-1 deleted: Half an idea"
    # Its earlier history stays, no longer linked to a project.
    assert entry.project is None


def test_the_draft_page_and_its_form_offer_it(client, alice, draft):
    client.force_login(alice)
    for page in (draft.get_absolute_url(), reverse("proposal_edit", args=[draft.key])):
        assert f'href="{url(draft)}"' in client.get(page).content.decode()


def test_nobody_else_sees_it(client, rita, adam, draft):
    for person in (rita, adam):
        client.force_login(person)
        assert client.get(url(draft)).status_code == 404
        assert client.post(url(draft)).status_code == 404
    assert Project.objects.filter(pk=draft.pk).exists()


def test_a_submitted_proposal_cannot_be_deleted(client, alice, project):
    client.force_login(alice)
    assert client.post(url(project)).status_code == 403
    assert f'href="{url(project)}"' not in client.get(project.get_absolute_url()).content.decode()
    assert Project.objects.filter(pk=project.pk).exists()


def test_the_service_checks_author_and_state(alice, rita, draft, project):
    with pytest.raises(PermissionDenied):
        services.delete_draft(project=draft, actor=rita)
    with pytest.raises(DomainError):
        services.delete_draft(project=project, actor=alice)
    assert Project.objects.filter(pk__in=[draft.pk, project.pk]).count() == 2
    assert not AuditEntry.objects.filter(action="proposal.deleted").exists()
