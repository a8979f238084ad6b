"""Saved scenarios follow the project keys admins corrected before they did so by themselves.

A scenario keeps its pins, and the adopted one the keys it funded, as project keys. Until
``planning.services.follow_key_change`` a key corrected in the admin left them naming a key
no project has: the scenario was refused ("Pinned: no project has the key GL-0072.") and
the gate review no longer found the project in the adopted plan. The audit trail says
which keys were corrected and when ("project.corrected" with a "key" change): each is
applied, in order, to the scenarios saved (pins) or adopted (fund list) before it.
"""

from __future__ import annotations

from django.db import migrations


def _renamed(keys, old_key, new_key):
    renamed = []
    for key in keys:
        key = new_key if key == old_key else key
        if key not in renamed:
            renamed.append(key)
    return renamed


def keys_follow_corrections(apps, schema_editor) -> None:
    Scenario = apps.get_model("planning", "Scenario")
    AuditEntry = apps.get_model("portfolio", "AuditEntry")
    corrections = AuditEntry.objects.filter(action="project.corrected").order_by("at", "id")
    for entry in corrections.iterator():
        change = (entry.changes or {}).get("key")
        if not (isinstance(change, list) and len(change) == 2 and all(change)):
            continue
        old_key, new_key = change
        for scenario in Scenario.objects.filter(created_at__lt=entry.at):
            settings = dict(scenario.settings) if isinstance(scenario.settings, dict) else None
            if settings is not None:
                for pins in ("pin_in", "pin_out"):
                    if isinstance(settings.get(pins), list) and old_key in settings[pins]:
                        settings[pins] = _renamed(settings[pins], old_key, new_key)
                if settings != scenario.settings:
                    scenario.settings = settings
            adopted_before = scenario.adopted_at is not None and scenario.adopted_at < entry.at
            if adopted_before and old_key in (scenario.funded_keys or []):
                scenario.funded_keys = _renamed(scenario.funded_keys, old_key, new_key)
            scenario.save(update_fields=["settings", "funded_keys"])


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0003_scenario_numbers_in_plain_digits"),
        ("portfolio", "0015_adoption_count_limits"),
    ]

    operations = [
        migrations.RunPython(keys_follow_corrections, migrations.RunPython.noop, elidable=True),
    ]
