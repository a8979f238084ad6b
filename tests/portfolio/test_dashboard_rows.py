"""The dashboard's repeated markup written in Python (portfolio/templatetags/dashboard_rows.py)
is the markup the template loops wrote: each tag against the loop it replaced."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from portfolio.dashboard.charts import Frame

AXES = """      <g class="grid">
        {% for tick in chart.y.ticks %}<line x1="{{ frame.x0 }}" x2="{{ frame.x1 }}" y1="{{ tick.at }}" y2="{{ tick.at }}"/>{% endfor %}
        {% for tick in chart.x.ticks %}<line x1="{{ tick.at }}" x2="{{ tick.at }}" y1="{{ frame.y1 }}" y2="{{ frame.y0 }}"/>{% endfor %}
      </g>
      <g class="ticks">
        {% for tick in chart.y.ticks %}<text x="{{ frame.x0|add:-8 }}" y="{{ tick.at }}" text-anchor="end" dominant-baseline="middle">{{ tick.label }}</text>{% endfor %}
        {% for tick in chart.x.ticks %}<text x="{{ tick.at }}" y="{{ frame.y0|add:18 }}" text-anchor="middle">{{ tick.label }}</text>{% endfor %}
      </g>
      <line class="axis" x1="{{ frame.x0 }}" x2="{{ frame.x1 }}" y1="{{ frame.y0 }}" y2="{{ frame.y0 }}"/>
      <line class="axis" x1="{{ frame.x0 }}" x2="{{ frame.x0 }}" y1="{{ frame.y1 }}" y2="{{ frame.y0 }}"/>
      <text class="axis-label" x="{{ frame.x1 }}" y="{{ frame.height|add:-6 }}" text-anchor="end">{{ x_label }}</text>
      <text class="axis-label" x="{{ frame.x0|add:6 }}" y="{{ frame.y1|add:12 }}">{{ y_label }}</text>
