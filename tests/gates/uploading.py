"""The sample portfolio's four files as the import page's form sends them."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse_lazy

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio"
# The form's file inputs -> the files of the format they take.
FIELDS = {
    "projects": "projects.csv",
    "gate_decisions": "gate_decisions.csv",
    "spend": "spend.csv",
    "outcomes": "outcomes.csv",
}
URL = reverse_lazy("portfolio_import")


def uploads(**replaced: bytes) -> dict:
    """The sample's four files as uploads; ``replaced`` swaps a file's content."""
    return {
        field: SimpleUploadedFile(
            name, replaced.get(field, (SAMPLE / name).read_bytes()), content_type="text/csv"
        )
        for field, name in FIELDS.items()
    }
