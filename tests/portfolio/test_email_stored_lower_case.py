"""A person's e-mail address is stored in lower case: ``User.save`` writes it so, and the
database refuses a capital written past it (a queryset.update, a bulk_create, raw SQL). An
address with a capital would otherwise be a second person at the next import (the files'
addresses are matched in lower case) and make a replace see that person's projects as
changed. A database holding such addresses has them written in lower case by the migration;
two people whose addresses differ only in case stop it with a message naming them."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError

from portfolio.models import User
from tests.builders import make_user
from tests.portfolio.test_limits_in_the_database import (
    migrate,
    migrate_to_the_latest,
    refused_by,
)

pytestmark = pytest.mark.django_db

BEFORE = [("portfolio", "0020_running_totals_not_negative")]


def test_save_writes_the_address_in_lower_case():
    assert make_user("  Dana.Smith@Example.COM ").email == "dana.smith@example.com"


def test_a_capital_written_past_save_is_refused():
    dana = make_user("dana@example.com")
    refused, savepoint = refused_by("user_email_stored_lower_case")
    with refused, savepoint:
        User.objects.filter(pk=dana.pk).update(email="Dana@example.com")
    refused, savepoint = refused_by("user_email_stored_lower_case")
    with refused, savepoint:
        User.objects.bulk_create([User(email="Erin@Example.com", password="!")])
    assert list(User.objects.values_list("email", flat=True)) == ["dana@example.com"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_writes_stored_capitals_in_lower_case():
    migrate(BEFORE)
    try:
        dana = make_user("dana@example.com")
        User.objects.filter(pk=dana.pk).update(email="Dana.Smith@Example.com")

        migrate_to_the_latest()

        assert User.objects.get(pk=dana.pk).email == "dana.smith@example.com"
    finally:
        User.objects.all().delete()
        migrate_to_the_latest()


@pytest.mark.django_db(transaction=True)
def test_two_addresses_differing_in_case_stop_the_migration_naming_them():
    migrate(BEFORE)
    try:
        make_user("dana@example.com")
        twin = make_user("twin@example.com")
        User.objects.filter(pk=twin.pk).update(email="Dana@example.com")
        make_user("erin@example.com")
        User.objects.filter(email="erin@example.com").update(email="Erin@example.com")

        with pytest.raises(CommandError) as stopped:
            migrate_to_the_latest()

        message = str(stopped.value)
        assert "  Dana@example.com and dana@example.com\n" in message
        assert "Erin" not in message  # no clash: it would be written in lower case
        assert "then run migrate again. Nothing was changed." in message
        assert sorted(User.objects.values_list("email", flat=True)) == [
            "Dana@example.com",
            "Erin@example.com",
            "dana@example.com",
        ]
        # One address for each person, and the migration goes through.
        User.objects.filter(pk=twin.pk).update(email="twin@example.com")
        migrate_to_the_latest()
        assert sorted(User.objects.values_list("email", flat=True)) == [
            "dana@example.com",
            "erin@example.com",
            "twin@example.com",
        ]
    finally:
        User.objects.all().delete()
        migrate_to_the_latest()
