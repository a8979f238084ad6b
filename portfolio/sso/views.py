"""Sign-in (password and single sign-on), the provider's redirect back, sign-out."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from portfolio.forms import SignInForm
from portfolio.models import User, sign_in_name
from portfolio.sso import provider

NEXT_KEY = "sso_next"
ID_TOKEN_KEY = "sso_id_token"


DEACTIVATED = "Your Greenlight account is deactivated: ask an administrator to reactivate it."


class PasswordSignInForm(SignInForm):
    """The sign-in form, telling a deactivated person why they are refused.

    Only with the account's right password: to anyone else a deactivated account's
    refusal reads as any wrong address or password's, so the page says nothing of
    who has an account. The refusal stays a failed sign-in (django-axes counts it,
    the audit trail records it), since ``authenticate()`` refused it first.
    """

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as refusal:
            if refusal.code == "invalid_login" and self._deactivated_with_right_password():
                raise forms.ValidationError(DEACTIVATED, code="inactive") from None
            raise

    def _deactivated_with_right_password(self) -> bool:
        if getattr(self.request, "axes_locked_out", False):
            return False  # locked out: no password is checked, right or wrong
        name, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not name or not password:
            return False
        person = User.objects.filter(email__iexact=sign_in_name(name), is_active=False).first()
        if person is None:
            # The same hashing time whether or not a deactivated account has this address.
            User().set_password(password)
            return False
        return person.check_password(password)


class SignInView(auth_views.LoginView):
    """Django's sign-in page, offering the identity provider when one is set up."""

    authentication_form = PasswordSignInForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = provider.provider_name() if provider.is_configured() else ""
        context["password_sign_in"] = settings.PASSWORD_SIGN_IN
        return context


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    _forget_sign_in(request)
    messages.error(request, message)
    return redirect("login")


def _forget_sign_in(request: HttpRequest) -> None:
    """Drop a refused sign-in's leftovers from the session: where to go next, and the
    state, nonce and PKCE verifier Authlib keeps under ``_state_<client>_<state>``."""
    request.session.pop(NEXT_KEY, None)
    prefix = f"_state_{provider.CLIENT_NAME}_"
    stored = list(request.session.keys())  # noqa: SIM118 - a session is not iterable
    for key in [key for key in stored if key.startswith(prefix)]:
        del request.session[key]


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@require_POST
def sso_start(request: HttpRequest) -> HttpResponse:
    """Off to the identity provider (a POST, so that no other site can start a sign-in)."""
    if not provider.is_configured():
        raise Http404("Single sign-on is not set up.")
    request.session[NEXT_KEY] = _safe_next(request, request.POST.get("next", ""))
    redirect_uri = request.build_absolute_uri(reverse("sso_callback"))
    try:
        provider.metadata()
        return provider.start_redirect(request, redirect_uri)
    except provider.SignInFailed as failure:
        return _refuse(request, str(failure))


@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The provider's redirect back: verify its answer, then sign the person in."""
    if not provider.is_configured():
        raise Http404("Single sign-on is not set up.")
    try:
        claims, id_token = provider.verified_claims(request)
    except provider.SignInFailed as failure:
        return _refuse(request, str(failure))
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    # ``username`` is what django-axes keys its lockout on, as for a password sign-in.
    person = authenticate(request, sso_claims=claims, username=email)
    if person is None:
        if getattr(request, "axes_locked_out", False):
            return redirect("login")  # AxesMiddleware answers with the locked-out page
        return _refuse(
            request,
            getattr(request, "sso_refusal", "")
            or f"Signing in with {provider.provider_name()} was refused.",
        )
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, person, backend="portfolio.sso.backends.SingleSignOnBackend")
    request.session[ID_TOKEN_KEY] = id_token
    return redirect(_safe_next(request, next_url) or settings.LOGIN_REDIRECT_URL)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End Greenlight's session, then the provider's when it offers RP-initiated logout."""
    id_token = request.session.get(ID_TOKEN_KEY)
    logout(request)
    if id_token and provider.is_configured():
        back = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
        end_session = provider.logout_url(id_token=id_token, post_logout_redirect_uri=back)
        if end_session:
            return redirect(end_session)
    return redirect(settings.LOGOUT_REDIRECT_URL)
