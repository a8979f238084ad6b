"""SQL text built only from constant templates, placeholders and quoted identifiers.

``statement("DELETE FROM {table} WHERE project_id IN ({marks})", table=name, marks=3)``:
each ``{name}`` is an identifier (a table or column name, or a list of them),
quoted by the database's own rules (``connection.ops.quote_name``); ``{marks}``
is that many ``%s`` placeholders. Values always travel as query parameters,
never in the text.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def statement(template: str, /, *, marks: int = 0, **identifiers: str | Sequence[str]) -> str:
    quote = connection.ops.quote_name
    names = {
        key: quote(value) if isinstance(value, str) else ", ".join(map(quote, value))
        for key, value in identifiers.items()
    }
    if marks:
        names["marks"] = ", ".join(["%s"] * marks)
    return template.format_map(names)


def columns(model, fields: Sequence[str]) -> list[str]:
    """The database columns of a model's fields (by attribute or field name)."""
    return [model._meta.get_field(name).column for name in fields]


__all__ = ["columns", "statement"]
