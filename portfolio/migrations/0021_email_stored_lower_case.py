"""A person's e-mail address is stored in lower case, now as a check of the database too.

``User.save`` always wrote it so, and every reader relies on it: sign-in, the import's
people (an address in a file is matched as written, in lower case), a replace's comparison
of what the app holds with the files. An address written past ``save`` (a script, a
queryset.update, raw SQL) with a capital letter made the import create a second person
for it and a replace see its projects as changed. Addresses already stored with capitals
are written in lower case here; two people whose addresses differ only in case stop the
migration with a message naming them, before anything is changed."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import migrations, models
from django.db.models.functions import Lower


def write_addresses_in_lower_case(apps, schema_editor):
    User = apps.get_model("portfolio", "User")
    by_lower: dict[str, list[str]] = {}
    for email in User.objects.values_list("email", flat=True):
        by_lower.setdefault(email.strip().lower(), []).append(email)
    clashes = sorted(sorted(emails) for emails in by_lower.values() if len(emails) > 1)
    if clashes:
        lines = "\n".join(f"  {' and '.join(emails)}" for emails in clashes)
        raise CommandError(
            "portfolio: e-mail addresses are stored in lower case, but these people's "
            f"addresses differ only in case:\n{lines}\n"
            "Give each person one address (in the admin, change or remove the one that should "
            "not be there), then run migrate again. Nothing was changed."
        )
    for lowered, (email,) in by_lower.items():
        if email != lowered:
            User.objects.filter(email=email).update(email=lowered)


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0020_running_totals_not_negative")]

    operations = [
        migrations.RunPython(write_addresses_in_lower_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="user_email_stored_lower_case",
            ),
        ),
    ]
