"""The dashboard's long repeated markup, written in Python: the series' points and data
table, the risk chart's bubbles and data table, the charts' axes, the zombies, the outcomes'
and the outcome scores' data tables.

The markup is the loops' the templates had (tests/portfolio/test_dashboard_rows.py renders
both and compares); writing it here costs a fraction of what those loops did. These rows
were most of the panels' rendering, which the metrics refresh pays after every change, and
a month's or a project's row that did not change is not written again (rows are kept by
their values). Every value goes through ``format_html`` (this module's: Django's, without
the cost of its lazy-text wrappers on each of thousands of values), which escapes it.
"""

from __future__ import annotations

import html
from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.conf import settings
from django.template.defaultfilters import add, date, floatformat
from django.utils.formats import get_format, localize
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from portfolio.templatetags.numbers import amount, label_of, money, percent, raw
from portfolio.templatetags.words import breakable, person

register = template.Library()


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
    return localize(value)


def _escaped(value) -> str:
    """``conditional_escape(value)``: what is safe already as it is, anything else escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def format_html(template: str, *args, **kwargs) -> SafeString:
    """Django's ``format_html``, the same text: each value through :func:`_escaped`.

    Django's escapes each value through ``keep_lazy`` wrappers, which looked at every
    argument for lazy text: two thirds of the time of writing the panels' rows, which the
    metrics refresh pays after every import and on every new day."""
    return SafeString(  # nosec B703 # the template is the module's own; every value escaped
        template.format(
            *map(_escaped, args), **{name: _escaped(value) for name, value in kwargs.items()}
        )
    )


def _joined(rows) -> SafeString:
    return SafeString("".join(map(_escaped, rows)))  # nosec B703 # each row escaped or safe


_SERIES_ROW = (
    '\n        <tr>\n          <th scope="row">{month}</th>\n'
    '          <td class="num" data-metric="series.{month}.cumulative_spend" '
    'data-value="{spend}">{spend_shown}</td>\n'
    '          <td class="num" data-metric="series.{month}.greenlit" '
    'data-value="{greenlit}">{greenlit_shown}</td>\n'
    '          <td class="num" data-metric="series.{month}.killed" '
    'data-value="{killed}">{killed_shown}</td>\n'
    '          <td class="num" data-metric="series.{month}.success_rate" '
    'data-value="{rate}">{rate_shown}</td>\n'
    "        </tr>\n      "
)


@lru_cache(maxsize=4096)
def _series_row(month: str, spend: str, greenlit: int, killed: int, rate: str) -> SafeString:
    # Kept by the numbers' text (``raw``), not the numbers: 1.0 and 1.00 are equal numbers
    # written differently.
    return format_html(
        _SERIES_ROW,
        month=localize(month),
        spend=spend,
        spend_shown=amount(spend),
        greenlit=raw(greenlit),
        greenlit_shown=localize(greenlit),
        killed=raw(killed),
        killed_shown=localize(killed),
        rate=rate,
        rate_shown=percent(rate or None, 1),
    )


@register.simple_tag
def series_rows(series: list[dict]) -> SafeString:
    """The series' data table rows, one per month."""
    return _joined(
        _series_row(
            m["month"],
            raw(m["cumulative_spend"]),
            m["greenlit"],
            m["killed"],
            raw(m["success_rate"]),
        )
        for m in series
    )


@register.simple_tag
def series_points(points: list[dict]) -> SafeString:
    """The headline chart's points: one circle per month, hollow when nothing was decided."""
    plain = _plain_numbers()
    return _joined(
        format_html(
            '<circle class="point{}" cx="{}" cy="{}" r="4.5" data-point><title>{}</title></circle>',
            "" if p["decided"] else " point-undecided",
            _number(p["x"], plain),
            _number(p["y"], plain),
            localize(p["title"]),
        )
        for p in points
    )


# typed: a radius of 4 (nothing spent) and one of 4.0 are written differently.
@lru_cache(maxsize=4096, typed=True)
def _bubble(bucket, cx, cy, r, url, title, plain: bool) -> SafeString:
    return format_html(
        '\n      \n      <circle class="bubble bucket-{}" cx="{}" cy="{}" r="{}" data-point '
        'data-href="{}"><title>{}</title></circle>\n      ',
        localize(bucket),
        _number(cx, plain),
        _number(cy, plain),
        _number(r, plain),
        localize(url),
        localize(title),
    )


