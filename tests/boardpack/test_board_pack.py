"""The board pack: a PDF of the dashboard for its date and filters, checked as a reader would.

Each pack is rendered by WeasyPrint, its pages turned into images with poppler's
``pdftoppm`` (and kept under the test's tmp_path to look at), and its text
(``pdftotext``) compared with what /api/metrics answers for the same filters.
Without WeasyPrint's system libraries or poppler these tests skip with one
line; under CI=true they fail instead.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from boardpack import content, render
from boardpack.models import BoardPack
from planning import services
from planning.inputs import parse
from tests.builders import PLAN_AS_OF, candidate
from tests.portfolio.dashboard_sample import import_sample

URL = reverse("board_pack")


@pytest.fixture
def pdf_tools():
    missing = []
    if not render.available():
        missing.append("WeasyPrint's system libraries (libpango-1.0-0, libpangoft2-1.0-0)")
    missing += [
        f"{tool} (poppler-utils)" for tool in ("pdftoppm", "pdftotext") if not shutil.which(tool)
    ]
    if missing:
        message = f"board pack tests need {', '.join(missing)}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI=true needs them (.ci/run installs them)")
        pytest.skip(message)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "pack.pdf").write_bytes(pdf)
    run = subprocess.run(  # noqa: S603 - a fixed tool on a file of the test's own
        ["pdftotext", "-layout", str(tmp_path / "pack.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return run.stdout


def page_images(pdf: bytes, tmp_path: Path) -> list[Path]:
    (tmp_path / "pack.pdf").write_bytes(pdf)
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "40", "-png", str(tmp_path / "pack.pdf"), str(tmp_path / "page")],
        check=True,
    )
    return sorted(tmp_path.glob("page-*.png"))


def money(value) -> str:
    return f"EUR {value:,.2f}"


def score(value) -> str:
    return "—" if value is None else f"{value:.4f}"


@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "query",
    [{"as_of": "2026-06-30"}, {"as_of": "2026-11-20", "bucket": "revenue"}],
    ids=["all projects", "revenue bucket"],
)
def test_the_pack_carries_the_numbers_of_the_metrics_api(client, erin, pdf_tools, tmp_path, query):
    import_sample()
    client.force_login(erin)

    response = client.get(URL, query)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="greenlight-board-pack-{query["as_of"]}'
        f'{"-" + query["bucket"] if "bucket" in query else ""}.pdf"'
    )
    text = pdf_text(response.content, tmp_path)
    api = client.get(reverse("api_metrics"), query).json()
    headline = api["headline"]
    rows = {
        "Projects": str(headline["projects"]),
        "Active": str(headline["active"]),
        "On hold": str(headline["on_hold"]),
        "Greenlit": str(headline["greenlit"]),
        "Killed": str(headline["killed"]),
        "Cumulative spend": money(headline["cumulative_spend"]),
        "Funding granted": money(headline["funding_granted"]),
        "Success rate": score(headline["success_rate"]),
        "Sunk cost of kills": money(headline["killed_spend"]),
        "Realized value": money(headline["realized_value"]),
    }
    for label, value in rows.items():
        assert re.search(rf"^\s*{label}\s+{re.escape(value)}\s*$", text, re.MULTILINE), (
            label,
            value,
        )
    for gate in api["funnel"]:
        cells = [gate["reached"], gate["go"], gate["kill"], gate["hold"], gate["recycle"]]
        line = r"\s+".join(str(cell) for cell in cells)
        assert re.search(
            rf"^\s*{gate['gate']}\s+{line}\s+{re.escape(score(gate['pass_rate']))}",
            text,
            re.MULTILINE,
        ), gate
    assert (
        f"Brier score {score(api['calibration']['brier'])} over {api['calibration']['forecasts']} forecast"
        in text
    )
    outcomes = api["outcomes"]
    assert (
        f"{outcomes['under']} under the projected range, {outcomes['within']} within it, {outcomes['over']} over it"
        in " ".join(text.split())
    )
    assert f"As of {query['as_of']}" in " ".join(text.split())
    if "bucket" in query:
        assert "Bucket: Revenue" in text
    else:
        assert "All projects (no filter)" in text


@pytest.mark.timeout(240)
def test_its_pages_are_numbered_images_of_vector_charts(client, erin, pdf_tools, tmp_path):
    import_sample()
    client.force_login(erin)

    pdf = client.get(URL, {"as_of": "2026-11-20"}).content

    pages = page_images(pdf, tmp_path)
    assert len(pages) == 8  # the cover and one page per section
    sizes = [page.stat().st_size for page in pages]
    assert min(sizes) > 2000, sizes  # no blank page
    text = pdf_text(pdf, tmp_path)
    assert "Page 8 of 8" in text
    assert "Board pack" in text and "2. What the research spend has bought" in text
    assert b"/Subtype /Image" not in pdf  # charts are drawn, not pictures
    assert "No plan scenario is adopted" in text


@pytest.mark.timeout(240)
def test_it_shows_the_adopted_plans_waterline(client, erin, pdf_tools, tmp_path):
    import_sample()
    scenario = services.save_scenario(
        name="Lean 2027", request=parse(budget="150000", as_of="2026-11-20"), actor=erin
    )
    services.adopt_scenario(scenario=scenario, actor=erin)
    client.force_login(erin)

    text = " ".join(pdf_text(client.get(URL, {"as_of": "2026-11-20"}).content, tmp_path).split())

    assert "7. The adopted plan's waterline" in text
    assert "“Lean 2027”, adopted by erin@example.com" in text
    assert "budget EUR 150,000.00" in text
    # What it funded when adopted is said apart from what it funds worked out again.
    assert "with 0 projects funded then (the fund list kept at adoption)" in text
    assert "the plan has nothing to rank" in text  # the sample has no next-stage asks


def test_under_a_filter_the_pack_lists_the_scopes_projects_with_their_ranks_in_the_plan(erin):
    """One budget for the whole portfolio: a bucket's pack shows where its projects stand."""
    # ECV = 0.5 · value − ask: A 90, B 70, C 50, D 30, E 10; asks of 10 under a budget of 30.
    for key, value, bucket in (
        ("A", 200, "revenue"),
        ("B", 160, "efficiency"),
        ("C", 120, "revenue"),
        ("D", 80, "efficiency"),
        ("E", 40, "revenue"),
    ):
        candidate(key, value=value, ask=10, bucket=bucket)
    scenario = services.save_scenario(
        name="Lean", request=parse(budget="30", as_of=PLAN_AS_OF), actor=erin
    )
    services.adopt_scenario(scenario=scenario, actor=erin)

    as_of = datetime.date.fromisoformat(PLAN_AS_OF)
    whole = content.adopted_plan(as_of)
    revenue = content.adopted_plan(as_of, {"bucket": "revenue"})

    assert [(row.key, row.rank) for row in whole["listed"]] == [
        ("A", 1),
        ("B", 2),
        ("C", 3),
        ("D", 4),
        ("E", 5),
    ]
    assert whole["rule_after"] == "C" and not whole["filtered"]
    assert [(row.key, row.rank) for row in revenue["listed"]] == [("A", 1), ("C", 3), ("E", 5)]
    assert (revenue["in_scope"], revenue["in_scope_funded"]) == (3, 2)
    assert revenue["rule_after"] == "C"  # the waterline falls between C (rank 3) and E
    nobody = content.adopted_plan(as_of, {"product_manager": "nobody@example.com"})
    assert nobody["listed"] == [] and nobody["in_scope"] == 0


