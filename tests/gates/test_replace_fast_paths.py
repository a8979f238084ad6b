"""A replace writes the same archive and the same projects through its fast paths.

On PostgreSQL the archive's spend is written as JSON by the database, elsewhere from the
ORM's values; the replaced projects are updated by ``update_values``, not the ORM's
``bulk_update``. What a reader of the archive gets must not depend on the path.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from gates.interchange import archive
from gates.interchange.database import update_values
from portfolio.models import Project, SpendEntry
from tests.builders import make_project

UTC = datetime.UTC


def spend(project, recorded_by, spent_on, amount, note, recorded_at):
    entry = SpendEntry.objects.create(
        project=project,
        spent_on=spent_on,
        amount=Decimal(amount),
        category="compute",
        note=note,
        recorded_by=recorded_by,
    )
    # auto_now_add set it: the times the encoder writes differently are put in by hand.
    SpendEntry.objects.filter(pk=entry.pk).update(recorded_at=recorded_at)


@pytest.mark.postgres
def test_the_databases_spend_json_is_what_the_orm_and_encoder_write(db, bob):
    project = make_project()
    other = make_project()
    day = datetime.date(2026, 3, 9)
    spend(
        project, bob, day, "1200.50", "GPU hours", datetime.datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    )
    # Microseconds under a millisecond: the encoder keeps ".000", not nothing.
    spend(
        project,
        None,
        day,
        "0.01",
        'quotes " and \\ backslash,\ttab\nline',
        datetime.datetime(2026, 3, 9, 8, 0, 0, 999, tzinfo=UTC),
    )
    spend(
        project,
        bob,
        datetime.date(2025, 12, 31),
        "99999999.99",
        "Ünïcode ✓ and an emoji 🚀",
        datetime.datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=UTC),
    )
    spend(other, bob, day, "5.00", "", datetime.datetime(2026, 1, 1, tzinfo=UTC))

    made = archive._spend_as_json([project.pk, other.pk])
    grouped = archive._grouped(
        SpendEntry.objects.filter(project_id__in=[project.pk, other.pk]).order_by(
            "project_id", "spent_on", "id"
        ),
        archive.SPEND_VALUES,
    )

    assert set(made) == {project.pk, other.pk}
    for pk in (project.pk, other.pk):
        by_orm = json.loads(json.dumps(grouped[pk], cls=DjangoJSONEncoder))
        assert json.loads(made[pk]) == by_orm
    times = [row["recorded_at"] for row in json.loads(made[project.pk])]
    assert times == ["2025-12-31T23:59:59.123Z", "2026-03-09T08:00:00Z", "2026-03-09T08:00:00.000Z"]


@pytest.mark.postgres
def test_a_project_without_spend_has_no_entry(db):
    project = make_project()

    assert archive._spend_as_json([project.pk]) == {}


def test_update_values_writes_each_row_by_its_key_and_nothing_else(db):
    first, second, untouched = make_project(), make_project(), make_project()
    before = Project.objects.get(pk=untouched.pk)
    when = datetime.datetime(2026, 4, 1, 12, 30, 15, 250000, tzinfo=UTC)

    count = update_values(
        Project,
        ["title", "projected_expected", "last_decision_on", "current_gate", "updated_at"],
        [
            (first.pk, "First, renamed\twith a tab", Decimal("123456.78"), None, 2, when),
            (second.pk, "Second ✓", Decimal("300000.01"), datetime.date(2026, 3, 1), None, when),
        ],
    )

    assert count == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.title, first.projected_expected, first.last_decision_on, first.current_gate) == (
        "First, renamed\twith a tab",
        Decimal("123456.78"),
        None,
        2,
    )
    assert (second.title, second.projected_expected, second.last_decision_on) == (
        "Second ✓",
        Decimal("300000.01"),
        datetime.date(2026, 3, 1),
    )
    assert second.current_gate is None
    assert first.updated_at == second.updated_at == when
    assert Project.objects.get(pk=untouched.pk).title == before.title
