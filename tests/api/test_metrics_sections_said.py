"""What GET /api/v1/metrics answers is said as it is: the metrics spec's sections, not
"every dashboard number". The risk chart, the zombies, the reliability diagram, the outcome
details and scores and the decision panel are the dashboard's only (its CSV downloads);
docs/api.md and the board pack's cover said the API gave them all."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from portfolio.metrics import DASHBOARD, SPEC

ROOT = Path(settings.BASE_DIR)


def _metrics_row() -> str:
    (row,) = [
        line
        for line in (ROOT / "docs" / "api.md").read_text().splitlines()
        if line.startswith("| `GET /api/v1/metrics`")
    ]
    return row


def test_the_docs_name_the_sections_the_api_answers():
    row = _metrics_row()
    assert "every dashboard number" not in row
    assert [name for name in SPEC if f"`{name}`" in row] == list(SPEC)
    assert set(DASHBOARD) - set(SPEC)  # the dashboard has more: said to be CSV downloads
    assert "CSV" in row


def test_the_board_pack_cover_does_not_say_the_api_gives_every_number():
    cover = (ROOT / "templates" / "boardpack" / "pack.html").read_text()
    note = cover[cover.index('<p class="cover-note">') :]
    note = note[: note.index("</p>")]
    assert "(and what <code>/api/metrics</code> answers)" not in note
    assert "CSV downloads" in note
