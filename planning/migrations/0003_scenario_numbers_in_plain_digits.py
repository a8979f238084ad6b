"""Saved scenarios' numbers rewritten in plain digits.

A scenario keeps its plan's settings as text, which ``planning.inputs.parse`` reads again
to show or adopt it. The budget, rate and targets were written with str(), which gives a
budget typed as 1e6 as "1E+6" and a share of 0.0000000 as "0E-7"; the planner now refuses a
number written with an exponent (portfolio.money.written_with_exponent), so such a scenario
would no longer open. The same numbers in plain digits ("1000000", "0"), as
``PlanRequest.settings_dict`` now writes them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import migrations

# portfolio.money.EXPONENT_FORM as of this migration.
EXPONENT_FORM = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")


def _plain(value):
    if not isinstance(value, str) or EXPONENT_FORM.fullmatch(value.strip()) is None:
        return value
    number = Decimal(value.strip())
    if not number:
        return "0"  # 0E-999999, a zero share typed with an exponent: not a million zeros
    # Otherwise within the planner's limits (a budget under 10**13, a rate or share at most
    # 1): a few digits.
    return f"{number:f}" if abs(number.adjusted()) <= 50 else value


def numbers_in_plain_digits(apps, schema_editor) -> None:
    Scenario = apps.get_model("planning", "Scenario")
    for scenario in Scenario.objects.all().iterator():
        settings = scenario.settings
        if not isinstance(settings, dict):
            continue
        plain = dict(settings)
        for name in ("budget", "discount_rate"):
            if name in plain:
                plain[name] = _plain(plain[name])
        if isinstance(plain.get("targets"), dict):
            plain["targets"] = {bucket: _plain(share) for bucket, share in plain["targets"].items()}
        if plain != settings:
            scenario.settings = plain
            scenario.save(update_fields=["settings"])


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_money_limit"),
    ]

    operations = [
        migrations.RunPython(numbers_in_plain_digits, migrations.RunPython.noop, elidable=True),
    ]
