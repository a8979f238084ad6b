"""The dashboard names people as the pages do ("Bob Product"), not by the e-mail address its
numbers are kept by; the JSON and the CSV downloads keep the addresses."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from portfolio import versioning
from portfolio.models import User
from tests.builders import make_user
from tests.portfolio.test_dashboard import build_portfolio

pytestmark = pytest.mark.django_db
URL = reverse("dashboard")
AS_OF = {"as_of": "2025-12-31"}


def _row_headers(html: str, panel: str) -> list[str]:
    """The people a panel's table lists (its rows' headers; the probability bins left out)."""
    section = html.split(f'class="card {panel}"', 1)[1].split("</section>", 1)[0]
    cells = re.findall(r"<th scope=\"row\">(.*?)</th>", section, re.S)
    return [text for cell in cells if "%" not in (text := re.sub(r"<[^>]+>", "", cell).strip())]


@pytest.fixture
def portfolio(bob):
    build_portfolio(2, "N")
    cache.clear()  # written directly, without the services' version bump


def test_product_managers_are_named_on_the_panels_and_kept_by_address_in_the_numbers(
    client, erin, bob, portfolio
):
    client.force_login(erin)
    html = client.get(URL, AS_OF).content.decode()

    assert _row_headers(html, "dash-calibration") == ["Bob Product"]
    zombies = html.split('class="card dash-zombies"', 1)[1].split("</section>", 1)[0]
    assert "Bob Product" in zombies and "bob@" not in zombies
    assert 'data-metric="calibration.pm.bob@example.com.forecasts"' in html

    csv = client.get(reverse("dashboard_csv", args=["calibration"]), AS_OF).content.decode()
    assert "bob@example.com" in csv and "Bob Product" not in csv
    assert (
        client.get(reverse("api_metrics"), AS_OF).json()["calibration"]["by_product_manager"][0][
            "product_manager"
        ]
        == "bob@example.com"
    )


def test_the_filter_s_scope_line_names_the_product_manager(client, erin, bob, portfolio):
    client.force_login(erin)
    html = client.get(URL, {**AS_OF, "product_manager": "bob@example.com"}).content.decode()
    assert "product manager Bob Product" in html


def test_someone_without_a_name_is_shown_by_address_and_two_of_one_name_by_both(
    client, erin, bob, portfolio
):
    User.objects.filter(pk=bob.pk).update(full_name="")
    cache.clear()
    client.force_login(erin)
    assert _row_headers(client.get(URL, AS_OF).content.decode(), "dash-calibration") == [
        "bob@example.com"
    ]

    User.objects.filter(pk=bob.pk).update(full_name="Sam Lee")
    make_user("sam@example.com", full_name="Sam Lee")
    cache.clear()
    assert _row_headers(client.get(URL, AS_OF).content.decode(), "dash-calibration") == [
        "Sam Lee (bob@example.com)"
    ]


def test_a_new_name_is_shown_at_once_even_when_no_number_moved(client, erin, bob, portfolio):
    client.force_login(erin)
    assert _row_headers(client.get(URL).content.decode(), "dash-calibration") == ["Bob Product"]
    # A change that moves no number (as the identity provider's new name is): on PostgreSQL the
    # numbers are kept as they were, and so would the panels be.
    with transaction.atomic(), versioning.changing():
        User.objects.filter(pk=bob.pk).update(full_name="Robert Product")
        versioning.bump()

    assert _row_headers(client.get(URL).content.decode(), "dash-calibration") == ["Robert Product"]


def test_the_board_pack_names_them_too(bob, portfolio):
    import datetime

    from boardpack import render

    html = render.pack_html(
        {"as_of": datetime.date(2025, 12, 31), "product_manager": "bob@example.com"}
    )
    assert "<tr><th>Bob Product</th>" in html
    assert "Product manager: Bob Product" in html
