"""Each dashboard table as a CSV download, with the page's filters."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from gates.models import Gate, GateDecision
from portfolio.metrics import CSV_TABLES
from portfolio.metrics.open_projects import ZOMBIE_COLUMNS
from portfolio.services import record_spend
from tests.builders import make_project
from tests.portfolio.dashboard_sample import expected, import_sample


def url(table: str) -> str:
    return reverse("dashboard_csv", args=[table])


def rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def number(text: str) -> float | None:
    return float(text) if text != "" else None


def test_it_downloads_the_funnel_as_the_metrics_engine_computes_it(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(url("funnel"), {"as_of": "2026-06-30", "bucket": "revenue"})

    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="greenlight-funnel-2026-06-30-revenue.csv"'
    )
    wanted = expected("metrics-2026-06-30-bucket-revenue.json")["funnel"]
    got = rows(response)
    assert list(got[0]) == list(wanted[0])
    assert [{k: number(v) for k, v in row.items()} for row in got] == wanted


@pytest.mark.parametrize("table", ["series", "buckets"])
def test_it_downloads_the_series_and_buckets(client, erin, table):
    import_sample()
    client.force_login(erin)

    response = client.get(url(table), {"as_of": "2026-06-30", "product_manager": "pm3@example.com"})

    # The file is named for its filters: another product manager's download is another file.
    assert response["Content-Disposition"] == (
        f'attachment; filename="greenlight-{table}-2026-06-30-pm3-example-com.csv"'
    )
    wanted = expected("metrics-2026-06-30-pm3.json")[table]
    text_key = "month" if table == "series" else "bucket"
    got = rows(response)
    assert [{k: v if k == text_key else number(v) for k, v in row.items()} for row in got] == wanted


def test_it_downloads_the_headline_and_the_calibration(client, erin):
    import_sample()
    client.force_login(erin)
    wanted = expected("metrics-2026-06-30.json")

    headline = rows(client.get(url("headline"), {"as_of": "2026-06-30"}))
    calibration = rows(client.get(url("calibration"), {"as_of": "2026-06-30"}))

    assert {row["metric"]: number(row["value"]) for row in headline} == wanted["headline"]
    assert calibration[0] == {
        "product_manager": "(all)",
        "forecasts": str(wanted["calibration"]["forecasts"]),
        "brier": str(wanted["calibration"]["brier"]),
    }
    assert [row["product_manager"] for row in calibration[1:]] == [
        row["product_manager"] for row in wanted["calibration"]["by_product_manager"]
    ]


def test_it_downloads_outcome_details_that_add_up_to_the_counts(client, erin):
    import_sample()
    client.force_login(erin)

    details = rows(client.get(url("outcomes"), {"as_of": "2026-06-30"}))
    counts = rows(client.get(url("outcome-counts"), {"as_of": "2026-06-30"}))

    wanted = expected("metrics-2026-06-30.json")["outcomes"]
    assert {row["verdict"]: int(row["projects"]) for row in counts} == wanted
    for verdict, count in wanted.items():
        assert sum(row["verdict"] == verdict for row in details) == count
    assert list(details[0]) == [
        "key",
        "title",
        "bucket",
        "product_manager",
        "value_kind",
        "projected_low",
        "projected_expected",
        "projected_high",
        "months",
        "realized_value",
        "annualized_value",
        "verdict",
    ]


def test_it_downloads_risk_zombies_and_reliability(client, erin, bob):
    project = make_project(key="ZOMBIE", submitted_on=datetime.date(2025, 1, 6))
    record_spend(
        project=project,
        actor=bob,
        spent_on=datetime.date(2025, 12, 1),
        amount=Decimal("1234.50"),
        category="people",
    )
    client.force_login(erin)
    params = {"as_of": "2025-12-31"}

    risk = rows(client.get(url("risk"), params))
    zombies = rows(client.get(url("zombies"), params))
    reliability = rows(client.get(url("reliability"), params))

    assert [(row["key"], row["spend_to_date"], row["current_gate"]) for row in risk] == [
        ("ZOMBIE", "1234.50", "1")
    ]
    assert [(row["key"], row["spend_since_decision"], row["status"]) for row in zombies] == [
        ("ZOMBIE", "1234.50", "active")
    ]
    assert len(reliability) == 10
    assert reliability[0]["low"] == "0" and reliability[9]["high"] == "1"


def test_it_writes_the_header_of_an_empty_table(client, erin):
    client.force_login(erin)

    response = client.get(url("zombies"), {"as_of": "2025-12-31"})

    assert response.status_code == 200
    assert response.content.decode().splitlines() == [",".join(ZOMBIE_COLUMNS)]


def test_it_keeps_a_title_that_looks_like_a_formula_as_text(client, erin, bob):
    make_project(key="EVIL", title='=HYPERLINK("http://x")', submitted_on=datetime.date(2025, 1, 6))
    client.force_login(erin)

    [row] = rows(client.get(url("risk"), {"as_of": "2025-12-31"}))

    assert row["title"] == '\'=HYPERLINK("http://x")'


def test_it_applies_the_as_of_date(client, erin, bob):
    project = make_project(key="LATE", submitted_on=datetime.date(2025, 1, 6))
    GateDecision.objects.create(
        project=project,
        gate=Gate.objects.get(number=1),
        decision="kill",
        decided_on=datetime.date(2025, 6, 1),
        decided_by=bob,
        sequence=1,
    )
    client.force_login(erin)

    before = rows(client.get(url("risk"), {"as_of": "2025-05-31"}))
    after = client.get(url("risk"), {"as_of": "2025-06-01"})

    assert [row["key"] for row in before] == ["LATE"]
    assert rows(after) == []


def test_it_offers_every_table_from_the_page(client, erin):
    import_sample()
    client.force_login(erin)

    content = client.get(reverse("dashboard"), {"as_of": "2026-06-30"}).content.decode()

    for table in CSV_TABLES:
        if table == "outcome-counts":
            continue  # the counts are on the page; the details are the table
        assert f'{url(table)}?as_of=2026-06-30"' in content, table


@pytest.mark.parametrize("table", ["zombies", "series"])
def test_it_refuses_an_as_of_date_out_of_range(client, erin, table):
    client.force_login(erin)

    response = client.get(url(table), {"as_of": "0001-01-01"})

    assert response.status_code == 400
    assert "As of: Choose a date between 1900-01-01 and 2100-12-31." in response.content.decode()


def test_it_knows_no_other_table(client, erin):
    client.force_login(erin)

    assert client.get(url("passwords")).status_code == 404


def test_it_refuses_a_bad_filter_with_a_message(client, erin):
    client.force_login(erin)

    response = client.get(url("funnel"), {"as_of": "31/12/2025", "bucket": "moonshots"})

    assert response.status_code == 400
    message = response.content.decode()
    assert f"As of: Enter a date as YYYY-MM-DD, e.g. {timezone.localdate()}." in message
    assert "Strategic bucket: Choose one of the listed buckets." in message


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(url("funnel"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_it_refuses_researchers_and_architects(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url("funnel")).status_code == 403


@pytest.mark.parametrize("persona", ["bob", "erin", "adam"])
def test_it_serves_product_managers_executives_and_admins(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(url("funnel")).status_code == 200


def test_it_serves_a_researcher_granted_the_permission(client, alice):
    alice.user_permissions.add(Permission.objects.get(codename="view_portfolio_dashboard"))
    client.force_login(alice)

    assert client.get(url("series")).status_code == 200
