"""Version 3's optional files in a replace: a file present says what the replaced projects
hold, a header alone that they hold none; a file absent leaves them as they were.

artifact_uses.csv and adoption.csv are the replaced projects' uses and adoption;
estimates.csv speaks per project (a row replaces that project's estimate) and
artifacts.csv per artifact (a row rewrites that artifact), so a header alone changes
nothing there (docs/interchange.md, "Optional files in a replace")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from gates.interchange import command_line_import, import_portfolio
from gates.models import ArchitectureEstimate
from portfolio.models import Adoption, Artifact, ArtifactReuse, Project, ReplacedHistory
from tests.builders import workbook_of
from tests.gates.test_import_portfolio import SAMPLE

V3 = SAMPLE.parent / "sample-portfolio-v3"
pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path) -> Path:
    """The version 3 sample, imported once."""
    copy = tmp_path / "v3"
    shutil.copytree(V3, copy, ignore=shutil.ignore_patterns("expected"))
    command_line_import(copy)
    return copy


def header_only(folder: Path, name: str) -> None:
    header = (folder / name).read_text(encoding="utf-8").splitlines()[0]
    (folder / name).write_text(header + "\n", encoding="utf-8")


def test_a_header_only_adoption_file_clears_the_replaced_projects_adoption(
    client, folder, sam, bob
):
    adopted = Adoption.objects.order_by("project__key").first().project
    months = Adoption.objects.filter(project=adopted).count()
    client.force_login(bob)
    page = reverse("project_detail", args=[adopted.key])
    assert "the latest month:" in client.get(page).content.decode()
    header_only(folder, "adoption.csv")

    import_portfolio(folder, actor=sam, replace=True)

    assert not Adoption.objects.exists()
    assert "the latest month:" not in client.get(page).content.decode()
    history = ReplacedHistory.objects.get(project=adopted)
    assert len(history.project_fields["adoption"]) == months  # archived, not lost
    assert f"Adoption ({months} month" in client.get(history.get_absolute_url()).content.decode()


def test_a_header_only_adoption_sheet_clears_it_too(folder, tmp_path, sam):
    adopted = Adoption.objects.order_by("project__key").first().project
    header_only(folder, "adoption.csv")
    book = tmp_path / "portfolio.xlsx"
    workbook_of(folder).save(book)

    import_portfolio(book, actor=sam, replace=True)

    assert not Adoption.objects.exists()
    assert ReplacedHistory.objects.get(project=adopted).project_fields["adoption"]


def test_a_header_only_artifact_uses_file_clears_the_replaced_projects_uses(folder, sam):
    reuse = ArtifactReuse.objects.select_related("artifact", "project").first()
    header_only(folder, "artifact_uses.csv")

    import_portfolio(folder, actor=sam, replace=True)

    assert not ArtifactReuse.objects.exists()
    used = ReplacedHistory.objects.get(project=reuse.project).project_fields["artifact_uses"]
    assert (reuse.artifact.key, reuse.used_on.isoformat()) in {
        (u["artifact__key"], u["used_on"]) for u in used
    }


def test_without_the_files_the_replaced_projects_keep_their_uses_and_adoption(folder, sam):
    counts = (Adoption.objects.count(), ArtifactReuse.objects.count())
    (folder / "adoption.csv").unlink()
    (folder / "artifact_uses.csv").unlink()

    import_portfolio(folder, actor=sam, replace=True)

    assert (Adoption.objects.count(), ArtifactReuse.objects.count()) == counts
    assert not any(
        "adoption" in h.project_fields or "artifact_uses" in h.project_fields
        for h in ReplacedHistory.objects.all()
    )


def test_a_header_only_estimates_file_keeps_every_estimate(folder, sam):
    estimates = ArchitectureEstimate.objects.count()
    assert estimates
    header_only(folder, "estimates.csv")

    import_portfolio(folder, actor=sam, replace=True)

    assert ArchitectureEstimate.objects.count() == estimates
    assert all(history.estimate is None for history in ReplacedHistory.objects.all())


def test_a_header_only_artifacts_file_keeps_every_artifact(folder, sam):
    artifacts = sorted(Artifact.objects.values_list("key", "name", "project__key"))
    header_only(folder, "artifacts.csv")

    import_portfolio(folder, actor=sam, replace=True)

    assert sorted(Artifact.objects.values_list("key", "name", "project__key")) == artifacts
    assert Project.objects.count() == 173