@pytest.mark.timeout(240)
def test_a_large_portfolios_pack_is_made_in_the_background(
    client, erin, pdf_tools, tmp_path, settings, django_capture_on_commit_callbacks
):
    import_sample()
    settings.BOARD_PACK_DIRECT_MAX_PROJECTS = 10
    client.force_login(erin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"as_of": "2026-06-30", "bucket": "revenue"})

    pack = BoardPack.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("board_pack_status", args=[pack.pk])
    page = client.get(response.url).content.decode()
    assert "Ready" in page and reverse("board_pack_download", args=[pack.pk]) in page
    assert pack.filters == {
        "as_of": "2026-06-30",
        "bucket": "revenue",
        "research_type": None,
        "product_manager": None,
    }
    download = client.get(reverse("board_pack_download", args=[pack.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert "Bucket: Revenue" in pdf_text(download.content, tmp_path)


def test_the_status_page_waits_for_the_worker(client, erin, settings):
    settings.BOARD_PACK_DIRECT_MAX_PROJECTS = -1
    client.force_login(erin)

    response = client.get(URL)  # the task would run when the request's transaction commits

    page = client.get(response.url)
    assert "Waiting for the task worker" in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    poll = client.get(response.url, headers={"HX-Request": "true"})
    assert poll.status_code == 200
    pack = BoardPack.objects.get()
    assert client.get(reverse("board_pack_download", args=[pack.pk])).status_code == 404


def test_bad_filters_are_refused_with_a_message(client, erin):
    client.force_login(erin)

    response = client.get(URL, {"as_of": "30/06/2026"})

    assert response.status_code == 400
    today = timezone.localdate()
    assert f"As of: Enter a date as YYYY-MM-DD, e.g. {today}." in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_it_is_for_those_who_see_the_dashboard(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert not BoardPack.objects.exists()


def test_it_requires_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_dashboard_offers_the_pack_of_what_it_shows(client, erin):
    client.force_login(erin)

    page = client.get(reverse("dashboard"), {"as_of": "2026-06-30", "bucket": "revenue"})

    assert (
        f'<a href="{URL}?as_of=2026-06-30&amp;bucket=revenue">Board pack (PDF)</a>'
        in page.content.decode()
    )


def test_with_bucket_targets_the_pack_says_why_ranks_below_the_rule_are_funded(erin):
    # ECV = 0.5 · value − ask: A 90 (efficiency), B 70 (revenue); asks of 10, budget 10.
    # Revenue's target takes the whole budget: B is funded below A, and A is left out.
    candidate("A", value=200, ask=10, bucket="efficiency")
    candidate("B", value=160, ask=10, bucket="revenue")
    targeted = services.save_scenario(
        name="Revenue first",
        request=parse(budget="10", as_of=PLAN_AS_OF, targets={"revenue": "1"}),
        actor=erin,
    )
    services.adopt_scenario(scenario=targeted, actor=erin)
    html = " ".join(render.pack_html({"as_of": datetime.date.fromisoformat(PLAN_AS_OF)}).split())
    assert "The scenario sets bucket targets, which are met first" in html


def test_without_targets_the_pack_does_not_speak_of_them(erin):
    candidate("A", value=200, ask=10, bucket="efficiency")
    plain = services.save_scenario(
        name="Plain", request=parse(budget="10", as_of=PLAN_AS_OF), actor=erin
    )
    services.adopt_scenario(scenario=plain, actor=erin)
    html = render.pack_html({"as_of": datetime.date.fromisoformat(PLAN_AS_OF)})
    assert "the thick rule is the waterline" in " ".join(html.split())
    assert "bucket targets" not in html
