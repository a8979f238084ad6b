"""NUL characters from the address or a cookie never reach a query (PostgreSQL refuses them).

Each case below was a 500 on PostgreSQL before NulBytesMiddleware; on SQLite
they run too, and must answer the same.
"""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "url",
    [
        "/projects/A%00B/",
        "/projects/A%00B/gate-review/",
        "/projects/?q=a%00b",
        "/projects/?a%00=1",
        "/dashboard/?product_manager=bob%00@example.com",
    ],
)
def test_it_answers_400_to_an_address_holding_a_nul(client, erin, url):
    client.force_login(erin)

    response = client.get(url)

    assert response.status_code == 400
    assert "Request not understood" in response.content.decode()


NUL_MESSAGE = (
    "The address contains a character that cannot be read (a NUL, written %00). "
    "Remove it and try again."
)


@pytest.mark.parametrize("url", ["/projects/?q=%00", "/projects/?q=a%00b", "/projects/A%00B/"])
def test_the_400_page_says_the_address_holds_a_nul(client, erin, url):
    client.force_login(erin)

    response = client.get(url)

    assert response.status_code == 400
    html = response.content.decode()
    assert NUL_MESSAGE in html
    # Not the page's message for a form too large, which this is not.
    assert "larger than this site accepts" not in html
    assert "send it again with less text" not in html


def test_the_400_page_says_it_to_someone_signed_out_too(client, db):
    response = client.get("/projects/?q=%00")

    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_it_answers_the_api_in_json(client, erin):
    client.force_login(erin)

    response = client.get(reverse("api_metrics"), {"product_manager": "a\x00b"})

    assert response.status_code == 400
    assert response.json()["error"] == NUL_MESSAGE


def test_it_answers_the_api_v1_with_a_problem_naming_the_nul(client, erin):
    client.force_login(erin)

    response = client.get("/api/v1/projects", {"q": "a\x00b"})

    assert response.status_code == 400
    assert response.json()["detail"] == NUL_MESSAGE


def test_it_answers_the_admin_too(client, adam):
    client.force_login(adam)

    response = client.get("/admin/portfolio/project/", {"status__exact": "a\x00b"})

    assert response.status_code == 400


def test_it_ignores_a_cookie_holding_a_nul(client, db):
    # Sent as "abcdefgh\000ijkl" in quotes, which the cookie parser decodes to a NUL.
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"

    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_lets_ordinary_requests_through(client, erin, project):
    client.force_login(erin)

    assert client.get(reverse("project_detail", args=[project.key])).status_code == 200
    assert client.get(reverse("project_list"), {"q": project.key}).status_code == 200
