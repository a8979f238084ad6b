"""Geometry of the dashboard's charts, drawn as SVG by the templates.

Charts are rendered on the server: they need no JavaScript and no library,
work offline, print sharply, and each point carries a <title> for hover.
These functions only turn numbers into coordinates and labels; every number
comes from the metrics engine (``portfolio.metrics``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from portfolio.models import Bucket

BUCKET_LABELS = dict(Bucket.choices)
# Short names for tight places (the page says once what each bucket means).
BUCKET_SHORT = {
    Bucket.EFFICIENCY: "Efficiency",
    Bucket.REVENUE: "Revenue",
    Bucket.NEW_CATEGORY: "New category",
}


def money_short(value) -> str:
    """11203825.99 → "11.2M", 352000 → "352k", 950 → "950" (three significant digits).

    Cut toward zero, not rounded: its size is never above the amount's (26.75M is "26.7M",
    999,999.99 is "999k", not "1000k", and the largest amount, 9,999,999,999,999.99, is
    "9999B", not "10000B", above the limit). A negative amount (an ECV below 0) is cut the
    same way, so a loss is never shown larger than it is: -1,279,000 is "−1.27M" (the
    typographic minus: these are read by people, on axes and in the charts' titles), as
    1,279,000 is "1.27M" (tests/portfolio/test_money_short_signs.py). Where the exact amount
    matters, the page shows it in full.
    """
    if value is None:
        return "—"
    number = Decimal(str(value))
    sign = "\u2212" if number < 0 else ""
    number = abs(number)
    scaled, suffix = number, ""
    for threshold, name in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k")):
        if number >= threshold:
            scaled, suffix = number / threshold, name
            break
    places = 0 if scaled >= 100 else 1 if scaled >= 10 else 2 if suffix else 0
    cut = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    text = f"{cut:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{sign if cut else ''}{text}{suffix}"


def percent(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def nice_scale(maximum: float, ticks: int = 5) -> tuple[float, list[float]]:
    """An axis from 0 with round steps (1, 2, 2.5, 5 × 10^k) covering ``maximum``."""
    maximum = float(maximum or 0)
    if maximum <= 0:
        return 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    raw_step = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    top = math.ceil(maximum / step - 1e-9) * step
    count = round(top / step)
    return top, [i * step for i in range(count + 1)]


@dataclass
class Axis:
    """A linear scale from a domain [0, top] to pixels [start, end]."""

    top: float
    start: float
    end: float
    ticks: list[dict] = field(default_factory=list)

    def at(self, value) -> float:
        share = float(value or 0) / self.top if self.top else 0.0
        return round(self.start + share * (self.end - self.start), 1)


def _axis(top: float, tick_values: list[float], start: float, end: float, label) -> Axis:
    axis = Axis(top, start, end)
    axis.ticks = [{"at": axis.at(v), "label": label(v)} for v in tick_values]
    return axis


@dataclass
class Frame:
    """The plot area inside an SVG viewBox of ``width`` × ``height``."""

    width: int = 760
    height: int = 340
    left: int = 64
    right: int = 24
    top: int = 16
    bottom: int = 48

    @property
    def x0(self) -> int:
        return self.left

    @property
    def x1(self) -> int:
        return self.width - self.right

    @property
    def y0(self) -> int:  # the bottom of the plot area (SVG y grows downwards)
        return self.height - self.bottom

    @property
    def y1(self) -> int:
        return self.top


def _rate_scale(rates: list[float]) -> tuple[float, list[float]]:
    """Success rates read best on a 0–100% axis unless they are all small."""
    highest = max(rates, default=0)
    for top in (0.1, 0.2, 0.25, 0.5):
        if highest <= top * 0.9:
            steps = 4 if top in (0.2,) else 5
            return top, [top * i / steps for i in range(steps + 1)]
    return 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]


def headline_chart(series: list[dict]) -> dict:
    """Success rate (y) against cumulative spend (x), one point per month."""
    frame = Frame()
    spends = [float(m["cumulative_spend"]) for m in series]
    rates = [m["success_rate"] for m in series if m["success_rate"] is not None]
    x_top, x_ticks = nice_scale(max(spends, default=0))
    y_top, y_ticks = _rate_scale(rates)
    x = _axis(x_top, x_ticks, frame.x0, frame.x1, money_short)
    y = _axis(y_top, y_ticks, frame.y0, frame.y1, lambda v: percent(v, 0))
    points = []
    for month in series:
        rate = month["success_rate"]
        decided = month["greenlit"] + month["killed"]
        if rate is None:
            title = f"{month['month']}: {money_short(month['cumulative_spend'])} spent; no project decided yet"
        else:
            title = (
                f"{month['month']}: {money_short(month['cumulative_spend'])} spent; "
                f"success rate {percent(rate)} ({month['greenlit']} of {decided} decided projects greenlit)"
            )
        points.append(
            {
                "x": x.at(month["cumulative_spend"]),
                "y": y.at(rate or 0),
                "decided": rate is not None,
                "month": month["month"],
                "title": title,
            }
        )
    # The line joins the months that have a rate; undecided months sit hollow on the axis.
    line = " ".join(
        f"{'M' if i == 0 else 'L'}{p['x']},{p['y']}"
        for i, p in enumerate(p for p in points if p["decided"])
    )
    last = points[-1] if points else None
    if last:
        rate = series[-1]["success_rate"]
        last["label"] = f"{last['month']}: {percent(rate) if rate is not None else 'none decided'}"
        # Put the label where the line is not: below the point when the line comes from above.
        previous = points[-2] if len(points) > 1 else None
        last["label_dy"] = 24 if previous and previous["y"] < last["y"] else -12
    return {
        "frame": frame,
        "x": x,
        "y": y,
        "points": points,
        "line": line,
        "last": last,
        "has_undecided": any(not p["decided"] for p in points),
    }


def _calibrated(project: dict) -> str:
    """ " (calibrated 45%: 12 forecasts, bias +0.0500)", when the view added calibration."""
    record = project.get("calibration")
    if record is None:
        return ""
    return (
        f" (calibrated {percent(project['calibrated_probability'], 0)}: "
        f"{record.forecasts} forecast{'s' if record.forecasts != 1 else ''}, bias {record.bias:+.4f})"
    )


def bubble_chart(projects: list[dict]) -> dict:
    """Risk and reward: x latest probability, y projected expected value, area ∝ spend."""
    frame = Frame(height=360, left=70)
    y_top, y_ticks = nice_scale(max((float(p["projected_expected"]) for p in projects), default=0))
    x = _axis(1.0, [0, 0.25, 0.5, 0.75, 1.0], frame.x0, frame.x1, lambda v: percent(v, 0))
    y = _axis(y_top, y_ticks, frame.y0, frame.y1, money_short)
    largest = max((float(p["spend_to_date"]) for p in projects), default=0)
    # Many bubbles must stay small enough to tell apart.
    biggest = 24 if len(projects) <= 20 else 16 if len(projects) <= 50 else 12
    bubbles = []
    for project in projects:
        spend = float(project["spend_to_date"])
        radius = 3 + (biggest - 3) * math.sqrt(spend / largest) if largest else 4
        bubbles.append(
            {
                **project,
                "cx": x.at(project["probability"]),
                "cy": y.at(project["projected_expected"]),
                "r": round(radius, 1),
                "title": (
                    f"{project['key']} {project['title']} ({BUCKET_LABELS.get(project['bucket'], project['bucket'])}): "
                    f"{percent(project['probability'], 0)} chance{_calibrated(project)}, "
                    f"{money_short(project['projected_expected'])} a year expected, "
                    f"{money_short(project['spend_to_date'])} spent; gate {project['current_gate']}"
                ),
            }
        )
    # Big bubbles first, so the small ones stay on top and clickable.
    bubbles.sort(key=lambda b: (-b["r"], b["key"]))
    return {"frame": frame, "x": x, "y": y, "bubbles": bubbles}


def reliability_chart(bins: list[dict]) -> dict:
    """Mean forecast (x) against observed success rate (y) per bin; the diagonal is perfect."""
    frame = Frame(width=420, height=340, left=56)
    ticks = [0, 0.25, 0.5, 0.75, 1.0]
    x = _axis(1.0, ticks, frame.x0, frame.x1, lambda v: percent(v, 0))
    y = _axis(1.0, ticks, frame.y0, frame.y1, lambda v: percent(v, 0))
    most = max((b["forecasts"] for b in bins), default=0)
    points = [
        {
            **b,
            "cx": x.at(b["mean_forecast"]),
            "cy": y.at(b["observed_rate"]),
            "r": round(3 + 9 * math.sqrt(b["forecasts"] / most), 1),
            "title": (
                f"Forecasts of {percent(b['low'], 0)}–{percent(b['high'], 0)}: {b['forecasts']}, "
                f"mean {percent(b['mean_forecast'])}; {b['successes']} greenlit "
                f"({percent(b['observed_rate'])})"
            ),
        }
        for b in bins
        if b["forecasts"]
    ]
    return {
        "frame": frame,
        "x": x,
        "y": y,
        "points": points,
        "diagonal": f"M{x.at(0)},{y.at(0)} L{x.at(1)},{y.at(1)}",
    }


def bar_scale(values, width: float = 100.0) -> list[float]:
    """Bar lengths in [0, width] proportional to ``values`` (for small inline SVG bars)."""
    values = [float(v or 0) for v in values]
    largest = max(values, default=0)
    return [round(width * v / largest, 1) if largest else 0.0 for v in values]


def value_bars(headline: dict) -> list[dict]:
    """What the research cost against what it has returned, on one scale."""
    items = [
        ("Research spend", headline["cumulative_spend"], "spend", "all spend to date"),
        ("Sunk in killed projects", headline["killed_spend"], "killed", "spend of projects killed"),
        (
            "Realized value",
            headline["realized_value"],
            "realized",
            "value delivered by greenlit projects so far",
        ),
        (
            "Projected value of greenlit",
            headline["projected_value_greenlit"],
            "projected",
            "expected value per year of the greenlit projects",
        ),
    ]
    lengths = bar_scale([value for _, value, _, _ in items], width=100)
    return [
        {
            "label": label,
            "value": value,
            "css": css,
            "help": help_text,
            "length": length,
        }
        for (label, value, css, help_text), length in zip(items, lengths, strict=True)
    ]


def funnel_bars(funnel: list[dict]) -> list[dict]:
    lengths = bar_scale([g["reached"] for g in funnel], width=100)
    return [{**g, "length": length} for g, length in zip(funnel, lengths, strict=True)]


def bucket_bars(buckets: list[dict]) -> list[dict]:
    lengths = bar_scale([b["cumulative_spend"] for b in buckets], width=100)
    return [
        {
            **b,
            "label": BUCKET_SHORT.get(b["bucket"], b["bucket"]),
            "length": length,
        }
        for b, length in zip(buckets, lengths, strict=True)
    ]


__all__ = [
    "bubble_chart",
    "bucket_bars",
    "funnel_bars",
    "headline_chart",
    "money_short",
    "nice_scale",
    "percent",
    "reliability_chart",
    "value_bars",
]
