from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate
from portfolio.models import AuditEntry, Status
from tests.builders import add_estimate, decide, make_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

ESTIMATE = {
    "build_cost": "100000",
    "monthly_run_cost": "2000",
    "retraining_cadence": "quarterly",
    "cost_per_retrain": "5000",
    "platform_reused": "Shared inference cluster",
    "build_or_buy_note": "No vendor handles our formats.",
}
# 100000 + 36 × 2000 + 3 × 4 × 5000
TOTAL = "EUR 232,000"


def url(project) -> str:
    return reverse("architecture_estimate_edit", args=[project.key])


@pytest.fixture
def at_gate_2(project):
    """A project the estimate is asked for: gate 1 decided go (docs/notifications.md)."""
    decide(project, 1, "go")
    project.refresh_from_db()
    return project


def test_it_shows_the_form_to_an_architect(client, at_gate_2, carol):
    client.force_login(carol)
    response = client.get(url(at_gate_2))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="build_cost"' in body
    assert "Three-year total cost" in body
    assert 'hx-trigger="input changed delay:300ms, change"' in body


def test_it_writes_the_estimate_and_shows_the_three_year_total(client, at_gate_2, carol):
    client.force_login(carol)
    response = client.post(url(at_gate_2), ESTIMATE)
    assert response.status_code == 302
    estimate = ArchitectureEstimate.objects.get(project=at_gate_2)
    assert estimate.author == carol
    assert estimate.three_year_total == Decimal("232000")
    body = client.get(response["Location"]).content.decode()
    assert "Architecture estimate saved." in body
    assert f'data-testid="three-year-total">{TOTAL}</strong>' in body


