"""/artifacts/KEY/: an artifact's lineage, produced by and reused by, with status and value."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio import services
from tests.builders import decide, greenlight, make_project


@pytest.fixture
def salvaged(alice, rita, bob, carol):
    dead = make_project(key="DEAD", title="Churn study", researcher=rita, product_manager=bob)
    decide(dead, 1, "kill", bob, decided_on=datetime.date(2026, 2, 1))
    data = services.register_artifact(
        project=dead,
        actor=rita,
        kind="dataset",
        name="Labelled <claims>",
        key="AR-0001",
        created_on=datetime.date(2026, 1, 20),
    )
    built = greenlight(make_project(key="BUILT", title="Triage", researcher=alice), bob, carol)
    services.link_reused_artifact(
        project=built, artifact=data, actor=alice, used_on=datetime.date(2026, 1, 20)
    )
    services.record_outcome(
        project=built, actor=bob, month=datetime.date(2026, 2, 1), realized_value=Decimal("1234.5")
    )
    return data


def url(key: str) -> str:
    return reverse("artifact_detail", args=[key])


def test_it_shows_the_lineage_with_status_and_realized_value(client, salvaged, erin):
    client.force_login(erin)
    text = client.get(url("AR-0001")).content.decode()
    assert "Salvaged from a killed project" in text
    assert "DEAD" in text and "Killed" in text
    assert "BUILT" in text and "Greenlit" in text
    assert "1,235" in text  # BUILT realized 1234.50, shown in whole units
    assert "2026-01-20" in text  # used since


def test_the_key_is_found_ignoring_case(client, salvaged, erin):
    client.force_login(erin)
    assert client.get(url("ar-0001")).status_code == 200


def test_user_text_comes_out_escaped(client, salvaged, erin):
    client.force_login(erin)
    text = client.get(url("AR-0001")).content.decode()
    assert "Labelled &lt;claims&gt;" in text
    assert "<claims>" not in text


def test_an_unknown_key_is_404(client, erin):
    client.force_login(erin)
    assert client.get(url("AR-4040")).status_code == 404


def test_it_requires_login(client, salvaged):
    response = client.get(url("AR-0001"))
    assert response.status_code == 302
