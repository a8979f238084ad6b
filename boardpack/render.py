"""A board pack as PDF: the template ``boardpack/pack.html`` laid out by WeasyPrint.

WeasyPrint needs Pango (and its fonts) from the system; ``available()`` says
whether they are there, so that a missing library is reported, not a crash.
Charts are inline SVG, which WeasyPrint draws as vectors.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from boardpack.content import pack_context

STYLESHEET = Path(__file__).resolve().parent / "pack.css"


class RenderingUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango or its friends not found
        raise RenderingUnavailable(
            f"The PDF renderer is not available on this server ({error}). An operator "
            "installs WeasyPrint's system libraries (Debian: libpango-1.0-0, libpangoft2-1.0-0)."
        ) from None
    return weasyprint


def available() -> bool:
    try:
        _weasyprint()
    except RenderingUnavailable:
        return False
    return True


def pack_html(filters: dict) -> str:
    return render_to_string(
        "boardpack/pack.html", {**pack_context(filters), "CURRENCY": settings.CURRENCY}
    )


def render_pdf(filters: dict) -> tuple[bytes, int]:
    """The pack for ``filters`` as PDF bytes, and its number of pages."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=pack_html(filters)).render(
        stylesheets=[weasyprint.CSS(filename=str(STYLESHEET))]
    )
    return document.write_pdf(), len(document.pages)