"""

LOOPS = {
    "series_rows": (
        "{% for month in series %}"
        '<tr><th scope="row">{{ month.month }}</th>'
        '<td class="num" data-metric="series.{{ month.month }}.cumulative_spend" data-value="{{ month.cumulative_spend|raw }}">{{ month.cumulative_spend|amount }}</td>'
        '<td class="num" data-metric="series.{{ month.month }}.greenlit" data-value="{{ month.greenlit|raw }}">{{ month.greenlit }}</td>'
        '<td class="num" data-metric="series.{{ month.month }}.killed" data-value="{{ month.killed|raw }}">{{ month.killed }}</td>'
        '<td class="num" data-metric="series.{{ month.month }}.success_rate" data-value="{{ month.success_rate|raw }}">{{ month.success_rate|percent:1 }}</td>'
        "</tr>{% endfor %}",
        "{% series_rows series %}",
    ),
    "series_points": (
        '{% for point in points %}<circle class="point{% if not point.decided %} point-undecided{% endif %}" cx="{{ point.x }}" cy="{{ point.y }}" r="4.5" data-point><title>{{ point.title }}</title></circle>{% endfor %}',
        "{% series_points points %}",
    ),
    "risk_bubbles": (
        '{% for bubble in bubbles %}<circle class="bubble bucket-{{ bubble.bucket }}" cx="{{ bubble.cx }}" cy="{{ bubble.cy }}" r="{{ bubble.r }}" data-point data-href="{{ bubble.url }}"><title>{{ bubble.title }}</title></circle>{% endfor %}',
        "{% risk_bubbles bubbles %}",
    ),
    "risk_rows": (
        "{% for row in rows %}<tr>"
        '<th scope="row"><a href="{{ row.url }}">{{ row.key }}</a> <span class="muted">{{ row.title }}</span></th>'
        '<td data-label="Bucket">{{ row.bucket|label_of:"bucket" }}</td>'
        '<td class="num" data-label="Gate">{{ row.current_gate }}</td>'
        '<td class="num" data-label="Probability">{{ row.probability|percent:0 }}</td>'
        '<td class="num" data-label="Projected value a year ({{ CURRENCY }})">{{ row.projected_expected|amount }}</td>'
        '<td class="num" data-label="Spend to date ({{ CURRENCY }})">{{ row.spend_to_date|amount }}</td>'
        '<td data-label="Product manager">{{ row.product_manager|breakable }}</td>'
        "</tr>{% endfor %}",
        "{% risk_rows rows CURRENCY %}",
    ),
    "chart_axes": (
        # templates/portfolio/_chart_axes.html, included with x_label and y_label.
        '{% with x_label="Spend ("|add:CURRENCY|add:") →" y_label="↑ <Rate>" %}'
        + AXES
        + "{% endwith %}",
        '{% chart_axes chart frame "Spend ("|add:CURRENCY|add:") →" "↑ <Rate>" %}',
    ),
    "zombie_rows": (
        "{% for row in zombies %}<tr>"
        '<th scope="row"><a href="{{ row.url }}">{{ row.key }}</a> <span class="muted">{{ row.title }}</span></th>'
        '<td data-label="Status"><span class="badge status-{{ row.status }}">{{ row.status|label_of:"status" }}</span></td>'
        '<td class="nowrap" data-label="Last decision">{% if row.last_decision_on %}{{ row.last_decision_on|date:"Y-m-d" }}{% else %}none since submission{% endif %}</td>'
        '<td class="num" data-label="Days without a decision">{{ row.days_without_decision }}</td>'
        '<td class="num" data-label="Spend since ({{ CURRENCY }})">{{ row.spend_since_decision|amount }}</td>'
        '<td class="num" data-label="Spend, last 90 days ({{ CURRENCY }})">{{ row.spend_last_90_days|amount }}</td>'
        '<td data-label="Product manager">{{ row.product_manager|person:names }}</td>'
        "</tr>{% endfor %}",
        "{% zombie_rows zombies CURRENCY names %}",
    ),
    "outcome_rows": (
        "{% for row in outcomes %}<tr>"
        '<th scope="row"><a href="{% url "project_detail" row.key %}">{{ row.key }}</a> <span class="muted">{{ row.title }}</span></th>'
        '<td class="num" data-label="Months">{{ row.months }}</td>'
        '<td class="num" data-label="Annualized ({{ CURRENCY }})">{{ row.annualized_value|amount }}</td>'
        '<td class="num" data-label="Projected low ({{ CURRENCY }})">{{ row.projected_low|amount }}</td>'
        '<td class="num" data-label="Expected ({{ CURRENCY }})">{{ row.projected_expected|amount }}</td>'
        '<td class="num" data-label="High ({{ CURRENCY }})">{{ row.projected_high|amount }}</td>'
        '<td data-label="Outcome"><span class="verdict-tag verdict-{{ row.verdict }}">{{ row.verdict }}</span></td>'
        "</tr>{% endfor %}",
        "{% outcome_rows outcomes CURRENCY %}",
    ),
    "score_rows": (
        "{% for row in scores %}<tr>"
        '<th scope="row"><a href="{% url "project_detail" row.key %}">{{ row.key }}</a> <span class="muted">{{ row.title }}</span></th>'
        '<td class="num" data-label="Months">{{ row.months }}</td>'
        '<td class="num" data-label="Annualized">{{ row.annualized_value|money }}</td>'
        '<td class="num" data-label="Score">{{ row.score|floatformat:2 }}</td>'
        '<td data-label="Rule"><code>{{ row.rule }}</code></td>'
        "</tr>{% endfor %}",
        "{% score_rows scores %}",
    ),
}

TRICKY = 'Vision <b>"quoted"</b> & co'
CONTEXT = {
    "CURRENCY": "CHF",
    "series": [
        {
            "month": "2026-01",
            "cumulative_spend": 0.0,
            "greenlit": 0,
            "killed": 0,
            "success_rate": None,
        },
        {
            "month": "2026-02",
            "cumulative_spend": 1234567.5,
            "greenlit": 3,
            "killed": 1,
            "success_rate": 0.75,
        },
        {
            "month": "2026-03",
            "cumulative_spend": 1234567.5,
            "greenlit": 3,
            "killed": 1,
            "success_rate": 0.75,
        },
        {
            "month": "2026-04",
            "cumulative_spend": 2000000.25,
            "greenlit": 1234,
            "killed": 5678,
            "success_rate": 0.1786,
        },
    ],
    "points": [
        {"x": 64.0, "y": 310.5, "decided": False, "title": TRICKY},
        {"x": 612.3, "y": 20.0, "decided": True, "title": "2026-02: 1.2M spent"},
        {"x": 1e-05, "y": 12, "decided": True, "title": ""},
    ],
    "bubbles": [
        {
            "bucket": "core",
            "cx": 100.5,
            "cy": 20.0,
            "r": 12.0,
            "url": "/projects/A&B/",
            "title": TRICKY,
        },
        {
            "bucket": "explore",
            "cx": 300,
            "cy": 1e-07,
            "r": 3.4,
            "url": "/projects/X-1/",
            "title": "x",
        },
    ],
    "rows": [
        {
            "url": "/projects/A&B/",
            "key": "A&B",
            "title": TRICKY,
            "bucket": "core",
            "current_gate": 2,
            "probability": Decimal("0.35"),
            "projected_expected": Decimal("1250000.50"),
            "spend_to_date": Decimal("0.00"),
            "product_manager": "pm+<x>@example.com",
        },
        {
            "url": "/projects/B/",
            "key": "B",
            "title": "Plain",
            "bucket": "no-such-bucket",
            "current_gate": 4,
            "probability": None,
            "projected_expected": Decimal("-0.4"),
            "spend_to_date": Decimal("99.5"),
            "product_manager": "pm@example.com",
        },
    ],
    # As charts.py makes them: a dict of Axis objects (attributes), and a Frame.
    "chart": {
        "x": SimpleNamespace(ticks=[{"at": 64.0, "label": "0"}, {"at": 412.5, "label": "1.2M"}]),
        "y": SimpleNamespace(
            ticks=[
                {"at": 292.0, "label": "0%"},
                {"at": 16.0, "label": "<100%>"},
                {"at": 1e-05, "label": 5},
            ]
        ),
    },
    "frame": Frame(),
    "names": {"pm@example.com": "Parker <Product>"},
    "zombies": [
        {
            "url": "/projects/GL-0001/",
            "key": "GL-0001",
            "title": TRICKY,
            "status": "on_hold",
            "last_decision_on": datetime.date(2026, 3, 5),
            "days_without_decision": 1234,
            "spend_since_decision": Decimal("98765.43"),
            "spend_last_90_days": Decimal("0.00"),
            "product_manager": "PM@example.com",
        },
        {
            "url": "/projects/GL-0002/",
            "key": "GL-0002",
            "title": "Plain",
            "status": "no-such-status",
            "last_decision_on": None,
            "days_without_decision": 181,
            "spend_since_decision": Decimal("-5"),
            "spend_last_90_days": Decimal("12.5"),
            "product_manager": "someone+<x>@example.com",
        },
    ],
    "outcomes": [
        {
            "url": "/projects/RP-0001/",
            "key": "RP-0001",
            "title": TRICKY,
            "months": 14,
            "annualized_value": Decimal("1234567.89"),
            "projected_low": Decimal("100000.00"),
            "projected_expected": Decimal("-0.4"),
            "projected_high": None,
            "verdict": "over",
        },
        {
            "url": "/projects/RP-0002/",
            "key": "RP-0002",
            "title": "Plain",
            "months": 1,
            "annualized_value": Decimal("0.00"),
            "projected_low": Decimal("0"),
            "projected_expected": Decimal("12.5"),
            "projected_high": Decimal("99999999.99"),
            "verdict": "<under>",
        },
    ],
    "scores": [
        {
            "url": "/projects/RP-0001/",
            "key": "RP-0001",
            "title": TRICKY,
            "months": 6,
            "annualized_value": Decimal("250000.50"),
            "score": 0.8333333,
            "rule": "min(1, value / <expected>)",
        },
        {
            "url": "/projects/RP-0002/",
            "key": "RP-0002",
            "title": "Plain",
            "months": 12,
            "annualized_value": Decimal("-10.00"),
            "score": 0,
            "rule": "",
        },
    ],
}


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("tag", sorted(LOOPS))
def test_each_tag_writes_what_its_template_loop_wrote(tag):
    loop, replacement = LOOPS[tag]
    before = Template("{% load numbers words %}" + loop).render(Context(CONTEXT))
    after = Template("{% load dashboard_rows %}" + replacement).render(Context(CONTEXT))

    assert _normalized(after) == _normalized(before)
    assert "<b>" not in after  # escaped, as the template escaped it


def test_a_month_written_before_is_written_alike_when_only_its_text_differs():
    """Rows are kept by their numbers' text: equal numbers written differently stay apart."""
    render = Template("{% load dashboard_rows %}{% series_rows series %}").render
    month = {"month": "2026-05", "greenlit": 1, "killed": 0, "success_rate": 1.0}
    one = render(Context({"series": [{**month, "cumulative_spend": Decimal("10.0")}]}))
    two = render(Context({"series": [{**month, "cumulative_spend": Decimal("10.00")}]}))
    assert 'data-value="10.0"' in one and 'data-value="10.00"' in two


