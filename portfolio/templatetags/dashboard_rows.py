"""The dashboard's long repeated markup, written in Python: the series' points and data
table, the risk chart's bubbles and data table.

The markup is the templates' own (a test renders both ways and compares); writing it here
costs a fraction of what the template loops did. These rows were most of the panels'
rendering, which the metrics refresh pays after every change, and a month's row that did
not change is not written again (they are kept by their values).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from portfolio.templatetags.numbers import amount, label_of, percent, raw

register = template.Library()


def _text(value) -> str:
    """As ``{{ value }}`` writes it: localized, then escaped."""
    return conditional_escape(localize(value))


def _plain_numbers() -> bool:
    """Whether localizing a number writes it as Python does (a "." and no grouping)."""
    return get_format("DECIMAL_SEPARATOR") == "." and not settings.USE_THOUSAND_SEPARATOR


def _number(value, plain: bool) -> str:
    """A coordinate or a count as ``{{ value }}`` writes it, without the cost of localizing
    each of hundreds: Python's own text when that is the same."""
    if plain and type(value) in (int, float):
        text = repr(value)
        if "e" not in text and "n" not in text:  # not 1e-05, nan or inf
            return text
    return _text(value)


@lru_cache(maxsize=4096)
def _series_row(month: str, spend: str, greenlit: int, killed: int, rate: str) -> str:
    # Kept by the numbers' text (``raw``), not the numbers: 1.0 and 1.00 are equal numbers
    # written differently.
    m = _text(month)
    cells = (
        ("cumulative_spend", spend, amount(spend)),
        ("greenlit", raw(greenlit), localize(greenlit)),
        ("killed", raw(killed), localize(killed)),
        ("success_rate", rate, percent(rate or None, 1)),
    )
    tds = "".join(
        f'          <td class="num" data-metric="series.{m}.{name}" '
        f'data-value="{conditional_escape(value)}">{conditional_escape(shown)}</td>\n'
        for name, value, shown in cells
    )
    return f'\n        <tr>\n          <th scope="row">{m}</th>\n{tds}        </tr>\n      '


@register.simple_tag
def series_rows(series: list[dict]) -> SafeString:
    """The series' data table rows, one per month."""
    return mark_safe(  # noqa: S308 (every value above is escaped)
        "".join(
            _series_row(
                m["month"],
                raw(m["cumulative_spend"]),
                m["greenlit"],
                m["killed"],
                raw(m["success_rate"]),
            )
            for m in series
        )
    )


@register.simple_tag
def series_points(points: list[dict]) -> SafeString:
    """The headline chart's points: one circle per month, hollow when nothing was decided."""
    plain = _plain_numbers()
    return mark_safe(  # noqa: S308 (every value is escaped)
        "".join(
            f'<circle class="point{"" if p["decided"] else " point-undecided"}" '
            f'cx="{_number(p["x"], plain)}" cy="{_number(p["y"], plain)}" r="4.5" data-point>'
            f"<title>{_text(p['title'])}</title></circle>"
            for p in points
        )
    )


@register.simple_tag
def risk_bubbles(bubbles: list[dict]) -> SafeString:
    """The risk chart's bubbles. No links inside role=img (nested-interactive): a click
    opens the project (charts.js); the data table links each one for the keyboard."""
    plain = _plain_numbers()
    return mark_safe(  # noqa: S308 (every value is escaped)
        "".join(
            f'\n      \n      <circle class="bubble bucket-{_text(b["bucket"])}" '
            f'cx="{_number(b["cx"], plain)}" cy="{_number(b["cy"], plain)}" '
            f'r="{_number(b["r"], plain)}" data-point '
            f'data-href="{_text(b["url"])}"><title>{_text(b["title"])}</title></circle>\n      '
            for b in bubbles
        )
    )


@lru_cache(maxsize=4096)
def _risk_row(url, key, title, bucket, gate, probability, expected, spend, manager, plain) -> str:
    return (
        "\n        <tr>\n"
        f'          <th scope="row"><a href="{_text(url)}">{_text(key)}</a> '
        f'<span class="muted">{_text(title)}</span></th>\n'
        f"          <td>{_text(label_of(bucket, 'bucket'))}</td>\n"
        f'          <td class="num">{_number(gate, plain)}</td>\n'
        f'          <td class="num">{conditional_escape(percent(probability, 0))}</td>\n'
        f'          <td class="num">{conditional_escape(amount(expected))}</td>\n'
        f'          <td class="num">{conditional_escape(amount(spend))}</td>\n'
        f"          <td>{_text(manager)}</td>\n"
        "        </tr>\n      "
    )


@register.simple_tag
def risk_rows(rows: list[dict]) -> SafeString:
    """The risk chart's data table rows (a project's row is kept by its values)."""
    plain = _plain_numbers()
    return mark_safe(  # noqa: S308 (every value is escaped)
        "".join(
            _risk_row(
                r["url"],
                r["key"],
                r["title"],
                r["bucket"],
                r["current_gate"],
                r["probability"],
                r["projected_expected"],
                r["spend_to_date"],
                r["product_manager"],
                plain,
            )
            for r in rows
        )
    )
