"""Sign-ins, refusals, lockouts and sign-outs in the audit trail (portfolio/web/signin.py)."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from portfolio import versioning
from portfolio.models import AuditEntry
from tests.builders import PASSWORD
from tests.portfolio.test_single_sign_on import sign_in as sign_in_with_the_provider


def sign_in(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_sign_in_is_written_with_who_how_and_from_where(client, alice):
    version = versioning.current()
    assert sign_in(client, "Alice@Example.com", PASSWORD).status_code == 302

    (entry,) = entries("sign_in.succeeded")
    assert entry.actor == alice
    assert entry.summary == "alice@example.com signed in (password) from 127.0.0.1"
    assert entry.changes == {"address": [None, "127.0.0.1"], "way": [None, "password"]}
    assert versioning.current() == version, "a sign-in moves no number: no cache is emptied"


def test_a_refused_sign_in_names_the_name_tried_and_never_the_password(client, alice):
    assert sign_in(client, " ALICE@example.com", "Wrong-but-secret-9").status_code == 200

    (entry,) = entries("sign_in.refused")
    assert entry.actor is None
    assert entry.summary == "Sign-in as alice@example.com refused (password) from 127.0.0.1"
    assert "Wrong-but-secret-9" not in json.dumps(entry.changes) + entry.summary
    assert not entries("sign_in.succeeded")


def test_a_name_nobody_has_is_written_too(client, db):
    sign_in(client, "mallory@example.com", "guess")
    (entry,) = entries("sign_in.refused")
    assert entry.changes["name"] == [None, "mallory@example.com"]


def test_repeated_failures_are_written_as_a_lockout(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice@example.com", "wrong")
    assert sign_in(client, "alice@example.com", PASSWORD).status_code == 429

    refused, locked = entries("sign_in.refused"), entries("sign_in.locked_out")
    assert len(refused) + len(locked) == settings.AXES_FAILURE_LIMIT + 1, "every attempt"
    assert len(refused) >= settings.AXES_FAILURE_LIMIT - 1
    assert locked[-1].summary == (
        "Sign-in as alice@example.com refused (locked out after repeated failures) from 127.0.0.1"
    ), "the right password, refused while locked out"
    assert not entries("sign_in.succeeded")


def test_a_sign_out_is_written(client, alice):
    sign_in(client, "alice@example.com", PASSWORD)
    client.post(reverse("logout"))

    (entry,) = entries("sign_in.signed_out")
    assert entry.actor == alice
    assert entry.summary == "alice@example.com signed out from 127.0.0.1"


def test_single_sign_on_is_written_as_such(client, sso, alice):
    sso.person("alice-audit", email=alice.email, email_verified=True)
    sign_in_with_the_provider(client, "alice-audit")

    (entry,) = entries("sign_in.succeeded")
    assert entry.actor == alice
    assert entry.changes["way"] == [None, "single sign-on"]


def test_a_refused_single_sign_on_is_written(client, sso, db):
    sso.person("unverified", email="gina@example.com", email_verified=False)
    sign_in_with_the_provider(client, "unverified")

    (entry,) = entries("sign_in.refused")
    assert entry.changes["way"] == [None, "single sign-on"]
    assert entry.changes["name"] == [None, "gina@example.com"]


def test_the_admin_lists_sign_ins_by_their_action(client, adam, alice):
    sign_in(Client(), "alice@example.com", PASSWORD)
    client.force_login(adam)
    page = client.get(
        reverse("admin:portfolio_auditentry_changelist"), {"action": "sign_in.succeeded"}
    )
    assert page.status_code == 200
    assert "alice@example.com signed in (password) from 127.0.0.1" in page.content.decode()


def test_a_sign_in_whose_entry_cannot_be_written_still_signs_in(client, alice, monkeypatch, caplog):
    from django.db import DatabaseError

    def broken(**fields):
        raise DatabaseError("the audit table is away")

    monkeypatch.setattr(AuditEntry.objects, "create", broken)
    assert sign_in(client, "alice@example.com", PASSWORD).status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == alice
    assert "could not write sign_in.succeeded to the audit trail" in caplog.text