def test_a_bubble_drawn_before_is_drawn_alike_when_only_its_number_type_differs():
    """Bubbles are kept by their values, typed: a radius of 4 (nothing spent) is written
    "4", one of 4.0 "4.0", as the template wrote them."""
    render = Template("{% load dashboard_rows %}{% risk_bubbles bubbles %}").render
    bubble = {"bucket": "core", "cx": 10.0, "cy": 20.0, "url": "/p/", "title": "P"}
    whole = render(Context({"bubbles": [{**bubble, "r": 4}]}))
    drawn = render(Context({"bubbles": [{**bubble, "r": 4.0}]}))
    assert 'r="4"' in whole and 'r="4.0"' in drawn


def test_its_format_html_writes_what_django_s_writes():
    """The module's own format_html (without Django's lazy-text wrappers) escapes as Django's:
    text, lazy text, safe text, numbers and nothing."""
    from django.utils import html as django_html
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from portfolio.templatetags import dashboard_rows

    values = (
        "<b>R&D</b> \"quoted\" 'single'",
        gettext_lazy("Greenlit & <killed>"),
        mark_safe("<wbr>"),  # noqa: S308 - a constant
        12.5,
        7,
        None,
    )
    template = "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
    ours = dashboard_rows.format_html(template, *values)
    assert ours == django_html.format_html(template, *values)
    assert "&lt;b&gt;R&amp;D&lt;/b&gt; &quot;quoted&quot; &#x27;single&#x27;" in ours
    assert "<wbr>" in ours
    named = dashboard_rows.format_html("<a title='{t}'>{x}</a>", t="a'b", x=values[1])
    assert named == django_html.format_html("<a title='{t}'>{x}</a>", t="a'b", x=values[1])
    assert hasattr(ours, "__html__")
