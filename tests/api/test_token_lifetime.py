"""Every API token expires: at most API_TOKEN_MAX_DAYS after it was made.

Before, a token made without a last day worked for ever: a leaked one was a key for good.
Now one made without a last day expires API_TOKEN_MAX_DAYS after it was made, no later last
day is taken, tokens made before the rule got created + API_TOKEN_MAX_DAYS (migration
0002), the tokens page says when each expires, and an expired token's 401 says when."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from portfolio.errors import DomainError
from tests import builders


def test_a_token_made_without_a_last_day_expires_after_the_most_days(alice):
    before = timezone.now()
    token, _ = tokens.create_token(actor=alice, name="no last day")
    after = timezone.now()
    assert token.expires_at is not None
    assert before + datetime.timedelta(days=365) <= token.expires_at
    assert token.expires_at <= after + datetime.timedelta(days=365)


def test_the_setting_sets_the_lifetime_and_the_latest_last_day(alice, settings):
    settings.API_TOKEN_MAX_DAYS = 30
    today = timezone.localdate()
    token, _ = tokens.create_token(actor=alice, name="default")
    assert token.expires_at - token.created_at < datetime.timedelta(days=30, seconds=5)
    assert token.expires_at - token.created_at > datetime.timedelta(days=29, hours=23)
    # The last day it works through may be 29 days ahead: it then expires at the midnight
    # 30 days after today's, never later than a token made now without a last day.
    taken, _ = tokens.create_token(
        actor=alice, name="latest", expires_on=today + datetime.timedelta(days=29)
    )
    assert taken.expires_at <= token.expires_at
    with pytest.raises(DomainError) as error:
        tokens.create_token(
            actor=alice, name="late", expires_on=today + datetime.timedelta(days=30)
        )
    assert error.value.field == "expires_on"
    last = today + datetime.timedelta(days=29)
    assert error.value.message == (
        f"A token lives at most 30 days: its last day is {last:%Y-%m-%d} at the latest. "
        "Make a new token when it ends."
    )


def test_the_page_says_when_each_token_expires(client, alice):
    client.force_login(alice)
    answer = client.post(reverse("api_tokens"), {"name": "Nightly sync", "scope": "read"})
    assert answer.status_code == 201
    token = ApiToken.objects.get()
    when = timezone.localtime(token.expires_at)
    html = answer.content.decode()
    assert f'It expires on <time datetime="{when.isoformat()}">{when:%Y-%m-%d %H:%M} UTC' in html
    page = client.get(reverse("api_tokens")).content.decode()
    assert f"{when:%Y-%m-%d %H:%M}</time>" in page
    assert "Expires (UTC)" in page
    assert ">never<" not in page.split("Last used")[0]  # no token without an expiry
    assert "Left empty, it expires 365 days from now" in page


def test_an_expired_token_is_told_when_it_expired(client, alice):
    token, secret = tokens.create_token(actor=alice, name="old script")
    moment = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 30))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=moment)
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"] == (
        "This API token expired on 2026-03-04 09:30 UTC: make a new one on the API tokens "
        "page (/account/api-tokens/)."
    )


def test_me_gives_the_expiry(client, alice):
    token, secret = tokens.create_token(actor=alice, name="me")
    answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    given = datetime.datetime.fromisoformat(answer.json()["token_expires_at"])
    assert abs(given - token.expires_at) < datetime.timedelta(milliseconds=1)  # to the ms


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_gives_tokens_without_expiry_created_plus_the_most_days():
    old = _migrate([("api", "0001_initial")])
    OldToken = old.get_model("api", "ApiToken")
    alice = builders.make_user("alice@example.com")
    made = timezone.now().replace(microsecond=0) - datetime.timedelta(days=10)
    long_ago = made - datetime.timedelta(days=400)
    chosen = made + datetime.timedelta(days=30)
    for name, digest, expires_at in [
        ("recent", "a" * 64, None),
        ("long ago", "b" * 64, None),
        ("chosen", "c" * 64, chosen),
    ]:
        OldToken.objects.create(
            user_id=alice.pk, name=name, prefix="glt_x", digest=digest, expires_at=expires_at
        )
    OldToken.objects.filter(name="recent").update(created_at=made)
    OldToken.objects.filter(name="long ago").update(created_at=long_ago)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("api"))

    expiry = {t.name: t.expires_at for t in ApiToken.objects.all()}
    assert expiry == {
        "recent": made + datetime.timedelta(days=365),
        "long ago": long_ago + datetime.timedelta(days=365),
        "chosen": chosen,  # a last day chosen is kept
    }
    assert ApiToken.objects.get(name="long ago").is_expired  # refused from the upgrade on
    assert sorted(ApiToken.objects.usable().values_list("name", flat=True)) == ["chosen", "recent"]


def test_the_command_says_when_the_token_expires(alice, capsys):
    call_command("create_api_token", "alice@example.com")
    token = ApiToken.objects.get()
    err = capsys.readouterr().err
    assert f"expires on {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M} UTC" in err
