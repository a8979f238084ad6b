"""Markup typed into any text comes out as text on every page and chart that shows it.

Every user-entered text below holds ``<i data-x="NAME">``: no response may carry it
raw (that would be markup the browser runs), and each must be shown, escaped,
somewhere, so the test cannot pass by showing nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.models import ArchitectureEstimate, BusinessCase, Criterion, FeasibilityStudy
from gates.services import record_decision
from portfolio import services
from portfolio.models import Artifact
from tests.builders import make_project


def mark(name: str) -> str:
    return f'<i data-x="{name}">{name}</i>'


RAW = '<i data-x="'


def escaped(name: str) -> str:
    return f"&lt;i data-x=&quot;{name}&quot;&gt;"


@pytest.fixture
def marked(alice, bob, carol, erin, adam):
    alice.full_name, bob.full_name = mark("researcher_name"), mark("pm_name")
    alice.save()
    bob.save()
    project = make_project(
        key="XSS-1",
        title=mark("title"),
        business_case=mark("proposal_business_case"),
        hypothesis=mark("hypothesis"),
        researcher=alice,
        product_manager=bob,
        submitted_on=datetime.date(2026, 1, 5),
    )
    services.record_spend(
        project=project,
        actor=alice,
        spent_on=datetime.date(2026, 1, 20),
        amount=Decimal("10.00"),
        category="compute",
        note=mark("spend_note"),
    )
    FeasibilityStudy.objects.create(
        project=project,
        author=alice,
        findings=mark("findings"),
        hypothesis_held="yes",
        evidence=mark("evidence"),
        confidence="high",
        recommended_next_step="continue",
    )
    ArchitectureEstimate.objects.create(
        project=project,
        author=carol,
        build_cost=Decimal(1),
        monthly_run_cost=Decimal(1),
        retraining_cadence="none",
        platform_reused=mark("platform_reused"),
        build_or_buy_note=mark("build_or_buy_note"),
    )
    BusinessCase.objects.create(
        project=project,
        author=bob,
        customer_problem=mark("customer_problem"),
        value_rationale=mark("value_rationale"),
        strategic_fit=mark("strategic_fit"),
        risks=mark("risks"),
    )
    Criterion.objects.filter(gate__number=1).update(
        name=mark("criterion_name"), help_text=mark("criterion_help")
    )
    record_decision(
        project=project,
        gate=1,
        decision="hold",
        actor=bob,
        decided_on=datetime.date(2026, 1, 25),
        rationale=mark("rationale"),
    )
    Artifact.objects.create(
        project=project,
        key="AR-0001",
        kind="model",
        name=mark("artifact_name"),
        description=mark("artifact_description"),
        location=mark("artifact_location"),
        created_on=datetime.date(2026, 1, 10),
    )
    return project


FIELDS = [
    "researcher_name",
    "pm_name",
    "title",
    "proposal_business_case",
    "hypothesis",
    "spend_note",
    "findings",
    "evidence",
    "platform_reused",
    "build_or_buy_note",
    "customer_problem",
    "value_rationale",
    "strategic_fit",
    "risks",
    "criterion_name",
    "criterion_help",
    "rationale",
    "artifact_name",
    "artifact_description",
    "artifact_location",
]


def test_user_text_is_escaped_on_every_page(client, marked, alice, bob, erin, adam):
    key = marked.key
    pages = {
        bob: [
            reverse("home"),
            reverse("project_list"),
            reverse("project_list") + "?q=XSS",
            reverse("project_detail", args=[key]),
            reverse("gate_review", args=[key]),
            reverse("feasibility_study_edit", args=[key]),
            reverse("architecture_estimate_edit", args=[key]),
            reverse("business_case_edit", args=[key]),
            reverse("spend_create", args=[key]),
            reverse("dashboard") + "?as_of=2026-06-30",
            reverse("artifact_library"),
            reverse("artifact_detail", args=["AR-0001"]),
        ],
        alice: [reverse("home"), reverse("proposal_edit", args=[key])],
        erin: [reverse("home"), reverse("dashboard") + "?as_of=2026-06-30"],
        adam: [reverse("people_list")],
    }
    shown: set[str] = set()
    raw = []
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            body = response.content.decode()
            if RAW in body:
                at = body.index(RAW)
                raw.append(f"{url} as {person.email}: {body[at - 80 : at + 60]!r}")
            shown |= {name for name in FIELDS if escaped(name) in body}
    assert not raw, "markup came out raw:\n" + "\n".join(raw)
    assert not set(FIELDS) - shown, f"never shown (so never checked): {set(FIELDS) - shown}"
