"""Two tabs on a draft's edit page: the second save is refused, not a silent overwrite."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.models import AuditEntry, Project, Status
from tests.builders import make_project
from tests.page_forms import form_data
from tests.portfolio.test_proposal_create import valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice, bob):
    typed = valid(bob, key="D-1")
    fields = {k: v for k, v in typed.items() if k not in ("key", "product_manager")}
    return make_project(
        key="D-1",
        researcher=alice,
        product_manager=bob,
        status=Status.DRAFT,
        **{**fields, "probability_of_success": "0.35", "hypothesis": "Old hypothesis."},
    )


def _two_tabs(client, url):
    return (
        form_data(client.get(url).content.decode(), url),
        form_data(client.get(url).content.decode(), url),
    )


def test_the_second_tab_is_refused_and_the_first_tabs_hypothesis_kept(client, alice, draft):
    url = reverse("proposal_edit", args=[draft.key])
    client.force_login(alice)
    tab_a, tab_b = _two_tabs(client, url)
    assert tab_a["hypothesis"] == "Old hypothesis."

    assert client.post(url, tab_a | {"hypothesis": "A's new hypothesis."}).status_code == 302
    refused = client.post(url, tab_b | {"title": "B's title"})
    assert refused.status_code == 400

    draft.refresh_from_db()
    assert draft.hypothesis == "A's new hypothesis."
    assert draft.title != "B's title"
    assert AuditEntry.objects.filter(project=draft, action="proposal.updated").count() == 1
    body = refused.content.decode()
    assert "Since this page was opened, Alice Researcher changed the draft (Hypothesis)" in body
    assert "Nothing was saved from this form" in body
    page = form_data(body, url)
    assert page["title"] == "B's title"
    assert 'data-field="hypothesis"' in body and "A&#x27;s new hypothesis." in body

    # Saved again from the refused page, knowingly: it goes through.
    assert client.post(url, page | {"hypothesis": "A's new hypothesis."}).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.hypothesis) == ("B's title", "A's new hypothesis.")


def test_saving_and_submitting_from_a_stale_tab_is_refused_too(client, alice, draft):
    url = reverse("proposal_edit", args=[draft.key])
    client.force_login(alice)
    tab_a, tab_b = _two_tabs(client, url)
    assert client.post(url, tab_a | {"hypothesis": "A's new hypothesis."}).status_code == 302
    refused = client.post(url, tab_b | {"action": "submit"})
    assert refused.status_code == 400
    draft = Project.objects.get(pk=draft.pk)
    assert draft.is_draft
    assert draft.hypothesis == "A's new hypothesis."
    assert "changed the draft" in refused.content.decode()


def test_a_new_builds_on_from_another_tab_is_a_change_too(client, alice, draft):
    done = make_project(key="DONE", researcher=alice)
    artifact = services.register_artifact(project=done, actor=alice, kind="dataset", name="Data")
    url = reverse("proposal_edit", args=[draft.key])
    client.force_login(alice)
    tab_a, tab_b = _two_tabs(client, url)
    assert client.post(url, tab_a | {"builds_on": [str(artifact.pk)]}).status_code == 302
    refused = client.post(url, tab_b)
    assert refused.status_code == 400
    assert draft.artifact_reuses.count() == 1
