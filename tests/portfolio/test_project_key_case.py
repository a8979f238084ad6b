"""A project's key in another letter case: pages redirect to its address, the API finds it.

Keys are unique ignoring case (the proposal form refuses ``gl-0001`` beside ``GL-0001``),
so ``/projects/gl-0071/`` can only mean GL-0071. It was a 404 on every project page and in
the API, while ``/artifacts/ar-0001/`` opened AR-0001.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from portfolio.models import Project, SpendEntry, Status
from tests.builders import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def gl(alice, bob) -> Project:
    return make_project(key="GL-0071", title="Triage support tickets", researcher=alice)


def test_a_project_page_redirects_a_key_in_another_case_to_its_address(client, bob, gl):
    client.force_login(bob)
    response = client.get("/projects/gl-0071/")
    assert response.status_code == 301
    assert response.url == reverse("project_detail", args=["GL-0071"])
    page = client.get(response.url)
    assert "Triage support tickets" in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("/projects/Gl-0071/gate-review/", "/projects/GL-0071/gate-review/"),
        ("/projects/gl-0071/feasibility-study/", "/projects/GL-0071/feasibility-study/"),
        ("/projects/gl-0071/next-stage-ask/", "/projects/GL-0071/next-stage-ask/"),
        ("/projects/gl-0071/spend/", "/projects/GL-0071/spend/"),
    ],
)
def test_every_project_page_redirects_in_the_same_way(client, alice, gl, typed, stored):
    client.force_login(alice)
    response = client.get(typed)
    assert (response.status_code, response.url) == (301, stored)


def test_the_redirect_keeps_the_query(client, bob, gl):
    client.force_login(bob)
    response = client.get("/projects/gl-0071/gate-review/?recorded=2")
    assert (response.status_code, response.url) == (
        301,
        "/projects/GL-0071/gate-review/?recorded=2",
    )


def test_a_key_stored_in_lower_case_is_found_from_upper_case(client, bob, alice):
    make_project(key="gl-9999", title="Lower-case key", researcher=alice)
    client.force_login(bob)
    response = client.get("/projects/GL-9999/")
    assert (response.status_code, response.url) == (301, "/projects/gl-9999/")


def test_the_key_as_stored_opens_the_page_without_a_redirect(client, bob, gl):
    client.force_login(bob)
    assert client.get("/projects/GL-0071/").status_code == 200


def test_a_post_to_a_key_in_another_case_is_a_404_and_saves_nothing(client, bob, gl):
    client.force_login(bob)
    response = client.post("/projects/gl-0071/spend/", {"month": "2026-01", "amount": "10"})
    assert response.status_code == 404
    assert not SpendEntry.objects.exists()


def test_someone_elses_draft_is_a_404_in_either_case(client, rita, alice):
    make_project(key="DR-0001", status=Status.DRAFT, researcher=alice)
    client.force_login(rita)
    assert client.get("/projects/DR-0001/").status_code == 404
    assert client.get("/projects/dr-0001/").status_code == 404
    client.force_login(alice)
    assert client.get("/projects/dr-0001/").status_code == 301  # its author's


def test_signed_out_the_page_asks_to_sign_in_without_naming_the_project(client, gl):
    response = client.get("/projects/gl-0071/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "GL-0071" not in response.url


def test_a_key_no_project_has_in_any_case_is_a_404(client, bob, gl):
    client.force_login(bob)
    assert client.get("/projects/gl-0072/").status_code == 404
