"""portfolio.web.csv: one rule for every CSV the app writes, and its exact inverse for imports."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from portfolio.web.csv import formula_safe, formula_unquoted, writer


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-5%", "'-5%"),
        ("@team", "'@team"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=already", "''=already"),
        ("''-twice", "'''-twice"),
        ("plain", "plain"),
        ("it's fine", "it's fine"),
        ("'quoted but harmless", "'quoted but harmless"),
        ("", ""),
    ],
)
def test_text_is_written_safe_and_read_back_exactly(text, written):
    assert formula_safe(text) == written
    assert formula_unquoted(written) == text


def test_the_writer_quotes_text_and_leaves_numbers_and_empty_cells():
    stream = io.StringIO()

    writer(stream).writerow(["=cmd", -5, Decimal("-1.50"), None, "ok"])

    assert stream.getvalue() == "'=cmd,-5,-1.50,,ok\r\n"