@register.simple_tag
def risk_bubbles(bubbles: list[dict]) -> SafeString:
    """The risk chart's bubbles (a bubble is kept by its values: most stay where they were
    after a change). No links inside role=img (nested-interactive): a click opens the
    project (charts.js); the data table links each one for the keyboard."""
    plain = _plain_numbers()
    return _joined(
        _bubble(b["bucket"], b["cx"], b["cy"], b["r"], b["url"], b["title"], plain) for b in bubbles
    )


_RISK_ROW = (
    "\n        <tr>\n"
    '          <th scope="row"><a href="{url}">{key}</a> <span class="muted">{title}</span></th>\n'
    '          <td data-label="Bucket">{bucket}</td>\n'
    '          <td class="num" data-label="Gate">{gate}</td>\n'
    '          <td class="num" data-label="Probability">{probability}</td>\n'
    '          <td class="num" data-label="Projected value a year ({currency})">{expected}</td>\n'
    '          <td class="num" data-label="Spend to date ({currency})">{spend}</td>\n'
    '          <td data-label="Product manager">{manager}</td>\n'
    "        </tr>\n      "
)


@lru_cache(maxsize=4096)
def _risk_row(
    url, key, title, bucket, gate, probability, expected, spend, manager, currency, plain
) -> SafeString:
    return format_html(
        _RISK_ROW,
        currency=localize(currency),
        url=localize(url),
        key=localize(key),
        title=localize(title),
        bucket=localize(label_of(bucket, "bucket")),
        gate=_number(gate, plain),
        probability=percent(probability, 0),
        expected=amount(expected),
        spend=amount(spend),
        manager=breakable(manager),
    )


@register.simple_tag
def risk_rows(rows: list[dict], currency: str) -> SafeString:
    """The risk chart's data table rows (a project's row is kept by its values), each cell
    named by its column (``data-label``: the row as a card on a phone), amounts in
    ``currency``."""
    plain = _plain_numbers()
    return _joined(
        _risk_row(
            r["url"],
            r["key"],
            r["title"],
            r["bucket"],
            r["current_gate"],
            r["probability"],
            r["projected_expected"],
            r["spend_to_date"],
            r.get("manager_shown", r["product_manager"]),
            currency,
            plain,
        )
        for r in rows
    )


_OUTCOME_ROW = (
    "\n        <tr>\n"
    '          <th scope="row"><a href="{url}">{key}</a> <span class="muted">{title}</span></th>\n'
    '          <td class="num" data-label="Months">{months}</td>\n'
    '          <td class="num" data-label="Annualized ({currency})">{annualized}</td>\n'
    '          <td class="num" data-label="Projected low ({currency})">{low}</td>\n'
    '          <td class="num" data-label="Expected ({currency})">{expected}</td>\n'
    '          <td class="num" data-label="High ({currency})">{high}</td>\n'
    '          <td data-label="Outcome"><span class="verdict-tag verdict-{verdict}">{verdict}</span>'
    "</td>\n"
    "        </tr>\n      "
)


@register.simple_tag
def outcome_rows(rows: list[dict], currency: str) -> SafeString:
    """The outcomes' data table rows: a project's annualized value against its projected
    range, amounts in ``currency``."""
    plain = _plain_numbers()
    return _joined(
        format_html(
            _OUTCOME_ROW,
            currency=localize(currency),
            url=localize(r["url"]),
            key=localize(r["key"]),
            title=localize(r["title"]),
            months=_number(r["months"], plain),
            annualized=amount(r["annualized_value"]),
            low=amount(r["projected_low"]),
            expected=amount(r["projected_expected"]),
            high=amount(r["projected_high"]),
            verdict=localize(r["verdict"]),
        )
        for r in rows
    )


_SCORE_ROW = (
    "\n            <tr>\n"
    '              <th scope="row"><a href="{url}">{key}</a> <span class="muted">{title}</span>'
    "</th>\n"
    '              <td class="num" data-label="Months">{months}</td>\n'
    '              <td class="num" data-label="Annualized">{annualized}</td>\n'
    '              <td class="num" data-label="Score">{score}</td>\n'
    '              <td data-label="Rule"><code>{rule}</code></td>\n'
    "            </tr>\n          "
)


@register.simple_tag
def score_rows(rows: list[dict]) -> SafeString:
    """The outcome scores' data table rows: each scored product's score and its rule."""
    plain = _plain_numbers()
    return _joined(
        format_html(
            _SCORE_ROW,
            url=localize(r["url"]),
            key=localize(r["key"]),
            title=localize(r["title"]),
            months=_number(r["months"], plain),
            annualized=money(r["annualized_value"]),
            score=floatformat(r["score"], 2),
            rule=localize(r["rule"]),
        )
        for r in rows
    )


