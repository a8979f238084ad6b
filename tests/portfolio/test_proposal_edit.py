from __future__ import annotations

from django.urls import reverse

from portfolio.models import AuditEntry, Status
from tests.builders import make_project
from tests.portfolio.test_proposal_create import valid


def url(project) -> str:
    return reverse("proposal_edit", args=[project.key])


def test_it_requires_login(client, alice):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    response = client.get(url(draft))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_hides_another_researchers_draft(client, alice, rita):
    draft = make_project(researcher=alice, status=Status.DRAFT)
    client.force_login(rita)
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), {}).status_code == 404


def test_its_author_is_told_a_submitted_proposal_is_no_longer_edited(client, alice, project):
    # The edit page reached again after submitting (Back, a second tab): no change is made,
    # and the message says why, not that the role does not allow it.
    title = project.title
    client.force_login(alice)
    for response in (
        client.get(url(project), follow=True),
        client.post(url(project), {"title": "Changed after submission"}, follow=True),
    ):
        assert response.redirect_chain[-1][0] == project.get_absolute_url()
        assert "was submitted on" in response.content.decode()
        assert "a submitted proposal is no longer edited" in response.content.decode()
    project.refresh_from_db()
    assert project.title == title


def test_it_refuses_others_on_a_submitted_proposal(client, bob, project):
    client.force_login(bob)
    assert client.get(url(project)).status_code == 403


def test_it_shows_the_draft_in_the_form(client, alice, bob):
    draft = make_project(researcher=alice, status=Status.DRAFT, title="Old title")
    client.force_login(alice)
    response = client.get(url(draft))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Old title"' in body
    assert f'<option value="{bob.pk}" selected>' in body


def test_it_saves_the_changes_and_audits_them(client, alice, bob):
    draft = make_project(key="D-1", researcher=alice, status=Status.DRAFT, title="Old title")
    client.force_login(alice)
    response = client.post(url(draft), valid(bob, key="D-1", title="New title"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "New title"
    assert draft.is_draft
    entry = AuditEntry.objects.get(project=draft, action="proposal.updated")
    assert entry.changes["title"] == ["Old title", "New title"]


def test_it_follows_a_changed_key(client, alice, bob):
    draft = make_project(key="D-1", researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(url(draft), valid(bob, key="D-2"))
    assert response.url == reverse("project_detail", args=["D-2"])


def test_it_shows_validation_errors_inline(client, alice, bob):
    draft = make_project(key="D-1", researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(url(draft), valid(bob, key="D-1", title=""))
    assert response.status_code == 400
    assert response.context["form"].errors["title"] == ["This field is required."]


def test_it_refuses_a_key_taken_by_another_project(client, alice, bob):
    make_project(key="TAKEN")
    draft = make_project(key="D-1", researcher=alice, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(url(draft), valid(bob, key="taken"))
    assert response.context["form"].errors["key"] == [
        "The key taken is already taken: choose another (the next free one is PR-0001)."
    ]