def test_the_live_total_is_a_partial_and_saves_nothing(client, at_gate_2, carol):
    client.force_login(carol)
    response = client.post(url(at_gate_2), ESTIMATE | {"preview": "1"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="three-year-total"')
    assert f">{TOTAL}</strong>" in body
    assert not ArchitectureEstimate.objects.exists()


def test_the_live_total_says_what_it_waits_for(client, at_gate_2, carol):
    client.force_login(carol)
    body = client.post(
        url(at_gate_2), {"build_cost": "100", "preview": "1"}, **HTMX
    ).content.decode()
    assert "Fill in the monthly run cost and choose how often it is retrained to see it." in body


def test_the_live_total_with_every_cost_filled_asks_only_for_the_cadence(client, at_gate_2, carol):
    """The costs typed, the cadence not chosen yet: it asked to "fill in the costs"."""
    client.force_login(carol)
    numbers = {"build_cost": "100", "monthly_run_cost": "10", "cost_per_retrain": "5"}
    body = client.post(url(at_gate_2), numbers | {"preview": "1"}, **HTMX).content.decode()
    assert "Choose how often it is retrained to see it." in body
    assert "fill in" not in body.lower()


def test_the_live_total_counts_an_empty_retraining_cost_as_none_when_never_retrained(
    client, at_gate_2, carol
):
    client.force_login(carol)
    numbers = {"build_cost": "100", "monthly_run_cost": "10", "retraining_cadence": "none"}
    body = client.post(url(at_gate_2), numbers | {"preview": "1"}, **HTMX).content.decode()
    assert ">EUR 460</strong>" in body  # 100 + 36 × 10


def test_the_live_total_names_a_refused_cost(client, at_gate_2, carol):
    client.force_login(carol)
    response = client.post(url(at_gate_2), ESTIMATE | {"build_cost": "-5", "preview": "1"}, **HTMX)
    assert "Correct the build cost to see it." in response.content.decode()


def test_the_live_region_stays_in_the_page_while_its_content_is_swapped(client, at_gate_2, carol):
    client.force_login(carol)
    body = client.get(url(at_gate_2)).content.decode()
    live = body.index('aria-live="polite"')
    assert live < body.index('id="three-year-total"')
    assert 'hx-target="#three-year-total"' in body


def test_without_javascript_the_total_is_recomputed_on_request(client, at_gate_2, carol):
    client.force_login(carol)
    response = client.post(url(at_gate_2), ESTIMATE | {"preview": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert f">{TOTAL}</strong>" in body
    assert not ArchitectureEstimate.objects.exists()


def test_it_revises_the_estimate_and_audits_only_real_changes(client, at_gate_2, carol):
    client.force_login(carol)
    client.post(url(at_gate_2), ESTIMATE)
    client.post(url(at_gate_2), ESTIMATE)  # the same numbers again: no revision
    assert not AuditEntry.objects.filter(action="architectureestimate.revised").exists()
    client.post(url(at_gate_2), ESTIMATE | {"monthly_run_cost": "2500.50"})
    entry = AuditEntry.objects.get(action="architectureestimate.revised")
    assert entry.changes == {"monthly_run_cost": ["2000.00", "2500.50"]}
    assert ArchitectureEstimate.objects.get().monthly_run_cost == Decimal("2500.50")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"build_cost": "-1"}, "build_cost", "Enter an amount of at least 0."),
        ({"monthly_run_cost": "-0.01"}, "monthly_run_cost", "Enter an amount of at least 0."),
        ({"cost_per_retrain": "-3"}, "cost_per_retrain", "Enter an amount of at least 0."),
        ({"cost_per_retrain": ""}, "cost_per_retrain", "Give the cost of each retraining"),
        (
            {"monthly_run_cost": "abc"},
            "monthly_run_cost",
            "“abc” is not an amount: write it in plain digits with a point for "
            "decimals, e.g. 1200.50 (a comma only between thousands: 1,200.50).",
        ),
        (
            {"cost_per_retrain": "1.234"},
            "cost_per_retrain",
            "Enter an amount with at most 2 decimals, e.g. 1200.50.",
        ),
        ({"retraining_cadence": "daily"}, "retraining_cadence", "Select a valid choice"),
        ({"build_cost": ""}, "build_cost", "This field is required"),
        (
            {"retraining_cadence": "none", "cost_per_retrain": "500"},
            "cost_per_retrain",
            "With no retraining there is no cost per retrain",
        ),
    ],
)
def test_it_refuses_bad_numbers_with_400_and_the_message_beside_the_field(
    client, at_gate_2, carol, changes, field, message
):
    client.force_login(carol)
    response = client.post(url(at_gate_2), ESTIMATE | changes)
    assert response.status_code == 400
    body = response.content.decode()
    beside = body.index(f'id="field-{field}"')
    assert message in body[beside:]
    widget = re.search(rf'<(input|select)[^>]*name="{field}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in widget
    # The message is read first, then the field's help (portfolio.web.forms.BoundField).
    described_by = re.search(r'aria-describedby="([^"]*)"', widget).group(1).split()
    assert described_by[0] == f"id_{field}_error"
    assert f'id="id_{field}_error"' in body[beside:]
    # The summary at the top names the field and links to it.
    summary = body.index("data-error-summary")
    assert summary < beside
    assert f'<a href="#id_{field}">' in body[summary:beside]
    assert not ArchitectureEstimate.objects.exists()


def test_the_form_leaves_checking_to_the_server(client, at_gate_2, carol):
    """The browser's own tooltip refused a negative cost before; now the server does, inline."""
    client.force_login(carol)
    body = client.get(url(at_gate_2)).content.decode()
    assert "novalidate" in body


def test_it_requires_login(client, at_gate_2):
    assert client.get(url(at_gate_2)).status_code == 302
    assert client.post(url(at_gate_2), ESTIMATE).status_code == 302


@pytest.mark.parametrize("persona", ["alice", "bob", "erin"])
def test_only_architects_write_it(client, at_gate_2, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(at_gate_2), ESTIMATE).status_code == 403
    assert client.post(url(at_gate_2), ESTIMATE | {"preview": "1"}, **HTMX).status_code == 403
    assert not ArchitectureEstimate.objects.exists()


def test_others_read_it_with_its_total(client, at_gate_2, carol, bob):
    add_estimate(at_gate_2, carol)
    client.force_login(bob)
    response = client.get(url(at_gate_2))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="build_cost"' not in body
    assert f">{TOTAL}</strong>" in body


def test_it_hides_drafts(client, alice, bob, carol):
    draft = make_project(researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(carol)
    assert client.get(url(draft)).status_code == 404
    assert client.post(url(draft), ESTIMATE).status_code == 404


def field_markup(body: str, name: str) -> str:
    start = body.index(f'id="field-{name}"')
    return body[start : body.index("</div>\n", body.index(f'name="{name}"', start))]


def test_the_cost_per_retraining_starts_empty_as_its_help_says(client, at_gate_2, carol):
    # Its help said "empty when it is never retrained" while the field held 0, which also
    # let a monthly cadence be saved with retraining at no cost, untyped.
    client.force_login(carol)
    field = field_markup(client.get(url(at_gate_2)).content.decode(), "cost_per_retrain")
    assert "leave it empty when it is never retrained" in field
    assert 'name="cost_per_retrain" value=' not in field


def test_an_estimate_never_retrained_shows_its_retraining_cost_empty(client, at_gate_2, carol):
    add_estimate(at_gate_2, carol, retraining_cadence="none", cost_per_retrain=Decimal(0))
    client.force_login(carol)
    field = field_markup(client.get(url(at_gate_2)).content.decode(), "cost_per_retrain")
    assert 'name="cost_per_retrain" value=' not in field


def test_an_estimate_retrained_at_no_cost_shows_its_0(client, at_gate_2, carol):
    add_estimate(at_gate_2, carol, retraining_cadence="annual", cost_per_retrain=Decimal(0))
    client.force_login(carol)
    field = field_markup(client.get(url(at_gate_2)).content.decode(), "cost_per_retrain")
    assert 'name="cost_per_retrain" value="0.00"' in field


def test_the_cadence_asks_to_choose_as_the_other_forms_do(client, at_gate_2, carol):
    # It read Django's "- Select an option -"; the app's other forms say "Choose…".
    client.force_login(carol)
    body = client.get(url(at_gate_2)).content.decode()
    assert '<option value="" selected>Choose…</option>' in field_markup(body, "retraining_cadence")
    assert "Select an option" not in body
