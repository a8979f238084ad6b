"""The version-2/3 sample portfolio (with asks and estimates) and its expected plans."""

from __future__ import annotations

import json
from pathlib import Path

from gates.interchange import command_line_import

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample-portfolio-v3"


def expected(filename: str) -> dict:
    return json.loads((SAMPLE / "expected" / filename).read_text())


def import_sample() -> None:
    command_line_import(SAMPLE)
