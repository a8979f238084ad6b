"""The admin's pages name the app's icon, as every other page does: without it the browser
asked each admin page for /favicon.ico, which is a 404 (an error in the console)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ICON = 'rel="icon" href="/static/img/favicon.svg'


@pytest.mark.parametrize("url", ["/admin/login/", "/admin/", "/admin/portfolio/project/"])
def test_admin_pages_name_the_apps_icon(client, adam, url):
    if url != "/admin/login/":
        client.force_login(adam)

    response = client.get(url)

    assert response.status_code == 200
    assert ICON in response.content.decode()
