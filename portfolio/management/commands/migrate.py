"""``migrate``, as the tables' owner when ``DATABASE_MIGRATE_URL`` is set.

The app then runs as ``DATABASE_URL``'s user, which owns nothing: after migrating,
this grants that user the rights it needs on every table (portfolio/db_roles.py),
and no more. Without ``DATABASE_MIGRATE_URL`` it is Django's ``migrate``.
"""

from __future__ import annotations

import os

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from portfolio.db_roles import grant_app_rights
from portfolio.env import database_from_url

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    help = (
        DjangoMigrate.help
        + " With DATABASE_MIGRATE_URL set: as that URL's user (the owner), then grants "
        "DATABASE_URL's user the app's rights."
    )

    def handle(self, *args, **options):
        url = os.environ.get("DATABASE_MIGRATE_URL", "").strip()
        if not url:
            return super().handle(*args, **options)
        connection = connections[options["database"]]
        owner = database_from_url(url)
        if connection.vendor != "postgresql" or not owner["ENGINE"].endswith("postgresql"):
            raise CommandError("DATABASE_MIGRATE_URL is for PostgreSQL, with DATABASE_URL too.")
        app_user = connection.settings_dict["USER"]
        saved = {name: connection.settings_dict[name] for name in CREDENTIALS}
        connection.close()
        # The same database (DATABASE_URL's name), reached as its owner.
        connection.settings_dict.update({name: owner[name] for name in CREDENTIALS})
        try:
            super().handle(*args, **options)
            if app_user and app_user != owner["USER"]:
                with connection.cursor() as cursor:
                    grant_app_rights(cursor, app_user)
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Granted {app_user} the app's rights (rows only).")
        finally:
            connection.close()
            connection.settings_dict.update(saved)
