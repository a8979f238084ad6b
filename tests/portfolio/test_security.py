"""Sign-in throttling, CSRF, and the Content-Security-Policy on every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.builders import PASSWORD


def _sign_in(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_works_with_the_right_password(client, alice):
    response = _sign_in(client, "alice@example.com", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_sign_in_ignores_the_case_of_the_email(client, alice):
    response = _sign_in(client, "Alice@Example.COM", PASSWORD)
    assert response.status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = _sign_in(client, "alice@example.com", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "alice@example.com", "wrong")
    response = _sign_in(client, "alice@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_lockout_is_per_account(client, alice, rita, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "alice@example.com", "wrong")
    assert _sign_in(client, "rita@example.com", PASSWORD).status_code == 302


def test_forms_refuse_a_post_without_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_carry_no_inline_script_or_style(client, alice):
    client.force_login(alice)
    for url in (reverse("login"), reverse("home"), reverse("password_change")):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<script type" not in html, url
        assert "style=" not in html and "<style" not in html, url


@pytest.mark.parametrize("url_name", ["home", "password_change"])
def test_pages_need_a_signed_in_person(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_person_changes_their_password(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-9",
            "new_password2": "a-much-longer-passphrase-9",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-much-longer-passphrase-9")


def test_a_weak_new_password_is_refused_by_the_validators(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 400  # a refused form
    assert "too common" in response.content.decode()


@pytest.mark.parametrize(
    "variant",
    ["Alice@example.com", "ALICE@EXAMPLE.COM", " alice@example.com ", "aLiCe@Example.Com"],
)
def test_the_lockout_holds_whatever_the_letter_case(client, alice, settings, variant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "alice@example.com", "wrong")
    response = _sign_in(client, variant, PASSWORD)
    assert response.status_code == 429


def test_case_variants_share_one_budget_of_failures(client, alice, settings):
    variants = ["alice@example.com", "Alice@example.com", "ALICE@example.com", "alice@EXAMPLE.com"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, variants[n % len(variants)], "wrong")
    assert _sign_in(client, "alice@example.com", PASSWORD).status_code == 429


def test_no_view_skips_the_csrf_check_but_the_import_which_checks_it_itself():
    """The import page is exempted from the middleware's check only to store an upload as it
    is read (gates/import_upload.py): it checks the token itself once the body is read
    (tests/gates/test_import_upload_stream.py). The API (django-ninja marks its views exempt)
    takes a bearer token, never the session cookie a forged form would carry. Any other
    exemption is a hole."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def views(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.name, entry.callback

    exempt = {
        name or route
        for route, name, callback in views(get_resolver().url_patterns)
        if getattr(callback, "csrf_exempt", False) and not route.startswith("api/")
    }
    assert exempt == {"portfolio_import"}
