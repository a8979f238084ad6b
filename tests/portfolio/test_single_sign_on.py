"""Single sign-on end to end, against a real OpenID provider on the loopback.

Each sign-in runs the whole authorization code flow: the sign-in page's button
posts to Greenlight, which sends the browser (here: the test client, then
``requests``) to the provider; the provider's form picks the person and redirects
back with a code; Greenlight exchanges it over HTTP and checks the ID token.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.messages import get_messages
from django.urls import reverse

from portfolio.models import AuditEntry, Role, User
from portfolio.sso.provider import client as oidc_client
from tests.builders import PASSWORD, make_user

LOGIN = reverse("login")
START = reverse("sso_start")
CALLBACK = reverse("sso_callback")


def start(client, next_url: str = "") -> str:
    """Press "Sign in with …"; returns the provider's authorization address."""
    response = client.post(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302, response
    return response.url


def pick_at_provider(authorize_url: str, sub: str) -> str:
    """Choose the person on the provider's form; returns Greenlight's callback address."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert parts.path == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, sub: str, next_url: str = ""):
    return come_back(client, pick_at_provider(start(client, next_url), sub))


def refusal(client, response) -> str:
    assert response.status_code == 302
    assert response.url == LOGIN
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1, shown
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert shown[0] in page.content.decode().replace("&#x27;", "'")
    return shown[0]


def signed_in_as(client) -> User | None:
    user = client.get(reverse("home")).wsgi_request.user
    return user if user.is_authenticated else None


# --- The sign-in page -------------------------------------------------------------------


def test_the_sign_in_page_offers_the_provider_only_when_configured(client, db, settings):
    body = client.get(LOGIN).content.decode()
    assert "Sign in with" not in body
    assert client.post(START).status_code == 404
    assert client.get(CALLBACK).status_code == 404


def test_the_sign_in_page_offers_the_provider_beside_passwords(client, sso):
    body = client.get(LOGIN).content.decode()
    assert "Sign in with Example ID" in body
    assert f'action="{START}"' in body
    assert 'name="password"' in body


def test_the_policy_lets_the_sign_in_form_lead_to_the_provider(client, sso):
    policy = client.get(LOGIN).headers["Content-Security-Policy"]
    form_action = next(p for p in policy.split(";") if "form-action" in p)
    assert sso.issuer in form_action
    assert "'self'" in form_action


# --- Signing in -------------------------------------------------------------------------


def test_a_first_sign_in_creates_the_person_without_a_role(client, sso):
    sso.person("new-1", email="Nadia.New@Example.com", email_verified=True, name="Nadia New")
    response = sign_in(client, "new-1")
    assert response.status_code == 302
    assert response.url == reverse("home")
    nadia = User.objects.get(email="nadia.new@example.com")
    assert signed_in_as(client) == nadia
    assert nadia.full_name == "Nadia New"
    assert nadia.roles == []
    assert not nadia.has_usable_password()
    entry = AuditEntry.objects.get(action="person.created", object_id=str(nadia.pk))
    assert "Example ID" in entry.summary


def test_it_matches_an_existing_person_by_e_mail_ignoring_case(client, sso, alice):
    sso.person("alice-sub", email="ALICE@example.COM", email_verified=True)
    sign_in(client, "alice-sub")
    assert signed_in_as(client) == alice
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    assert alice.roles == [Role.RESEARCHER]


def test_it_follows_next_after_signing_in(client, sso, alice, project):
    sso.person("alice-next", email=alice.email, email_verified=True)
    target = reverse("project_detail", args=[project.key])
    assert sign_in(client, "alice-next", next_url=target).url == target


def test_it_does_not_follow_next_off_the_site(client, sso, alice):
    sso.person("alice-away", email=alice.email, email_verified=True)
    assert sign_in(client, "alice-away", next_url="https://evil.example/").url == reverse("home")


def test_groups_map_to_roles_through_the_audited_service(client, sso, settings):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"rd-staff": Role.RESEARCHER, "pm-staff": Role.PRODUCT_MANAGER}
    sso.person("gina", email="gina@example.com", email_verified=True, groups=["rd-staff", "x"])
    sign_in(client, "gina")
    gina = User.objects.get(email="gina@example.com")
    assert gina.roles == [Role.RESEARCHER]
    granted = AuditEntry.objects.get(action="role.granted", object_id=str(gina.pk))
    assert granted.actor is None
    assert "Example ID (groups claim) granted the Researcher role" in granted.summary

    # Her groups change at the provider: the next sign-in follows them.
    sso.person("gina", email="gina@example.com", email_verified=True, groups=["pm-staff"])
    client.post(reverse("logout"))
    sign_in(client, "gina")
    gina = User.objects.get(pk=gina.pk)
    assert gina.roles == [Role.PRODUCT_MANAGER]
    assert AuditEntry.objects.filter(action="role.removed", object_id=str(gina.pk)).count() == 1


def test_roles_outside_the_mapping_are_left_alone(client, sso, settings, carol):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"rd-staff": Role.RESEARCHER}
    sso.person("carol-sub", email=carol.email, email_verified=True, groups=[])
    sign_in(client, "carol-sub")
    assert User.objects.get(pk=carol.pk).roles == [Role.ARCHITECT]


def test_a_groups_claim_never_grants_admin(client, sso, settings):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"it-admins": Role.ADMIN}
    sso.person("ivan", email="ivan@example.com", email_verified=True, groups=["it-admins"])
    sign_in(client, "ivan")
    ivan = User.objects.get(email="ivan@example.com")
    assert ivan.roles == []
    assert not ivan.is_staff


def test_a_superusers_roles_are_not_the_claims_business(client, sso, settings):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_GROUP_ROLES = {"rd-staff": Role.RESEARCHER}
    root = make_user("root@example.com", Role.RESEARCHER, is_superuser=True, is_staff=True)
    sso.person("root-sub", email=root.email, email_verified=True, groups=[])
    sign_in(client, "root-sub")
    assert signed_in_as(client) == root
    assert User.objects.get(pk=root.pk).roles == [Role.RESEARCHER]


# --- Refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "alice", "adam"])
def test_a_callback_nobody_started_writes_nothing(client, sso, persona, request):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    people, entries = (
        User.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    )
    assert "state did not match" in refusal(client, client.get(CALLBACK))
    assert client.get(f"{CALLBACK}?code=abc&state=def").url == LOGIN
    assert (
        User.objects.count(),
        AuditEntry.objects.exclude(action__startswith="sign_in.").count(),
    ) == (people, entries)


def test_an_unverified_e_mail_is_refused(client, sso):
    sso.person("unverified", email="uma@example.com", email_verified=False)
    message = refusal(client, sign_in(client, "unverified"))
    assert "has not verified the e-mail address uma@example.com" in message
    assert signed_in_as(client) is None
    assert not User.objects.filter(email="uma@example.com").exists()


def test_a_missing_e_mail_is_refused(client, sso):
    sso.person("no-email", name="Nobody")
    assert "did not share your e-mail address" in refusal(client, sign_in(client, "no-email"))


def test_a_disabled_person_is_refused(client, sso, alice):
    alice.is_active = False
    alice.save()
    sso.person("alice-off", email=alice.email, email_verified=True)
    message = refusal(client, sign_in(client, "alice-off"))
    assert "The Greenlight account alice@example.com is disabled" in message
    assert signed_in_as(client) is None


def test_a_state_that_does_not_match_is_refused(client, sso, alice):
    sso.person("alice-state", email=alice.email, email_verified=True)
    callback = pick_at_provider(start(client), "alice-state")
    forged = callback.replace("state=", "state=x")
    assert "state did not match" in refusal(client, come_back(client, forged))
    # Nor is a callback used twice: its state is spent.
    ok = pick_at_provider(start(client), "alice-state")
    assert come_back(client, ok).url == reverse("home")
    client.post(reverse("logout"))
    assert "state did not match" in refusal(client, come_back(client, ok))


def test_a_callback_from_another_browser_is_refused(client, sso, alice, django_user_model):
    from django.test import Client

    sso.person("alice-csrf", email=alice.email, email_verified=True)
    callback = pick_at_provider(start(client), "alice-csrf")
    other = Client()
    assert "state did not match" in refusal(other, come_back(other, callback))


def test_a_code_the_provider_did_not_issue_is_refused(client, sso, alice):
    sso.person("alice-code", email=alice.email, email_verified=True)
    callback = pick_at_provider(start(client), "alice-code")
    forged = callback.replace("code=", "code=x")
    message = refusal(client, come_back(client, forged))
    assert "Example ID did not sign you in" in message
    assert signed_in_as(client) is None


def test_the_provider_saying_no_is_explained(client, sso):
    authorize = start(client)
    response = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=5)
    message = refusal(client, come_back(client, response.headers["Location"]))
    assert "Example ID did not sign you in" in message
    assert "denied the request." in message


def test_a_refused_sign_in_leaves_nothing_of_itself_in_the_session(client, sso, project):
    authorize = start(client, f"/projects/{project.key}/")
    assert any(key.startswith("_state_greenlight_") for key in client.session.keys())  # noqa: SIM118
    response = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=5)

    refusal(client, come_back(client, response.headers["Location"]))

    stored = client.session.keys()  # a session is not iterable
    leftovers = [key for key in stored if key.startswith(("_state_", "sso"))]
    assert leftovers == []


def test_an_unreachable_provider_is_explained(client, settings, db):
    from tests.identity_provider import MockProvider, configure

    configure(settings, MockProvider(app=None, port=9))  # the discard port: nobody listens
    oidc_client().server_metadata.clear()
    message = refusal(client, client.post(START))
    assert "Example ID could not be reached" in message


def test_a_provider_naming_another_issuer_is_refused(client, sso, settings):
    settings.OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")
    message = refusal(client, client.post(START))
    assert "names the issuer" in message


@pytest.fixture
def altered_token(monkeypatch, sso):
    """Replace the ID token the provider sends with ``make(claims)`` of its own claims."""
    from joserfc import jwt

    def install(make):
        app_class = type(oidc_client())
        original = app_class.fetch_access_token

        def fetch(self, *args, **kwargs):
            token = original(self, *args, **kwargs)
            claims = jwt.decode(token["id_token"], sso.key()).claims
            token["id_token"] = make(claims)
            return token

        monkeypatch.setattr(app_class, "fetch_access_token", fetch)

    return install


def test_a_token_from_another_issuer_is_refused(client, sso, alice, altered_token):
    sso.person("alice-iss", email=alice.email, email_verified=True)
    altered_token(lambda c: sso.sign({**c, "iss": "https://evil.example"}))
    assert "wrong issuer" in refusal(client, sign_in(client, "alice-iss"))
    assert signed_in_as(client) is None


def test_a_token_for_another_application_is_refused(client, sso, alice, altered_token):
    sso.person("alice-aud", email=alice.email, email_verified=True)
    altered_token(lambda c: sso.sign({**c, "aud": "someone-else"}))
    assert "wrong audience" in refusal(client, sign_in(client, "alice-aud"))


def test_an_expired_token_is_refused(client, sso, alice, altered_token):
    sso.person("alice-exp", email=alice.email, email_verified=True)
    hour_ago = int(time.time()) - 3600
    altered_token(lambda c: sso.sign({**c, "iat": hour_ago - 600, "exp": hour_ago}))
    assert "has expired" in refusal(client, sign_in(client, "alice-exp"))


def test_a_tampered_token_is_refused(client, sso, alice, rita, altered_token):
    sso.person("rita-tamper", email=rita.email, email_verified=True)

    def tamper(claims):
        # Rita's genuine token, its payload swapped for one naming Alice: the signature
        # no longer fits.
        header, _payload, signature = sso.sign(claims).split(".")
        _h, forged_payload, _s = sso.sign({**claims, "email": alice.email}).split(".")
        return f"{header}.{forged_payload}.{signature}"

    altered_token(tamper)
    assert "altered or forged" in refusal(client, sign_in(client, "rita-tamper"))
    assert signed_in_as(client) is None


def test_a_token_signed_by_another_key_is_refused(client, sso, alice, altered_token):
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    sso.person("alice-key", email=alice.email, email_verified=True)
    stranger = RSAKey.generate_key(2048, parameters={"kid": sso.key().kid})
    altered_token(lambda c: jwt.encode({"alg": "RS256", "kid": stranger.kid}, c, stranger))
    assert "altered or forged" in refusal(client, sign_in(client, "alice-key"))


def test_a_replayed_nonce_is_refused(client, sso, alice, altered_token):
    sso.person("alice-nonce", email=alice.email, email_verified=True)
    altered_token(lambda c: sso.sign({**c, "nonce": "from-another-sign-in"}))
    assert "nonce did not match" in refusal(client, sign_in(client, "alice-nonce"))


def test_a_locked_out_person_stays_locked_out(client, sso, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": alice.email, "password": "wrong"})
    sso.person("alice-locked", email=alice.email, email_verified=True)
    response = sign_in(client, "alice-locked")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert signed_in_as(client) is None


# --- Signing out, and passwords turned off ----------------------------------------------


def test_sign_out_ends_the_providers_session_too(client, sso, alice):
    sso.person("alice-out", email=alice.email, email_verified=True)
    sign_in(client, "alice-out")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    end_session = urlsplit(response.url)
    assert f"{end_session.scheme}://{end_session.netloc}" == sso.issuer
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == [f"http://testserver{LOGIN}"]
    assert query["id_token_hint"]
    assert signed_in_as(client) is None
    # The provider's end-session page answers (it asks the person to confirm).
    assert requests.get(response.url, timeout=5).status_code == 200


def test_a_password_sign_in_signs_out_locally(client, sso, alice):
    client.post(LOGIN, {"username": alice.email, "password": PASSWORD})
    assert client.post(reverse("logout")).url == LOGIN


def test_passwords_turned_off_leave_only_the_provider(client, sso, settings, alice):
    settings.PASSWORD_SIGN_IN = False
    body = client.get(LOGIN).content.decode()
    assert "Sign in with Example ID" in body
    assert 'name="password"' not in body
    response = client.post(LOGIN, {"username": alice.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Password sign-in is turned off here" in response.content.decode()
    assert signed_in_as(client) is None
    # Nor does the admin's own sign-in page take a password.
    admin = make_user("root@example.com", is_superuser=True, is_staff=True)
    client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})
    assert signed_in_as(client) is None
    sso.person("alice-only", email=alice.email, email_verified=True)
    sign_in(client, "alice-only")
    assert signed_in_as(client) == alice


def test_with_passwords_off_nobody_is_offered_a_password_to_change(client, settings, alice):
    client.force_login(alice)
    assert 'href="/accounts/password/"' in client.get(reverse("home")).content.decode()

    settings.PASSWORD_SIGN_IN = False

    assert 'href="/accounts/password/"' not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("password_change")).status_code == 404


def test_a_wrong_password_on_the_admins_sign_in_page_is_no_500(client, db):
    response = client.post(reverse("admin:login"), {"username": "x@example.com", "password": "x"})
    assert response.status_code == 200
    assert "Please enter the correct" in response.content.decode()


# --- Configuration ----------------------------------------------------------------------


def test_group_roles_are_read_as_semicolon_separated_pairs(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from portfolio.env import env_group_roles

    monkeypatch.setenv("GR", "CN=Research,OU=Groups=Researcher; pm = Product manager;")
    assert env_group_roles("GR") == {
        "CN=Research,OU=Groups": "Researcher",
        "pm": "Product manager",
    }
    monkeypatch.setenv("GR", "research-staff")
    with pytest.raises(ImproperlyConfigured, match="GR must be pairs"):
        env_group_roles("GR")


def test_passwords_cannot_be_turned_off_without_single_sign_on():
    from tests.portfolio.test_settings import _manage

    result = _manage("check", DEBUG="true", PASSWORD_SIGN_IN="false", OIDC_ISSUER="")
    assert result.returncode != 0
    assert "PASSWORD_SIGN_IN=false needs single sign-on (OIDC_ISSUER)" in result.stderr


def test_a_mapping_to_admin_stops_the_checks():
    from tests.portfolio.test_settings import _manage

    result = _manage(
        "check",
        DEBUG="true",
        OIDC_ISSUER="https://id.example.org",
        OIDC_CLIENT_ID="greenlight",
        OIDC_GROUPS_CLAIM="groups",
        OIDC_GROUP_ROLES="it-admins=Admin",
    )
    assert result.returncode != 0
    assert "a groups claim never grants Admin" in result.stderr
