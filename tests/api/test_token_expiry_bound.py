"""A token's last day is at most API_TOKEN_MAX_DAYS - 1 days ahead (it works through it):
9999-12-31 was a 500 (OverflowError) on the tokens page; now every way of making a token
refuses a day past the bound, beside the field."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from portfolio.errors import DomainError


def _latest() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS - 1)


def test_the_page_refuses_a_last_day_past_the_bound_beside_the_field(client, alice):
    client.force_login(alice)
    for day in ("9999-12-31", (_latest() + datetime.timedelta(days=1)).isoformat()):
        answer = client.post(
            reverse("api_tokens"), {"name": "Forever", "scope": "read", "expires_on": day}
        )
        assert answer.status_code == 400
        html = answer.content.decode()
        assert "A token lives at most 365 days" in html
        assert f"its last day is {_latest():%Y-%m-%d} at the latest" in html
    assert not ApiToken.objects.exists()


def test_the_page_takes_the_latest_last_day(client, alice):
    client.force_login(alice)
    answer = client.post(
        reverse("api_tokens"),
        {"name": "Year", "scope": "read", "expires_on": _latest().isoformat()},
    )
    assert answer.status_code == 201
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at).date() == _latest() + datetime.timedelta(days=1)


def test_the_field_says_the_bound_and_the_browser_offers_no_later_day():
    field = TokenForm()["expires_on"]
    assert field.field.widget.attrs["max"] == _latest().isoformat()
    assert f"{_latest():%Y-%m-%d} at the latest" in field.help_text
    assert "at most 365 days" in field.help_text


def test_the_service_refuses_the_largest_date_without_overflowing(alice):
    with pytest.raises(DomainError) as error:
        tokens.create_token(actor=alice, name="x", expires_on=datetime.date.max)
    assert error.value.field == "expires_on"
    assert "A token lives at most 365 days" in error.value.message
    assert not ApiToken.objects.exists()


def test_the_command_refuses_it_too(alice):
    with pytest.raises(CommandError, match="--expires-on: A token lives at most 365 days"):
        call_command("create_api_token", "alice@example.com", "--expires-on", "9999-12-31")
    assert not ApiToken.objects.exists()
