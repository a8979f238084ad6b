"""``manage.py create_api_token EMAIL [--scope read|read-write] [--name NAME] [--expires-on DATE]``.

Prints the new token on its last line, for scripts: ``TOKEN=$(manage.py create_api_token
... | tail -n 1)``. The secret is shown only here; Greenlight stores its digest.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from api import tokens
from api.models import Scope
from portfolio.errors import DomainError
from portfolio.models import User


class Command(BaseCommand):
    help = "Make a personal API token for a person and print it (on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person the token acts as.")
        parser.add_argument("--scope", choices=Scope.values, default=Scope.READ)
        parser.add_argument("--name", default="", help="Default: “made by create_api_token”.")
        parser.add_argument("--expires-on", help="Last day the token works, YYYY-MM-DD.")

    def handle(self, *args, email: str, scope: str, name: str, expires_on: str | None, **opts):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No person has the e-mail address {email}.")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated: their tokens would be refused.")
        expires = None
        if expires_on:
            try:
                expires = datetime.date.fromisoformat(expires_on)
            except ValueError:
                raise CommandError("--expires-on: give a date as YYYY-MM-DD.") from None
        try:
            token, secret = tokens.create_token(
                actor=user,
                name=name or "made by create_api_token",
                scope=scope,
                expires_on=expires,
            )
        except DomainError as error:
            raise CommandError(
                f"--{(error.field or 'name').replace('_', '-')}: {error.message}"
            ) from None
        self.stderr.write(
            f"API token “{token.name}” ({token.scope}) for {user.email}, expires on "
            f"{tokens.expiry_words(token.expires_at)}; it is shown only now:"
        )
        self.stdout.write(secret)
