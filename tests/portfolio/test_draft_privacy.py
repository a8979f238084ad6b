"""A draft is its researcher's alone: no page, list or admin screen shows it to anyone else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Project, Status
from tests.builders import make_project, make_user


@pytest.fixture
def root(db):
    return make_user("root@example.com", is_superuser=True, is_staff=True)


@pytest.fixture
def draft(alice, bob):
    return make_project(
        key="SECRET-1",
        title="Confidential idea",
        status=Status.DRAFT,
        researcher=alice,
        product_manager=bob,
    )


def test_a_superuser_cannot_open_a_draft_the_list_hides(client, root, draft):
    client.force_login(root)
    assert "SECRET-1" not in client.get(reverse("project_list")).content.decode()
    assert client.get(reverse("project_detail", args=[draft.key])).status_code == 404


def test_visible_to_is_the_one_rule(alice, rita, root, draft):
    assert list(Project.objects.visible_to(alice)) == [draft]
    assert not Project.objects.visible_to(rita).exists()
    assert not Project.objects.visible_to(root).exists()


def test_the_admin_leaves_other_peoples_drafts_out(client, adam, draft):
    client.force_login(adam)
    listing = client.get(reverse("admin:portfolio_project_changelist"))
    assert listing.status_code == 200
    assert "SECRET-1" not in listing.content.decode()
    change = client.get(reverse("admin:portfolio_project_change", args=[draft.pk]))
    # The admin redirects (with "does not exist") rather than showing it.
    assert change.status_code == 302
    trail = client.get(reverse("admin:portfolio_auditentry_changelist"))
    assert "SECRET-1" not in trail.content.decode()


def test_a_superuser_cannot_edit_a_draft_in_the_admin(client, root, draft):
    client.force_login(root)
    response = client.post(
        reverse("admin:portfolio_project_change", args=[draft.pk]), {"title": "Taken over"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Confidential idea"
