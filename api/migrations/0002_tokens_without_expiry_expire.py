"""Tokens made without an expiry expire API_TOKEN_MAX_DAYS after they were made.

Before API_TOKEN_MAX_DAYS a token made without a last day never expired. Each such token
now has ``created_at + API_TOKEN_MAX_DAYS`` as its expiry, written to its row (so the
tokens page, ``GET /api/v1/me`` and the check read one stored date, and raising the setting
later does not bring an old token back to life); one made longer ago than that is refused
from the upgrade on. Migration 0003 then makes the expiry required.
"""

import datetime

from django.conf import settings
from django.db import migrations
from django.db.models import F


def give_every_token_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    lifetime = datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + lifetime)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial")]

    # Backwards leaves the expiries: a token that never expires is not to be made again.
    operations = [migrations.RunPython(give_every_token_an_expiry, migrations.RunPython.noop)]
