"""The rows an import writes are the files': none names the person who imported them as
its recorder (the import's audit entry does), so the page and the command line write the
same rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gates.interchange import command_line_import, import_portfolio
from portfolio.models import (
    Adoption,
    Artifact,
    ArtifactReuse,
    AuditEntry,
    Outcome,
    SpendEntry,
)

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio-v3"

# Each kind of row the files carry, and the field that would name a person of the app.
WHO = {
    SpendEntry: "recorded_by",
    Outcome: "recorded_by",
    Adoption: "recorded_by",
    Artifact: "registered_by",
    ArtifactReuse: "linked_by",
}


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "portfolio"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("expected"))
    return target


def named_people() -> dict[str, tuple[int, int]]:
    """Each kind's (rows, rows that name a person)."""
    return {
        model.__name__: (
            model.objects.count(),
            model.objects.filter(**{f"{field}__isnull": False}).count(),
        )
        for model, field in WHO.items()
    }


def test_an_admins_import_names_them_in_the_audit_entry_not_on_each_row(folder, adam):
    summary = import_portfolio(folder, actor=adam)

    counts = named_people()
    assert summary.spend_entries == counts["SpendEntry"][0] > 0
    assert all(rows > 0 for rows, _ in counts.values()), counts
    assert {kind: named for kind, (_, named) in counts.items()} == dict.fromkeys(counts, 0)
    assert AuditEntry.objects.get(action="portfolio.imported").actor == adam


def test_the_command_line_writes_the_same_rows(folder):
    command_line_import(folder)

    counts = named_people()
    assert all(rows > 0 for rows, _ in counts.values()), counts
    assert {kind: named for kind, (_, named) in counts.items()} == dict.fromkeys(counts, 0)
    assert AuditEntry.objects.get(action="portfolio.imported").actor is None
