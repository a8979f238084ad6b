"""A person locked out of signing in: the People page says until when, and an admin unlocks them.

django-axes locks a name and address out after ``AXES_FAILURE_LIMIT`` failed sign-ins; the
locked-out page said to ask an administrator, but the app's Admin role had no way to see
the lock or end it (only a superuser, in the admin site's axes pages, or an operator's
command). The 429 page gave no Retry-After header and no time.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portfolio.models import AuditEntry
from tests.builders import PASSWORD, make_user

UNLOCK_BUTTON = 'aria-label="Unlock the sign-in of alice@example.com">Unlock</button>'


def _sign_in(email: str, password: str, address: str = "127.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        reverse("login"), {"username": email, "password": password}
    )


def _lock_out(email: str, address: str = "127.0.0.1") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(email, "wrong", address)
    assert _sign_in(email, PASSWORD, address).status_code == 429


def _until(failures_at: datetime.datetime) -> str:
    """The page's "HH:MM": an hour after the last failure, rounded up to the minute."""
    until = timezone.localtime(failures_at + datetime.timedelta(hours=1))
    return (until.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)).strftime(
        "%H:%M"
    )


def _people_page(client, who) -> str:
    client.force_login(who)
    response = client.get(reverse("people_list"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_people_page_shows_until_when_a_person_is_locked_out(client, adam, alice, rita):
    _lock_out("alice@example.com")
    last_try = timezone.now()
    html = _people_page(client, adam)
    # The right password tried while locked counts too: one more than the limit.
    failures = settings.AXES_FAILURE_LIMIT + 1
    locked = re.search(r"Locked until (\d\d:\d\d) \(after (\d+) failed sign-ins\)", html)
    assert locked, html
    assert locked[1] in {_until(last_try - datetime.timedelta(minutes=1)), _until(last_try)}
    assert int(locked[2]) == failures
    assert html.count("Locked until") == 1, "Rita is not locked out"
    assert UNLOCK_BUTTON in html
    # Together in one block (a form inside a <p> ends the paragraph before the button).
    assert re.search(
        r'<div class="sign-in-lock">Locked until [^<]*<form.*?Unlock</button>\s*</form></div>',
        html,
        re.S,
    )


def test_a_few_failures_short_of_the_limit_are_no_lock(client, adam, alice):
    _sign_in("alice@example.com", "wrong")
    assert "Locked until" not in _people_page(client, adam)


def test_an_admin_unlocks_a_person_who_may_then_sign_in(client, adam, alice):
    _lock_out("alice@example.com")
    client.force_login(adam)
    response = client.post(reverse("person_unlock", args=[alice.pk]), follow=True)
    html = response.content.decode()
    failures = settings.AXES_FAILURE_LIMIT + 1
    assert (
        f"alice@example.com is unlocked and may sign in again (the {failures} failed sign-ins "
        "are forgotten)." in html
    )
    assert "Locked until" not in html
    assert _sign_in("alice@example.com", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="sign_in.unlocked")
    assert entry.actor == adam and entry.object_id == str(alice.pk)
    assert entry.summary == (
        f"adam@example.com unlocked the sign-in of alice@example.com, "
        f"locked out after {failures} failed sign-ins"
    )


def test_unlocking_ends_the_lock_from_every_address(client, adam, alice):
    _lock_out("alice@example.com", "10.0.0.1")
    _lock_out("alice@example.com", "10.0.0.2")
    assert "from 2 addresses" in _people_page(client, adam)
    client.post(reverse("person_unlock", args=[alice.pk]))
    assert _sign_in("alice@example.com", PASSWORD, "10.0.0.1").status_code == 302
    assert _sign_in("alice@example.com", PASSWORD, "10.0.0.2").status_code == 302


def test_unlocking_someone_not_locked_out_says_so_and_writes_nothing(client, adam, alice):
    client.force_login(adam)
    response = client.post(reverse("person_unlock", args=[alice.pk]), follow=True)
    assert "alice@example.com is not locked out: they may sign in." in response.content.decode()
    assert not AuditEntry.objects.filter(action="sign_in.unlocked").exists()


@pytest.mark.parametrize("persona", ["erin", "bob", "alice"])
def test_only_admins_see_and_use_the_unlock(client, adam, rita, persona, request):
    _lock_out("rita@example.com")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("people_list")).status_code == 403
    assert client.post(reverse("person_unlock", args=[rita.pk])).status_code == 403
    assert _sign_in("rita@example.com", PASSWORD).status_code == 429


def test_only_a_superuser_unlocks_a_superuser(client, adam):
    root = make_user("root@example.com", is_superuser=True, is_staff=True)
    _lock_out("root@example.com")
    html = _people_page(client, adam)
    assert "Locked until" in html
    assert 'aria-label="Unlock the sign-in of root@example.com"' not in html
    assert client.post(reverse("person_unlock", args=[root.pk])).status_code == 403
    client.force_login(root)
    client.post(reverse("person_unlock", args=[root.pk]))
    assert _sign_in("root@example.com", PASSWORD).status_code == 302


def test_unlock_is_a_post_with_its_csrf_token(adam, alice):
    _lock_out("alice@example.com")
    client = Client(enforce_csrf_checks=True)
    client.force_login(adam)
    url = reverse("person_unlock", args=[alice.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert _sign_in("alice@example.com", PASSWORD).status_code == 429


# --- The locked-out page ------------------------------------------------------------------


def test_the_locked_out_page_says_when_to_try_again_with_a_retry_after_header(alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in("alice@example.com", "wrong")
    response = _sign_in("alice@example.com", PASSWORD)
    last_try = timezone.now()
    assert response.status_code == 429
    assert 3590 <= int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    at = re.search(r"You can try again at (\d\d:\d\d)\.", html)
    assert at, html
    assert at[1] in {_until(last_try - datetime.timedelta(minutes=1)), _until(last_try)}
    assert "even with the right password, starts the wait again" in html
    assert "An administrator can unlock it sooner, on the People page." in html
