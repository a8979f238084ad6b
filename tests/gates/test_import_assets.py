"""Format version 3's optional files: artifacts.csv, artifact_uses.csv, adoption.csv.

Checked row by row with the rest (``FILE:LINE: column: message``, nothing written on any
problem), written after the projects, exported only when they have rows, and an
export imported into an empty database gives back the same sections.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from gates.interchange import ImportFailed, command_line_import, export_portfolio
from gates.models import ArchitectureEstimate
from portfolio import metrics
from portfolio.models import Adoption, Artifact, ArtifactReuse, Project
from tests.gates.test_export_portfolio import empty_the_database

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio-v3"
AS_OF = datetime.date(2026, 11, 20)
FEEDBACK = ("decision_quality", "assets", "adoption")
V3_FILES = ("artifacts.csv", "artifact_uses.csv", "adoption.csv")


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "portfolio"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("expected"))
    return target


def set_line(folder: Path, name: str, number: int, text: str) -> None:
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def append(folder: Path, name: str, text: str) -> int:
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    lines.append(text)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def test_it_imports_the_three_files(db, folder):
    summary = command_line_import(folder)

    assert (summary.artifacts, summary.artifact_uses, summary.adoption) == (177, 73, 381)
    assert Artifact.objects.count() == 177
    assert ArtifactReuse.objects.count() == 73
    assert Adoption.objects.count() == 381
    first = Artifact.objects.get(key="AR-0001")
    assert (first.name, first.kind, first.project.key, first.created_on) == (
        "Triage dashboard prototype v2",
        "other",
        "RP-0158",
        datetime.date(2023, 6, 1),
    )
    assert "177 artifacts (73 reuses), 381 months of adoption" in str(summary)


def test_a_folder_without_them_still_imports(db, folder):
    for name in V3_FILES:
        (folder / name).unlink()
    summary = command_line_import(folder)
    assert summary.projects == Project.objects.count() > 0
    assert not Artifact.objects.exists() and not Adoption.objects.exists()


def test_export_then_import_gives_back_the_same_sections(db, folder, tmp_path):
    command_line_import(folder)
    before = metrics.compute(as_of=AS_OF, sections=FEEDBACK)
    export_portfolio(tmp_path / "out")
    for name in V3_FILES:
        assert (tmp_path / "out" / name).exists()

    Adoption.objects.all().delete()
    ArtifactReuse.objects.all().delete()
    Artifact.objects.all().delete()
    ArchitectureEstimate.objects.all().delete()
    empty_the_database()
    command_line_import(tmp_path / "out")

    assert metrics.compute(as_of=AS_OF, sections=FEEDBACK) == before
    export_portfolio(tmp_path / "again")
    for name in V3_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_the_export_writes_each_file_as_the_format_has_it(db, folder, tmp_path):
    command_line_import(folder)
    export_portfolio(tmp_path / "out")
    adoption = (tmp_path / "out" / "adoption.csv").read_text().splitlines()
    assert adoption[0] == (
        "project,month,active_users,tasks_completed,minutes_per_task,baseline_minutes_per_task"
    )
    assert adoption[1] == "RP-0003,2026-02-01,75,2260,7.20,6.37"
    uses = (tmp_path / "out" / "artifact_uses.csv").read_text().splitlines()
    assert uses[0] == "artifact,project,used_on"


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("artifacts.csv", "AR-9000,Model,spaceship,RP-0158,2024-01-01", "kind: 'spaceship'"),
        ("artifacts.csv", "AR-0001,Again,model,RP-0158,2024-01-01", "key: duplicate key"),
        ("artifacts.csv", "ar-0001,Again,model,RP-0158,2024-01-01", "key: duplicate key"),
        ("artifacts.csv", "AR-9000,Model,model,NOPE,2024-01-01", "project: unknown project key"),
        ("artifacts.csv", "AR-9000,Model,model,RP-0158,2001-01-01", "created_on: 2001-01-01"),
        ("artifacts.csv", "AR-9000,Model,model,RP-0158,2999-01-01", "is in the future"),
        ("artifacts.csv", "bad key!,Model,model,RP-0158,2024-01-01", "key: 'bad key!'"),
        ("artifact_uses.csv", "AR-4040,RP-0160,2025-01-01", "artifact: unknown artifact"),
        ("artifact_uses.csv", "AR-0001,RP-0158,2025-01-01", "project: RP-0158 produced AR-0001"),
        ("artifact_uses.csv", "AR-0001,RP-0154,2025-01-01", "already uses AR-0001"),
        ("artifact_uses.csv", "AR-0004,RP-0160,2024-03-05", "before AR-0004 was made"),
        ("adoption.csv", "RP-0003,2026-02-15,1,1,,", "month: 2026-02-15 is not the first day"),
        ("adoption.csv", "RP-0003,2026-02-01,1,1,,", "already has adoption for 2026-02"),
        ("adoption.csv", "RP-0001,2026-02-01,1,1,,", "is not greenlit"),
        ("adoption.csv", "RP-0003,2025-01-01,1,1,,", "was greenlit on"),
        ("adoption.csv", "RP-0003,2020-01-01,-5,1,,", "active_users: '-5'"),
        ("adoption.csv", "RP-0003,2020-01-01,5,lots,,", "tasks_completed: 'lots'"),
        ("adoption.csv", "RP-0003,2020-01-01,5,5,1.234,", "minutes_per_task: '1.234'"),
        ("adoption.csv", "RP-0003,2020-01-01,5,5,2,0", "baseline_minutes_per_task: 0"),
    ],
)
def test_a_bad_row_is_refused_with_its_line_and_nothing_is_written(db, folder, name, line, message):
    number = append(folder, name, line)

    with pytest.raises(ImportFailed) as refused:
        command_line_import(folder)

    assert any(
        problem.startswith(f"{name}:{number}: ") and message in problem
        for problem in refused.value.errors
    ), refused.value.errors
    assert not Project.objects.exists()
    assert not Artifact.objects.exists() and not Adoption.objects.exists()


def test_a_missing_column_is_named(db, folder):
    set_line(folder, "adoption.csv", 1, "project,month,active_users")
    with pytest.raises(ImportFailed) as refused:
        command_line_import(folder)
    assert any("adoption.csv:1" in problem for problem in refused.value.errors)
    assert not Project.objects.exists()


def test_an_artifact_key_taken_in_the_app_is_refused(db, folder, tmp_path):
    command_line_import(folder)
    second = tmp_path / "second"
    second.mkdir()
    (second / "projects.csv").write_text(
        "key,title,research_type,bucket,researcher,product_manager,submitted_on,value_kind,"
        "projected_low,projected_expected,projected_high,probability_of_success\n"
        "NEW-1,New,applied,revenue,r@example.com,p@example.com,2025-01-06,revenue,1,2,3,0.5\n"
    )
    (second / "gate_decisions.csv").write_text(
        "project,gate,decided_on,decision,funding_granted,decided_by,probability_of_success,"
        "rationale\n"
    )
    (second / "spend.csv").write_text("project,spent_on,amount,category,note\n")
    (second / "outcomes.csv").write_text("project,month,realized_value\n")
    (second / "artifacts.csv").write_text(
        "key,name,kind,project,created_on\nar-0001,Clash,model,NEW-1,2025-02-01\n"
    )
    (second / "artifact_uses.csv").write_text(
        "artifact,project,used_on\nAR-0002,NEW-1,2025-03-01\n"
    )

    with pytest.raises(ImportFailed) as refused:
        command_line_import(second)

    assert refused.value.errors == [
        "artifacts.csv:2: key: ar-0001 already exists in the app: choose another key"
    ]
    assert not Project.objects.filter(key="NEW-1").exists()