_ZOMBIE_ROW = (
    "\n      <tr>\n"
    '        <th scope="row"><a href="{url}">{key}</a> <span class="muted">{title}</span></th>\n'
    '        <td data-label="Status"><span class="badge status-{status}">{status_shown}</span></td>\n'
    '        <td class="nowrap" data-label="Last decision">{last_decision}</td>\n'
    '        <td class="num" data-label="Days without a decision">{days}</td>\n'
    '        <td class="num" data-label="Spend since ({currency})">{since}</td>\n'
    '        <td class="num" data-label="Spend, last 90 days ({currency})">{recent}</td>\n'
    '        <td data-label="Product manager">{manager}</td>\n'
    "      </tr>\n    "
)


@lru_cache(maxsize=1024, typed=True)
def _zombie_row(
    url, key, title, status, last_decision_on, days, since, recent, manager, currency, plain
) -> SafeString:
    return format_html(
        _ZOMBIE_ROW,
        currency=localize(currency),
        url=localize(url),
        key=localize(key),
        title=localize(title),
        status=localize(status),
        status_shown=localize(label_of(status, "status")),
        last_decision=(
            date(last_decision_on, "Y-m-d") if last_decision_on else "none since submission"
        ),
        days=_number(days, plain),
        since=amount(since),
        recent=amount(recent),
        manager=manager,
    )


@register.simple_tag
def zombie_rows(rows: list[dict], currency: str, names: dict[str, str]) -> SafeString:
    """The zombies' table rows (a project's row is kept by its values), amounts in
    ``currency``, product managers named by ``names``."""
    plain = _plain_numbers()
    return _joined(
        _zombie_row(
            r["url"],
            r["key"],
            r["title"],
            r["status"],
            r["last_decision_on"],
            r["days_without_decision"],
            r["spend_since_decision"],
            r["spend_last_90_days"],
            person(r["product_manager"], names),
            currency,
            plain,
        )
        for r in rows
    )


@register.simple_tag
def chart_axes(chart, frame, x_label: str, y_label: str) -> SafeString:
    """The grid, tick labels, axes and axis labels of an SVG chart (portfolio/dashboard/charts.py;
    the plan's, planning/charts.py): ``chart.x`` and ``chart.y`` (Axis), ``frame`` (Frame)."""
    plain = _plain_numbers()

    def n(value) -> str:
        return _number(value, plain)

    def part(thing, name: str):  # as the template reads ``thing.name``: a key or an attribute
        return thing[name] if isinstance(thing, dict) else getattr(thing, name)

    x_ticks, y_ticks = part(part(chart, "x"), "ticks"), part(part(chart, "y"), "ticks")
    frame = SimpleNamespace(
        **{name: part(frame, name) for name in ("x0", "x1", "y0", "y1", "height")}
    )
    x0, x1, y0, y1 = n(frame.x0), n(frame.x1), n(frame.y0), n(frame.y1)
    lines = [
        format_html('<line x1="{}" x2="{}" y1="{}" y2="{}"/>', x0, x1, n(t["at"]), n(t["at"]))
        for t in y_ticks
    ] + [
        format_html('<line x1="{}" x2="{}" y1="{}" y2="{}"/>', n(t["at"]), n(t["at"]), y1, y0)
        for t in x_ticks
    ]
    labels = [
        format_html(
            '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
            n(add(frame.x0, -8)),
            n(t["at"]),
            localize(t["label"]),
        )
        for t in y_ticks
    ] + [
        format_html(
            '<text x="{}" y="{}" text-anchor="middle">{}</text>',
            n(t["at"]),
            n(add(frame.y0, 18)),
            localize(t["label"]),
        )
        for t in x_ticks
    ]
    return format_html(
        '\n      <g class="grid">\n        {}\n      </g>\n      <g class="ticks">\n        {}\n'
        '      </g>\n      <line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>\n'
        '      <line class="axis" x1="{}" x2="{}" y1="{}" y2="{}"/>\n'
        '      <text class="axis-label" x="{}" y="{}" text-anchor="end">{}</text>\n'
        '      <text class="axis-label" x="{}" y="{}">{}</text>\n',
        _joined(lines),
        _joined(labels),
        x0,
        x1,
        y0,
        y0,
        x0,
        x0,
        y1,
        y0,
        x1,
        n(add(frame.height, -6)),
        localize(x_label),
        n(add(frame.x0, 6)),
        n(add(frame.y1, 12)),
        localize(y_label),
    )
