from __future__ import annotations

from django.urls import reverse

from portfolio.models import AuditEntry
from tests.builders import PASSWORD

LOGIN = reverse("login")
LOGOUT = reverse("logout")
PASSWORD_CHANGE = reverse("password_change")


def test_the_login_page_renders(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign in to Greenlight" in body
    assert 'autocomplete="current-password"' in body


def test_it_signs_in_by_email_ignoring_case(client, alice):
    response = client.post(LOGIN, {"username": "Alice@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == alice


def test_it_follows_next_after_signing_in(client, alice, project):
    target = reverse("project_detail", args=[project.key])
    response = client.get(target)
    assert response.url == f"{LOGIN}?next={target}"
    response = client.post(LOGIN, {"username": alice.email, "password": PASSWORD, "next": target})
    assert response.url == target


def test_it_explains_a_wrong_password(client, alice):
    response = client.post(LOGIN, {"username": alice.email, "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please enter a correct e-mail address and password. The password is" in body
    assert 'aria-invalid="true"' in body
    assert 'value="alice@example.com"' in body


def test_a_deactivated_person_with_the_right_password_is_told_so(client, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    response = client.post(LOGIN, {"username": " Alice@Example.com", "password": PASSWORD})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your Greenlight account is deactivated: ask an administrator" in body
    assert "Please enter a correct e-mail address and password" not in body
    assert "_auth_user_id" not in client.session
    # Still a refused sign-in: counted towards the lockout and in the audit trail.
    assert AuditEntry.objects.filter(action="sign_in.refused").count() == 1


def test_a_deactivated_account_is_not_revealed_without_its_password(client, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    deactivated = client.post(LOGIN, {"username": alice.email, "password": "wrong"})
    nobody = client.post(LOGIN, {"username": "nobody@example.com", "password": "wrong"})
    for response in (deactivated, nobody):
        body = response.content.decode()
        assert "Please enter a correct e-mail address and password" in body
        assert "deactivated" not in body


def test_it_signs_out_with_post(client, alice):
    client.force_login(alice)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.get(reverse("home")).status_code == 302


def test_the_nav_offers_sign_out_and_password(client, alice):
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert f'action="{LOGOUT}"' in body
    assert f'href="{PASSWORD_CHANGE}"' in body
    assert f'href="{reverse("proposal_create")}"' in body


def test_the_nav_fits_the_role(client, bob, erin):
    client.force_login(bob)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("proposal_create")}"' not in body
    client.force_login(erin)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dashboard")}"' in body


def test_password_change_requires_login(client, db):
    response = client.get(PASSWORD_CHANGE)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_it_changes_the_password(client, alice):
    client.force_login(alice)
    new = "another-long-passphrase-77"
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(new)


def test_it_shows_password_errors_beside_the_fields(client, alice):
    client.force_login(alice)
    response = client.post(
        PASSWORD_CHANGE,
        {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Your password was not changed" in body
    assert "Your old password was entered incorrectly" in body
    assert 'aria-invalid="true"' in body
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
