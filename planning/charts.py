"""The plan's chart: cumulative ask (x) against cumulative ECV (y), the budget as a line.

Drawn as SVG by the template with the dashboard's geometry helpers, so it
needs no JavaScript; charts.js adds the same hover tooltips as on the dashboard.
"""

from __future__ import annotations

from decimal import Decimal

from portfolio.dashboard.charts import Axis, Frame, nice_scale
from portfolio.templatetags.numbers import money_short  # a negative ECV with its "−"

CURVE_POINTS = 300


def _axis(top: float, ticks: list[float], start: float, end: float) -> Axis:
    axis = Axis(top, start, end)
    axis.ticks = [{"at": axis.at(v), "label": money_short(v)} for v in ticks]
    return axis


def plan_chart(ranked, shown, budget: Decimal) -> dict:
    """The curve through every ranked project in rank order; a marker for each row shown."""
    frame = Frame(height=320, left=70)
    rows = [r for r in ranked if r.cumulative_ask is not None]
    shown_keys = {r.key for r in shown}
    highest_x = max([float(budget)] + [float(r.cumulative_ask) for r in rows])
    highest_y = max([0.0] + [float(r.cumulative_ecv) for r in rows])
    x_top, x_ticks = nice_scale(highest_x)
    y_top, y_ticks = nice_scale(highest_y)
    x = _axis(x_top, x_ticks, frame.x0, frame.x1)
    y = _axis(y_top, y_ticks, frame.y0, frame.y1)
    points = []
    for row in rows:
        if row.key not in shown_keys:
            continue
        points.append(
            {
                "x": x.at(row.cumulative_ask),
                "y": y.at(max(row.cumulative_ecv, 0)),
                "funded": row.funded,
                "title": (
                    f"#{row.rank} {row.key}: ask {money_short(row.ask)}, ECV {money_short(row.ecv)}; "
                    f"cumulative ask {money_short(row.cumulative_ask)}, "
                    f"cumulative ECV {money_short(row.cumulative_ecv)}; "
                    f"{'funded' if row.funded else row.reason_label}"
                ),
            }
        )
    # A few hundred corners draw the curve as finely as the eye sees it.
    step = max(1, len(rows) // CURVE_POINTS)
    corners = [(x.at(0), y.at(0))] + [
        (x.at(r.cumulative_ask), y.at(max(r.cumulative_ecv, 0)))
        for i, r in enumerate(rows)
        if i % step == 0 or i == len(rows) - 1 or r.key in shown_keys
    ]
    line = " ".join(f"{'M' if i == 0 else 'L'}{cx},{cy}" for i, (cx, cy) in enumerate(corners))
    return {
        "frame": frame,
        "x": x,
        "y": y,
        "points": points,
        "line": line,
        "budget_x": x.at(budget),
        "budget_label": money_short(budget),
    }
