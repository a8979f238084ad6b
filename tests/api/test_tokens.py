"""Personal API tokens: made, shown once, stored hashed, refused when revoked or expired."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from portfolio.errors import DomainError, PermissionDenied
from portfolio.models import AuditEntry
from tests.api.conftest import token_for


def test_a_token_is_stored_as_a_digest_only(alice):
    token, secret = tokens.create_token(actor=alice, name="notebook", scope="read")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("glt_") and len(secret) > 40
    assert secret not in {stored.digest, stored.prefix, stored.name}
    assert stored.digest == tokens.digest(secret)
    assert secret.startswith(stored.prefix)
    assert AuditEntry.objects.filter(action="api_token.created", actor=alice).exists()


def test_it_needs_a_name_and_an_expiry_not_in_the_past(alice):
    with pytest.raises(DomainError) as error:
        tokens.create_token(actor=alice, name="  ")
    assert error.value.field == "name"
    with pytest.raises(DomainError) as error:
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        tokens.create_token(actor=alice, name="x", expires_on=yesterday)
    assert error.value.field == "expires_on"
    with pytest.raises(DomainError) as error:
        tokens.create_token(actor=alice, name="x", scope="admin")
    assert error.value.field == "scope"
    assert not ApiToken.objects.exists()


def test_it_acts_as_its_person(api_as, alice):
    answer = api_as(alice, "read").get("/api/v1/me")
    assert answer.status_code == 200
    assert answer.json()["email"] == "alice@example.com"
    assert answer.json()["roles"] == ["Researcher"]
    assert answer.json()["token_scope"] == "read"


def test_it_records_when_it_was_last_used(client, alice):
    secret = token_for(alice)
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < datetime.timedelta(seconds=30)


def test_a_revoked_token_is_refused(client, alice):
    token, secret = tokens.create_token(actor=alice, name="old")
    tokens.revoke_token(token=token, actor=alice)
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"] == "This API token was revoked."


def test_an_expired_token_is_refused(client, alice):
    token, secret = tokens.create_token(
        actor=alice, name="short", expires_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    assert answer.json()["detail"].startswith("This API token expired on ")


def test_a_deactivated_persons_token_is_refused(client, alice):
    secret = token_for(alice)
    alice.is_active = False
    alice.save()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer nonsense", "Basic Zm9vOmJhcg==", "Bearer glt_x"]
)
def test_without_a_good_token_it_answers_401(client, alice, header):
    token_for(alice)
    answer = client.get("/api/v1/projects", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert answer.json()["status"] == 401


def test_a_browser_session_is_not_a_token(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/projects").status_code == 401


def test_only_its_owner_revokes_a_token(alice, rita):
    token, _secret = tokens.create_token(actor=alice, name="mine")
    with pytest.raises(PermissionDenied):
        tokens.revoke_token(token=token, actor=rita)
    token.refresh_from_db()
    assert token.revoked_at is None


# --- manage.py create_api_token -----------------------------------------------------------


def test_the_command_prints_the_token_on_its_last_line(alice, capsys, client):
    call_command("create_api_token", "ALICE@example.com", "--scope", "read-write", "--name", "sync")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.name, token.scope, token.user) == ("sync", "read-write", alice)
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.json()["token_scope"] == "read-write"


def test_the_command_makes_a_read_token_unless_told(alice, capsys):
    call_command("create_api_token", "alice@example.com")
    assert ApiToken.objects.get().scope == "read"


def test_the_command_names_what_is_wrong(alice):
    with pytest.raises(CommandError, match="No person has the e-mail address nobody@example.com"):
        call_command("create_api_token", "nobody@example.com")
    with pytest.raises(CommandError, match="--expires-on: give a date as YYYY-MM-DD"):
        call_command("create_api_token", "alice@example.com", "--expires-on", "soon")
    with pytest.raises(CommandError, match="--expires-on: The expiry date cannot be in the past"):
        call_command("create_api_token", "alice@example.com", "--expires-on", "2000-01-01")
    assert not ApiToken.objects.exists()
