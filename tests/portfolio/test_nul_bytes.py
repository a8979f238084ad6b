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


def test_it_answers_the_api_in_json(client, erin):
    client.force_login(erin)

    response = client.get(reverse("api_metrics"), {"product_manager": "a\x00b"})

    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


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
