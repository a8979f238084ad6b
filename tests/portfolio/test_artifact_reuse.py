from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio import services
from portfolio.models import ArtifactReuse
from tests.builders import make_project


def url(project) -> str:
    return reverse("artifact_reuse", args=[project.key])


@pytest.fixture
def others_artifact(rita, bob):
    other = make_project(key="OTHER", researcher=rita, product_manager=bob)
    return services.register_artifact(project=other, actor=rita, kind="dataset", name="Claims")


def test_it_requires_login(client, project):
    response = client.get(url(project))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["rita", "bob", "carol", "erin"])
def test_it_refuses_everyone_but_the_researcher_and_admins(client, project, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(project)).status_code == 403


def test_it_offers_other_projects_artifacts_only(client, project, alice, others_artifact):
    own = services.register_artifact(project=project, actor=alice, kind="model", name="Own one")
    client.force_login(alice)
    response = client.get(url(project))
    assert response.status_code == 200
    choices = list(response.context["form"].fields["artifact"].queryset)
    assert choices == [others_artifact]
    assert own not in choices
    assert "Claims (Data set) — OTHER" in response.content.decode()


def test_it_links_the_artifact(client, project, alice, others_artifact):
    client.force_login(alice)
    response = client.post(url(project), {"artifact": others_artifact.pk}, follow=True)
    reuse = ArtifactReuse.objects.get()
    assert reuse.project == project
    assert reuse.artifact == others_artifact
    assert reuse.linked_by == alice
    assert f"{project.key} now reuses Claims." in response.content.decode()


def test_it_stops_offering_a_linked_artifact(client, project, alice, others_artifact):
    services.link_reused_artifact(project=project, artifact=others_artifact, actor=alice)
    client.force_login(alice)
    response = client.get(url(project))
    assert list(response.context["form"].fields["artifact"].queryset) == []
    assert "No other project has registered an artifact" in response.content.decode()
    response = client.post(url(project), {"artifact": others_artifact.pk})
    assert response.status_code == 400
    # Sent again (a second click, a page left open): it says why, not "a valid choice".
    assert response.context["form"].errors["artifact"] == [
        f"{project.key} reuses {others_artifact.key} already."
    ]
    assert ArtifactReuse.objects.count() == 1


def test_it_requires_a_choice(client, project, alice, others_artifact):
    client.force_login(alice)
    response = client.post(url(project), {})
    assert response.status_code == 400
    assert response.context["form"].errors["artifact"] == ["This field is required."]
    assert 'aria-invalid="true"' in response.content.decode()
