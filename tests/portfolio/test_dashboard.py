"""The executive dashboard page: its numbers, its permissions, its filters, its cost."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gates.models import Gate, GateDecision
from portfolio import metrics, rollups
from portfolio.models import Outcome, SpendEntry
from tests.builders import make_project
from tests.portfolio.dashboard_sample import EXPECTED, expected, import_sample

URL = reverse("dashboard")
METRIC = re.compile(r'data-metric="([^"]+)" data-value="([^"]*)"')


def page_numbers(content: bytes, *, feedback: bool = False) -> dict[str, float | None]:
    """Every number the page marks with data-metric, as the page wrote it.

    The feedback loop's panels are left out unless asked for: the expected files
    predate them (tests/portfolio/test_feedback_metrics.py checks them).
    """
    found: dict[str, float | None] = {}
    for name, value in METRIC.findall(content.decode()):
        name = html.unescape(name)
        assert name not in found, f"{name} appears twice on the page"
        if feedback or not name.startswith(FEEDBACK_PREFIXES):
            found[name] = float(value) if value else None
    return found


FEEDBACK_PREFIXES = ("decision_quality.", "assets.", "adoption.")


def feedback_numbers(result: dict) -> dict[str, float | None]:
    """The page's names for the feedback loop's sections of a metrics result."""
    quality = result["decision_quality"]
    numbers = {
        "decision_quality.scored_projects": quality["scored_projects"],
        "decision_quality.mean_outcome_score": quality["mean_outcome_score"],
    }
    for row in quality["by_decider"]:
        for key in ("go_decisions", "mean_score"):
            numbers[f"decision_quality.by_decider.{row['decided_by']}.{key}"] = row[key]
    for key, value in result["assets"].items():
        if key == "by_kind":
            numbers |= {f"assets.by_kind.{kind}": n for kind, n in value.items()}
        else:
            numbers[f"assets.{key}"] = value
    numbers |= {f"adoption.{key}": value for key, value in result["adoption"].items()}
    return numbers


def expected_numbers(result: dict) -> dict[str, float | None]:
    """The same names for an expected metrics file."""
    numbers = {f"headline.{key}": value for key, value in result["headline"].items()}
    for gate in result["funnel"]:
        for key, value in gate.items():
            # The row header names the gate; kill decisions are the projects killed there.
            if key not in ("gate", "killed_here"):
                numbers[f"funnel.{gate['gate']}.{key}"] = value
    for month in result["series"]:
        for key, value in month.items():
            if key != "month":
                numbers[f"series.{month['month']}.{key}"] = value
    for bucket in result["buckets"]:
        for key, value in bucket.items():
            if key != "bucket":
                numbers[f"buckets.{bucket['bucket']}.{key}"] = value
    for key, value in result["outcomes"].items():
        numbers[f"outcomes.{key}"] = value
    calibration = result["calibration"]
    numbers["calibration.forecasts"] = calibration["forecasts"]
    numbers["calibration.brier"] = calibration["brier"]
    for row in calibration["by_product_manager"]:
        for key in ("forecasts", "brier"):
            numbers[f"calibration.pm.{row['product_manager']}.{key}"] = row[key]
    return numbers


# --- The numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_it_shows_the_numbers_of_each_expected_file(client, erin, filename):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, EXPECTED[filename])

    assert response.status_code == 200
    wanted = expected(filename)
    for gate in wanted["funnel"]:
        assert gate["killed_here"] == gate["kill"]  # so the kill column shows both
    assert page_numbers(response.content) == expected_numbers(wanted)


def test_it_explains_the_headline_numbers_in_words(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2026-06-30"})

    text = re.sub(r"\s+", " ", response.content.decode())
    assert "As of 30 June 2026" in text
    assert "6 of 51 decided projects greenlit" in text
    assert "11.8%" in text  # success rate 0.1176
    # Money in whole units with the currency; to the cent in the exact data table.
    assert "EUR 11,203,826" in text  # cumulative spend 11,203,825.99
    assert "EUR 11,203,825.99" in text
    assert "EUR 9,695,731" in text  # realized value 9,695,730.74
    # Realized ROI is value ÷ spend, named for what it is rather than as a return.
    assert "0.87 for each EUR 1 spent" in text, text[text.find("already returned") - 50 :][:300]
    assert "Value returned per unit spent" in text
    assert "Realized ROI</div>" not in text
    assert "51% of spend, on 45 killed projects" in text


def test_it_names_the_currency_on_the_risk_chart_s_value_axis(client, erin):
    import_sample()
    client.force_login(erin)

    page = client.get(URL, {"as_of": "2026-06-30"}).content.decode()

    risk = page.split('aria-labelledby="risk-title"')[1].split("</svg>")[0]
    assert "↑ Projected value a year (EUR)</text>" in risk


def test_its_sunk_cost_tile_says_no_project_was_killed_before_any_data(client, erin):
    """As of a day before any data, the tile read "— of spend, on 0 killed projects"."""
    import_sample()
    client.force_login(erin)

    text = re.sub(r"\s+", " ", client.get(URL, {"as_of": "2020-01-01"}).content.decode())

    tile = text.split("Sunk cost of kills</div>")[1].split("</div> </div>")[0]
    assert "no project killed yet" in tile
    assert "of spend" not in tile


def test_its_zombies_panel_says_how_its_rows_are_ordered(client, erin, bob):
    """The rows are in the order docs/metrics.md defines (largest spend since the last
    decision first, as the CSV); the panel did not say so, and read as sorted by key."""
    build_portfolio(3, "Z")
    cache.clear()  # written directly, without the services' version bump
    client.force_login(erin)

    page = client.get(URL, {"as_of": "2025-12-31"}).content.decode()

    panel = page.split('class="card dash-zombies"')[1].split("</section>")[0]
    assert "Listed by spend since the last decision, largest first." in panel
    assert re.search(r'<th scope="col" class="num" aria-sort="descending">Spend since', panel)
    cells = re.findall(r'data-label="Spend since \(EUR\)">([\d,.]+)<', panel)
    spends = [float(cell.replace(",", "")) for cell in cells]
    assert len(spends) >= 2 and spends == sorted(spends, reverse=True)


def test_it_draws_one_point_per_month_on_the_headline_chart(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2026-06-30"})

    content = response.content.decode()
    chart = content[content.index('class="chart headline-chart"') :]
    chart = chart[: chart.index("</svg>")]
    series = expected("metrics-2026-06-30.json")["series"]
    assert chart.count("<circle") == len(series) == 42
    assert "2026-06: 11.2M spent; success rate 11.8% (6 of 51 decided projects greenlit)" in chart


def test_it_shows_the_extra_panels_from_the_dashboard_metrics(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2026-06-30"})

    extras = response.context["metrics"]
    counts = {"under": 0, "within": 0, "over": 0}
    for row in extras["outcome_details"]:
        counts[row["verdict"]] += 1
    wanted = expected("metrics-2026-06-30.json")
    # Computed apart, they agree with the metrics engine.
    assert counts == wanted["outcomes"]
    assert sum(b["forecasts"] for b in extras["reliability"]) == wanted["calibration"]["forecasts"]
    assert len(extras["risk"]) == wanted["headline"]["active"]
    content = response.content.decode()
    assert content.count('class="bubble bucket-') == len(extras["risk"])
    for bubble in extras["risk"]:
        assert reverse("project_detail", args=[bubble["key"]]) in content


def test_it_uses_only_the_metrics_engine_for_the_headline(client, erin, monkeypatch):
    import_sample()
    client.force_login(erin)
    calls = []
    real = metrics.compute

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("portfolio.dashboard.views.compute", spy)

    client.get(URL, {"as_of": "2026-06-30", "bucket": "revenue"})

    assert calls == [
        {
            "as_of": datetime.date(2026, 6, 30),
            "bucket": "revenue",
            "research_type": None,
            "product_manager": None,
            "sections": metrics.DASHBOARD,
        }
    ]


def test_it_shows_today_by_default(client, erin):
    client.force_login(erin)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["as_of"] == timezone.localdate()
    assert "nothing to measure yet" in response.content.decode()


def test_it_matches_a_product_manager_ignoring_case(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2026-06-30", "product_manager": "PM3@Example.com"})

    assert page_numbers(response.content) == expected_numbers(
        expected("metrics-2026-06-30-pm3.json")
    )


# --- Who may see it ---------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_it_refuses_researchers_and_architects(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["bob", "erin", "adam"])
def test_it_shows_product_managers_executives_and_admins(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 200


def test_it_shows_a_researcher_granted_the_permission(client, alice):
    alice.user_permissions.add(Permission.objects.get(codename="view_portfolio_dashboard"))
    client.force_login(alice)

    assert client.get(URL).status_code == 200


# --- htmx and filters -------------------------------------------------------------------------


def test_it_swaps_only_the_panels_for_htmx(client, erin):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2026-06-30", "bucket": "revenue"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="dashboard-panels"')
    assert "<html" not in content and "<form" not in content
    assert "HX-Request" in response["Vary"]
    assert page_numbers(response.content) == expected_numbers(
        expected("metrics-2026-06-30-bucket-revenue.json")
    )


def test_it_gives_the_whole_page_to_an_htmx_history_restore(client, erin):
    client.force_login(erin)

    response = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert "<html" in response.content.decode()


def test_its_filter_form_works_without_javascript(client, erin):
    client.force_login(erin)

    content = client.get(URL).content.decode()

    form = content[content.index('<form class="dash-filters') :]
    form = form[: form.index(">")]
    assert 'method="get"' in form and f'action="{URL}"' in form
    assert f'hx-get="{URL}"' in form and 'hx-push-url="true"' in form


def test_it_offers_the_product_managers_by_name_with_their_email(client, erin, bob, pete):
    # The value is the e-mail (a shared URL names it); the list shows the name, in name order.
    make_project(product_manager=pete)
    client.force_login(erin)

    content = client.get(URL).content.decode()

    bob_option = f'<option value="bob@example.com">{bob.full_name} (bob@example.com)</option>'
    pete_option = f'<option value="pete@example.com">{pete.full_name} (pete@example.com)</option>'
    assert bob_option in content and pete_option in content
    assert content.index(bob_option) < content.index(pete_option)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"as_of": "2026-02-30"},
            "As of: “2026-02-30” is not a date (February has 28 days in 2026).",
        ),
        ({"as_of": "9999-12-31"}, "As of: Choose a date between 1900-01-01 and 2100-12-31."),
        ({"bucket": "moonshots"}, "Strategic bucket: Choose one of the listed buckets."),
        ({"research_type": "alchemy"}, "Research type: Choose one of the listed research types."),
        (
            {"product_manager": "nobody@example.com"},
            "Product manager: No product manager with that e-mail address.",
        ),
    ],
)
def test_it_explains_a_bad_filter_instead_of_failing(client, erin, params, message):
    client.force_login(erin)

    response = client.get(URL, params)

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "data-metric" not in content


def test_a_refused_filter_describes_its_field_by_its_message(client, erin):
    """Assistive technology reads the message with the field, as on every other form."""
    client.force_login(erin)

    content = client.get(URL, {"as_of": "2026-02-30"}).content.decode()

    field = re.search(r"<input[^>]*name=\"as_of\"[^>]*>", content).group(0)
    described_by = re.search(r'aria-describedby="([^"]*)"', field).group(1).split()
    assert 'aria-invalid="true"' in field
    assert "id_as_of_error" in described_by
    assert re.search(
        r'id="id_as_of_error"[^>]*>[^<]*is not a date \(February has 28 days in 2026\)\.', content
    )


def test_it_explains_a_bad_filter_in_the_htmx_panel_too(client, erin):
    client.force_login(erin)

    response = client.get(URL, {"bucket": "moonshots"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "Choose one of the listed buckets." in response.content.decode()


def test_it_obeys_the_content_security_policy(client, erin):
    import_sample()
    client.force_login(erin)

    content = client.get(URL, {"as_of": "2026-06-30"}).content.decode()

    assert " style=" not in content
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", content) is None
    assert re.search(r"<[^>]+\son[a-z]+=", content) is None


# --- A fixed number of queries ------------------------------------------------------------------


def build_portfolio(size: int, prefix: str) -> None:
    """``size`` projects of each kind: greenlit with outcomes, killed, held, active, idle."""
    gates = {gate.number: gate for gate in Gate.objects.all()}
    start = datetime.date(2025, 1, 6)

    def decide(project, gate, decision, on, probability="0.5"):
        GateDecision.objects.create(
            project=project,
            gate=gates[gate],
            decision=decision,
            decided_on=on,
            decided_by=project.product_manager,
            probability_of_success=Decimal(probability),
            sequence=GateDecision.objects.filter(project=project).count() + 1,
        )

    for n in range(size):
        won = make_project(key=f"{prefix}WON-{n}", submitted_on=start, bucket="revenue")
        for gate in (1, 2, 3, 4):
            decide(won, gate, "go", start + datetime.timedelta(days=10 * gate))
        Outcome.objects.create(project=won, month=datetime.date(2025, 6, 1), realized_value=50)
        lost = make_project(key=f"{prefix}LOST-{n}", submitted_on=start)
        decide(lost, 1, "kill", start + datetime.timedelta(days=20), "0.2")
        held = make_project(key=f"{prefix}HELD-{n}", submitted_on=start, bucket="new_category")
        decide(held, 1, "hold", start + datetime.timedelta(days=20))
        live = make_project(key=f"{prefix}LIVE-{n}", submitted_on=start, research_type="science")
        decide(live, 1, "go", datetime.date(2025, 11, 1))
        SpendEntry.objects.bulk_create(
            SpendEntry(
                project=project,
                spent_on=datetime.date(2025, month, 15),
                amount=Decimal("1000.00"),
                category="people",
            )
            for project in (won, lost, held, live)
            for month in range(1, 13)
        )
    rollups.rebuild_spend_months()


def count_queries(client, params) -> int:
    cache.clear()  # count the queries of computing the page, not of a cached copy
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "2025-12-31"},
        {"as_of": "2025-12-31", "bucket": "revenue", "product_manager": "bob@example.com"},
    ],
)
def test_it_runs_a_fixed_number_of_queries_whatever_the_portfolio_size(
    client, erin, bob, params, django_assert_max_num_queries
):
    client.force_login(erin)
    build_portfolio(2, "S")
    count_queries(client, params)  # warm the caches a running server has warm (content types)
    small = count_queries(client, params)
    # 22, the decision panel's section (on SQLite one statement per query, three) and the
    # people's names.
    assert small <= 26, small

    build_portfolio(25, "L")
    cache.clear()  # the test wrote rows directly, without the services' version bump
    with django_assert_max_num_queries(small):
        response = client.get(URL, params)

    if "bucket" not in params:
        assert response.context["headline"]["projects"] == 4 * 27
        assert len(response.context["metrics"]["zombies"]) == 27  # the held ones
        assert len(response.context["metrics"]["risk"]) == 27  # the live ones


def test_it_draws_the_projects_that_spent_most_when_there_are_too_many(
    client, erin, bob, monkeypatch
):
    monkeypatch.setattr("portfolio.dashboard.views.RISK_SHOWN", 2)
    monkeypatch.setattr("portfolio.dashboard.views.ZOMBIES_SHOWN", 1)
    for key, amount in (("SMALL", "10.00"), ("BIG", "900.00"), ("MID", "50.00")):
        project = make_project(key=key, submitted_on=datetime.date(2025, 1, 6))
        SpendEntry.objects.create(
            project=project,
            spent_on=datetime.date(2025, 12, 1),
            amount=Decimal(amount),
            category="people",
        )
    rollups.rebuild_spend_months()
    client.force_login(erin)

    response = client.get(URL, {"as_of": "2025-12-31"})

    content = re.sub(r"\s+", " ", response.content.decode())
    assert [b["key"] for b in response.context["risk_shown"]] == ["BIG", "MID"]
    assert content.count('class="bubble bucket-') == 2
    assert "Showing the 2 of 3 active projects that have spent the most" in content
    assert [z["key"] for z in response.context["zombies_shown"]] == ["BIG"]
    assert "The 1 of 3 that spent most since their last decision" in content
    assert (
        "Together they have spent EUR 960 since their last decision, EUR 960 of it in the last 90"
        in content
    )


def test_it_fills_in_today_as_the_as_of_date(client, erin):
    client.force_login(erin)

    content = client.get(URL).content.decode()

    today = timezone.localdate().isoformat()
    assert f'name="as_of" value="{today}"' in content
    assert f"{reverse('api_metrics')}?as_of={today}" in content


def test_it_serves_its_scripts_and_styles_itself(client, erin):
    client.force_login(erin)

    content = client.get(URL).content.decode()

    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', content)
    assert any(s.endswith("js/charts.js") for s in sources)
    assert any(s.endswith("css/dashboard.css") for s in sources)
    assert all(s.startswith("/") for s in sources), sources


def test_it_serves_a_cached_copy_until_the_data_changes(client, erin, bob, alice, monkeypatch):
    import portfolio.dashboard.views as views
    from portfolio import services

    project = make_project(
        researcher=alice, product_manager=bob, submitted_on=datetime.date(2026, 1, 5)
    )
    client.force_login(erin)
    calls = []
    real = views.dashboard_metrics  # the dashboard's one computation
    monkeypatch.setattr(views, "dashboard_metrics", lambda f: calls.append(f) or real(f))
    params = {"as_of": "2026-06-30"}

    first = client.get(URL, params).content.decode()
    second = client.get(URL, params).content.decode()
    assert len(calls) == 1
    panels = '<div id="dashboard-panels"'
    assert first[first.index(panels) :] == second[second.index(panels) :]

    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 2, 2),
        amount=Decimal("1234.00"),
        category="people",
    )
    third = client.get(URL, params)
    assert len(calls) == 2
    assert third.context["headline"]["cumulative_spend"] == 1234.0
