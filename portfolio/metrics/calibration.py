"""Forecast calibration: the Brier scores of metrics.md and the reliability diagram behind them.

A forecast is a probability of success: the project's own (made at
submission) and each of its decisions' that has one, over greenlit and
killed projects only. Probabilities are integer ten-thousandths, so squared
errors are exact integers.
"""

from __future__ import annotations

from decimal import Decimal

from portfolio.metrics import text
from portfolio.metrics.engine import CTE, CsvTable, Query, Section
from portfolio.metrics.numbers import PROBABILITY_SCALE, json_number, ratio

CLOSED = CTE(
    "closed",
    """
    SELECT id, pm_email, probability, CASE WHEN status = {greenlit} THEN 1 ELSE 0 END AS greenlit
    FROM state WHERE status IN ({greenlit}, {killed})
    """,
)
FORECASTS = CTE(
    "forecasts",
    """
    SELECT pm_email, probability, greenlit FROM closed
    UNION ALL
    SELECT c.pm_email, d.probability, c.greenlit
    FROM dec d JOIN closed c ON c.id = d.project_id
    WHERE d.probability IS NOT NULL
    """,
    needs=(CLOSED,),
)
# Each product manager of a project in scope, with how many (a row is there while one is).
MANAGERS = CTE("managers", "SELECT pm_email, COUNT(*) AS projects FROM scope GROUP BY pm_email")

CALIBRATION_QUERY = Query(
    "calibration",
    (FORECASTS, MANAGERS),
    """
    SELECT m.pm_email, m.projects, COUNT(f.probability),
           COALESCE(SUM(
               (f.probability - {scale} * f.greenlit) * (f.probability - {scale} * f.greenlit)
           ), 0)
    FROM managers m LEFT JOIN forecasts f ON f.pm_email = m.pm_email
    GROUP BY m.pm_email, m.projects
    """,
    ("pm_email", "projects", "forecasts", "squares"),
    {"scale": PROBABILITY_SCALE},
)
SCALE_SQUARED = PROBABILITY_SCALE**2


def _calibration(rows, scope) -> dict:
    # Sorted here, not in SQL: database collations order e-mail punctuation differently.
    managers = sorted(
        (row["pm_email"], int(row["forecasts"]), int(row["squares"])) for row in rows["calibration"]
    )
    forecasts = sum(n for _, n, _ in managers)
    squares = sum(s for _, _, s in managers)
    return {
        "forecasts": forecasts,
        "brier": json_number(ratio(squares, forecasts * SCALE_SQUARED)),
        "by_product_manager": [
            {
                "product_manager": email,
                "forecasts": n,
                "brier": json_number(ratio(s, n * SCALE_SQUARED)),
            }
            for email, n, s in managers
        ],
    }


def _calibration_text(c: dict) -> list[str]:
    lines = [
        "",
        f"Forecast calibration: Brier {text.score(c['brier'])} over {c['forecasts']} forecasts"
        " (0 is perfect; always 50% scores 0.25)",
    ]
    if not c["by_product_manager"]:
        return lines
    return lines + text.table(
        ["Product manager", "Forecasts", "Brier"],
        [
            [row["product_manager"], str(row["forecasts"]), text.score(row["brier"])]
            for row in c["by_product_manager"]
        ],
    )


def _calibration_rows(c: dict) -> list[dict]:
    overall = {"product_manager": "(all)", "forecasts": c["forecasts"], "brier": c["brier"]}
    return [overall, *c["by_product_manager"]]


CALIBRATION = Section(
    "calibration",
    (CALIBRATION_QUERY,),
    _calibration,
    in_spec=True,
    text=_calibration_text,
    csv=(CsvTable("calibration", ("product_manager", "forecasts", "brier"), _calibration_rows),),
)

# --- The reliability diagram ---------------------------------------------------------------------

RELIABILITY_BINS = 10

# Bin i holds forecasts in [i/10, (i+1)/10); the last also holds 1.
RELIABILITY_QUERY = Query(
    "reliability",
    (FORECASTS,),
    """
    SELECT CASE WHEN probability >= {scale} THEN {last_bin} ELSE probability / {bin_width} END,
           COUNT(*), SUM(probability), SUM(greenlit)
    FROM forecasts
    GROUP BY 1
    """,
    ("bin", "forecasts", "total", "successes"),
    {
        "scale": PROBABILITY_SCALE,
        "last_bin": RELIABILITY_BINS - 1,
        "bin_width": PROBABILITY_SCALE // RELIABILITY_BINS,
    },
)
RELIABILITY_COLUMNS = (
    "bin",
    "low",
    "high",
    "forecasts",
    "successes",
    "mean_forecast",
    "observed_rate",
)


def _reliability(rows, scope) -> list[dict]:
    """Each bin: its bounds, how many forecasts, their mean, and the share greenlit.

    A well-calibrated forecaster's points lie on the diagonal. Bins without
    forecasts are included, with nulls.
    """
    # A forecast without a probability falls in no bin.
    bins = {int(row["bin"]): row for row in rows["reliability"] if row["bin"] is not None}
    result = []
    for i in range(RELIABILITY_BINS):
        row = bins.get(i, {})
        forecasts = int(row.get("forecasts", 0))
        successes = int(row.get("successes", 0))
        total = int(row.get("total", 0))
        result.append(
            {
                "bin": i,
                "low": Decimal(i) / RELIABILITY_BINS,
                "high": Decimal(i + 1) / RELIABILITY_BINS,
                "forecasts": forecasts,
                "successes": successes,
                "mean_forecast": json_number(ratio(total, forecasts * PROBABILITY_SCALE)),
                "observed_rate": json_number(ratio(successes, forecasts)),
            }
        )
    return result


RELIABILITY = Section(
    "reliability",
    (RELIABILITY_QUERY,),
    _reliability,
    csv=(CsvTable("reliability", RELIABILITY_COLUMNS),),
)
