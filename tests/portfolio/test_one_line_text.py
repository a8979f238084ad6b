"""One-line fields refuse line breaks, control and text-direction characters; e-mail tells the truth."""

from __future__ import annotations

import datetime
import smtplib
from decimal import Decimal

import pytest
from django.urls import reverse

from gates.services import save_architecture_estimate
from portfolio import services
from portfolio.errors import DomainError
from portfolio.models import AuditEntry, Project, Status
from tests.builders import decide, make_project

INJECTION = "Churn model\r\nBcc: victim@evil.example"
RLO = "Invoice \u202egnp.exe"


def _proposal(bob, **extra) -> dict:
    data = {
        "key": "NEW-1",
        "title": "Predict churn",
        "research_type": "applied",
        "bucket": "revenue",
        "product_manager": str(bob.pk),
        "value_kind": "revenue",
        "projected_low": "100",
        "projected_expected": "200",
        "projected_high": "300",
        "probability_of_success": "35",
        "business_case": "Keep customers.\nSecond line is fine here.",
        "hypothesis": "Churn is predictable.",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("title", [INJECTION, RLO, "Tab\there", "Nul\x00l"])
def test_the_proposal_form_refuses_a_title_with_control_characters(client, alice, bob, title):
    client.force_login(alice)
    response = client.post(reverse("proposal_create"), _proposal(bob, title=title))
    assert response.status_code == 400
    body = response.content.decode()
    assert "one line of plain text" in body or "text-direction character" in body
    assert not Project.objects.exists()


def test_a_title_with_a_line_break_is_refused_by_the_service_too(alice, bob):
    fields = {
        "key": "SVC-1",
        "title": INJECTION,
        "research_type": "applied",
        "bucket": "revenue",
        "product_manager": bob,
        "value_kind": "revenue",
        "projected_low": Decimal(1),
        "projected_expected": Decimal(2),
        "projected_high": Decimal(3),
        "probability_of_success": Decimal("0.5"),
        "business_case": "",
        "hypothesis": "",
    }
    with pytest.raises(DomainError) as refused:
        services.create_proposal(actor=alice, **fields)
    assert refused.value.field == "title"


def test_artifact_names_and_locations_are_one_line(client, alice, project):
    client.force_login(alice)
    response = client.post(
        reverse("artifact_create", args=[project.key]),
        {"kind": "model", "name": RLO, "description": "Many\nlines\nfine.", "location": ""},
    )
    assert response.status_code == 400
    assert "text-direction character (U+202E)" in response.content.decode()
    with pytest.raises(DomainError) as refused:
        services.register_artifact(
            project=project, actor=alice, kind="model", name="Fine", location="x\ny"
        )
    assert refused.value.field == "location"


def test_the_architecture_estimate_refuses_a_two_line_platform(carol, project):
    decide(project, 1, "go")  # an estimate is asked for from gate 2
    project.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        save_architecture_estimate(
            project=project,
            actor=carol,
            build_cost=Decimal(1),
            monthly_run_cost=Decimal(1),
            retraining_cadence="none",
            cost_per_retrain=Decimal(0),
            platform_reused="GPU\r\ncluster",
            build_or_buy_note="",
        )
    assert refused.value.field == "platform_reused"


def test_the_admin_refuses_a_control_character_in_a_persons_name(client, db, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@example.com", password="x")
    client.force_login(root)
    response = client.post(
        reverse("admin:portfolio_user_change", args=[root.pk]),
        {
            "email": root.email,
            "full_name": "Root\u202e",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 200
    assert "text-direction character" in response.content.decode()


# --- E-mail: the page says what happened ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failed_e_mail_is_shown_and_recorded_not_claimed(client, alice, bob, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"bob@example.com": (550, b"no")})

    monkeypatch.setattr("background.mail.send_mail", refuse)
    draft = make_project(key="SUB-9", researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(reverse("proposal_submit", args=[draft.key]), follow=True)
    body = response.content.decode()
    assert "could not be sent" in body
    assert "has been e-mailed" not in body
    failure = AuditEntry.objects.get(action="email.failed")
    assert failure.project.key == "SUB-9" and "bob@example.com" in failure.summary


@pytest.mark.django_db(transaction=True)
def test_a_sent_e_mail_is_reported_as_sent(client, alice, bob, mailoutbox):
    draft = make_project(key="SUB-8", researcher=alice, product_manager=bob, status=Status.DRAFT)
    client.force_login(alice)
    response = client.post(reverse("proposal_submit", args=[draft.key]), follow=True)
    assert "Bob Product has been e-mailed" in response.content.decode()
    assert len(mailoutbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_decisions_e_mail_failure_is_told_to_the_decider(client, alice, bob, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("background.mail.send_mail", refuse)
    project = make_project(
        researcher=alice, product_manager=bob, submitted_on=datetime.date(2026, 1, 5)
    )
    client.force_login(bob)
    response = client.post(
        reverse("decision_create", args=[project.key]),
        {
            "gate": "1",
            "decision": "hold",
            "decided_on": "2026-01-10",
            "rationale": "Wait.",
            "decisions_seen": "0",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "the e-mail to Alice Researcher could not be sent" in body
    assert AuditEntry.objects.filter(action="email.failed").count() == 1
