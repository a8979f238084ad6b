"""The API tokens page: make, name, list and revoke one's own tokens; the secret shown once."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken


def test_it_makes_a_token_and_shows_it_once(client, alice):
    client.force_login(alice)
    answer = client.post(
        reverse("api_tokens"), {"name": "Notebook", "scope": "read", "expires_on": ""}
    )
    assert answer.status_code == 201
    token = ApiToken.objects.get(user=alice)
    html = answer.content.decode()
    secret = html.split('id="token-secret" class="secret" type="text" readonly value="')[1].split(
        '"'
    )[0]
    assert tokens.digest(secret) == token.digest
    assert answer["Cache-Control"] == "no-store"
    again = client.get(reverse("api_tokens")).content.decode()
    assert secret not in again
    assert "Notebook" in again and token.prefix in again


def test_it_takes_an_expiry_date(client, alice):
    client.force_login(alice)
    day = timezone.localdate() + datetime.timedelta(days=30)
    client.post(
        reverse("api_tokens"),
        {"name": "Month", "scope": "read-write", "expires_on": day.isoformat()},
    )
    token = ApiToken.objects.get()
    assert token.scope == "read-write"
    assert timezone.localtime(token.expires_at).date() == day + datetime.timedelta(days=1)


def test_it_explains_a_refused_form(client, alice):
    client.force_login(alice)
    answer = client.post(
        reverse("api_tokens"), {"name": "Old", "scope": "read", "expires_on": "2001-01-01"}
    )
    assert answer.status_code == 400
    assert "The expiry date cannot be in the past" in answer.content.decode()
    assert not ApiToken.objects.exists()


def test_it_lists_only_ones_own_tokens(client, alice, rita):
    tokens.create_token(actor=rita, name="Rita's secret script")
    client.force_login(alice)
    assert "Rita&#x27;s secret script" not in client.get(reverse("api_tokens")).content.decode()


def test_it_revokes(client, alice):
    token, _ = tokens.create_token(actor=alice, name="Old")
    client.force_login(alice)
    answer = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert answer.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in client.get(reverse("api_tokens")).content.decode()


def test_nobody_revokes_someone_elses_token(client, alice, rita):
    token, _ = tokens.create_token(actor=rita, name="Rita's")
    client.force_login(alice)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_docs_page_loads_swagger_from_our_own_static_files(client):
    answer = client.get(reverse("api_docs"))
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert "<script>" not in html and "cdn" not in html.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_a_token_may_expire_today_and_works_through_the_day(client, alice):
    today = timezone.localdate()
    client.force_login(alice)
    page = client.get(reverse("api_tokens")).content.decode()
    assert f'min="{today.isoformat()}"' in page
    answer = client.post(
        reverse("api_tokens"), {"name": "One day", "scope": "read", "expires_on": today.isoformat()}
    )
    assert answer.status_code == 201  # the page with the secret, shown once
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at).date() == today + datetime.timedelta(days=1)
