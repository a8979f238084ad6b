"""Helpers for the sections' lines in ``portfolio_metrics --format text``."""

from __future__ import annotations

from decimal import Decimal


def money(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def rate(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def score(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = []
    for i, row in enumerate([header, *rows]):
        cells = [
            str(cell).ljust(width) if j == 0 else str(cell).rjust(width)
            for j, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return lines
