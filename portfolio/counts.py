"""The largest count and the longest task Greenlight keeps: one limit for every way adoption comes in.

A month's active users or tasks completed once had no upper limit: 99999999999999999999
failed SQLite's integer conversion (a 500), and two months of 9,000,000,000,000,000,000
were kept, then every dashboard and board pack failed summing them (integer overflow). On
PostgreSQL active users is an ``integer`` (2,147,483,647 at most).

A month's count is at most 1,000,000,000 (a billion people or tasks a month is more than
any product here will see), and a task takes at most 100,000 minutes (some 69 days). The
dashboard's sums of users and tasks over thousands of projects × months then stay far
inside a 64-bit integer, and one month's minutes saved (tasks × minutes, in hundredths) is
at most 10^16: no single month can make that sum overflow either.

Like ``portfolio.money``: the pages' forms, the model fields (so the admin too), the
services and the interchange import all apply it from here. Pure Python.
"""

from __future__ import annotations

from decimal import Decimal

LARGEST_COUNT = 1_000_000_000
LARGEST_COUNT_TEXT = f"{LARGEST_COUNT:,}"  # 1,000,000,000
LARGEST_MINUTES = Decimal("100000.00")
LARGEST_MINUTES_TEXT = f"{LARGEST_MINUTES:,.0f}"  # 100,000
MINUTES_DECIMAL_PLACES = 2


def count_too_large(value: int | None) -> bool:
    return value is not None and value > LARGEST_COUNT


def minutes_too_large(value: Decimal | None) -> bool:
    return value is not None and value > LARGEST_MINUTES


def count_too_large_message(label: str) -> str:
    """What a service and the import say of a month's count over the limit."""
    return f"{label}: at most {LARGEST_COUNT_TEXT} in a month."


def minutes_too_large_message(label: str) -> str:
    """What is said of minutes per task over the limit."""
    return f"{label}: at most {LARGEST_MINUTES_TEXT} minutes (about 69 days)."


# The app's wording of the other refusals, said by the adoption service.
def negative_message(label: str) -> str:
    return f"{label} cannot be negative."


def not_whole_message(label: str) -> str:
    return f"{label}: a whole number of 0 or more, e.g. 1200."


def minutes_places_message(label: str) -> str:
    return f"{label}: at most 2 decimals, e.g. 6.25."


# The same refusals beside the field (the adoption form, the admin), saying what to enter
# without the field's name, which is shown above it (as ``portfolio.money``'s instructions).
COUNT_INSTRUCTION = "Enter a whole number of 0 or more, e.g. 1200."
COUNT_TOO_LARGE_INSTRUCTION = f"Enter at most {LARGEST_COUNT_TEXT} for a month."
MINUTES_INSTRUCTION = "Enter a number of minutes of 0 or more, e.g. 6.25."
MINUTES_ABOVE_0_INSTRUCTION = "Enter more than 0 minutes (the same task before the product)."
MINUTES_TOO_LARGE_INSTRUCTION = f"Enter at most {LARGEST_MINUTES_TEXT} minutes (about 69 days)."
MINUTES_PLACES_INSTRUCTION = "Enter the minutes with at most 2 decimals, e.g. 6.25."
