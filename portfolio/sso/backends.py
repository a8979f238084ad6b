"""The two ways in, as ``django.contrib.auth`` backends.

Both go through ``authenticate()``, so django-axes' backend (listed first) refuses
a locked-out name and address on either, and a refusal counts as a failure.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied

from portfolio.models import User
from portfolio.services.single_sign_on import SignInRefused, person_for_sign_in


class PasswordSignInSwitch:
    """Stops every password sign-in when an administrator turned them off (PASSWORD_SIGN_IN).

    Listed before Django's ModelBackend, which checks passwords: raising
    PermissionDenied ends ``authenticate()`` there, for the sign-in page and the
    admin's alike. ModelBackend itself stays as it was, so sessions signed in
    before single sign-on existed stay signed in. No ``get_user``: nobody is ever
    signed in by this backend (and the test client's force_login skips it).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not settings.PASSWORD_SIGN_IN:
            raise PermissionDenied("Password sign-in is turned off.")
        return None


class SingleSignOnBackend(BaseBackend):
    """A person from the claims of an ID token that ``portfolio.sso.provider`` verified.

    The reason for a refusal is left on the request (``sso_refusal``) for the
    sign-in page to show; ``authenticate()`` itself only says who, or nobody.
    """

    def authenticate(self, request, sso_claims=None, **kwargs):
        if sso_claims is None or not settings.OIDC_ISSUER:
            return None
        try:
            person = person_for_sign_in(
                claims=sso_claims,
                provider=settings.OIDC_PROVIDER_NAME,
                groups_claim=settings.OIDC_GROUPS_CLAIM,
                group_roles=settings.OIDC_GROUP_ROLES,
            )
        except SignInRefused as refusal:
            if request is not None:
                request.sso_refusal = refusal.message
            return None
        return person

    def get_user(self, user_id):
        person = User.objects.filter(pk=user_id).first()
        return person if person is not None and person.is_active else None
