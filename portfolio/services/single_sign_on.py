"""Who a sign-in through the identity provider becomes. Audited.

The provider vouches for an e-mail address; Greenlight matches it to a person
the way password sign-in compares addresses (``sign_in_name``: case and width
folded). A first sign-in creates the person with no role, for an admin to
grant; or, when a groups claim is mapped to roles, with the roles it gives
(``people.set_roles_from_provider``, audited like any role change).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from portfolio import audit, versioning
from portfolio.errors import DomainError
from portfolio.models import User, sign_in_name
from portfolio.services import people


class SignInRefused(DomainError):
    """The provider signed someone in whom Greenlight does not let in."""


def _is_verified(value: object) -> bool:
    # Some providers send the JSON boolean as a string.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _groups(claims: dict, claim: str) -> list[str]:
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(group) for group in value]
    return []


@transaction.atomic
def person_for_sign_in(
    *,
    claims: dict,
    provider: str,
    groups_claim: str = "",
    group_roles: dict[str, str] | None = None,
) -> User:
    """The active person these verified ID-token claims name, created on first sign-in.

    Raises ``SignInRefused`` for a missing or unverified address, or a disabled person.
    """
    raw_email = claims.get("email")
    if not isinstance(raw_email, str) or not raw_email.strip():
        raise SignInRefused(
            f"{provider} did not share your e-mail address (the 'email' scope and "
            "claim), so Greenlight cannot tell who you are: sign-in refused."
        )
    email = sign_in_name(raw_email)
    try:
        validate_email(email)
        if len(email) > User._meta.get_field("email").max_length:
            raise ValidationError("too long")
    except ValidationError:
        raise SignInRefused(
            f"{provider} sent {raw_email[:80]!r}, which is not an e-mail address "
            "Greenlight can use: sign-in refused."
        ) from None
    if not _is_verified(claims.get("email_verified")):
        raise SignInRefused(
            f"{provider} has not verified the e-mail address {email}: verify it there "
            "first, then sign in again."
        )
    person = User.objects.select_for_update().filter(email__iexact=email).first()
    if person is not None and not person.is_active:
        raise SignInRefused(f"The Greenlight account {email} is disabled: ask an administrator.")
    if person is None:
        name = claims.get("name") if isinstance(claims.get("name"), str) else ""
        # Nothing the metrics read (versioning.changing with no project).
        with versioning.changing():
            person = User.objects.create_user(email=email, full_name=" ".join(name.split())[:150])
            audit.record(
                actor=None,
                action="person.created",
                obj=person,
                summary=f"{email} signed in with {provider} for the first time (no role yet)",
            )
    if group_roles:
        people.set_roles_from_provider(
            person=person,
            groups=_groups(claims, groups_claim),
            group_roles=group_roles,
            provider=provider,
        )
    return person
