"""Artifacts become research assets (a key, a creation date, the kind "other"), reuses get
the date they happened, and adoption is recorded per greenlit product and month.

Existing rows get keys AR-<id> and the dates they were registered or linked.
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def fill_keys_and_dates(apps, schema_editor):
    Artifact = apps.get_model("portfolio", "Artifact")
    ArtifactReuse = apps.get_model("portfolio", "ArtifactReuse")
    for artifact in Artifact.objects.all().iterator():
        artifact.key = f"AR-{artifact.pk:04d}"
        artifact.created_on = artifact.registered_at.date()
        artifact.save(update_fields=["key", "created_on"])
    for reuse in ArtifactReuse.objects.all().iterator():
        reuse.used_on = reuse.linked_at.date()
        reuse.save(update_fields=["used_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0005_project_next_stage_ask"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="artifact",
            name="kind",
            field=models.CharField(
                choices=[
                    ("model", "Model"),
                    ("dataset", "Data set"),
                    ("report", "Report"),
                    ("code", "Code"),
                    ("other", "Other"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="artifact",
            name="key",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="artifact",
            name="created_on",
            field=models.DateField(null=True),
        ),
        migrations.AddField(
            model_name="artifactreuse",
            name="used_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(fill_keys_and_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="artifact",
            name="key",
            field=models.CharField(
                help_text="Unique, like a project key (AR-0001).",
                max_length=32,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Za-z0-9_-]{1,32}$",
                        "Use 1–32 letters, digits, hyphens or underscores.",
                    )
                ],
            ),
        ),
        migrations.AlterField(
            model_name="artifact",
            name="created_on",
            field=models.DateField(help_text="When the project produced it."),
        ),
        migrations.AlterField(
            model_name="artifactreuse",
            name="used_on",
            field=models.DateField(help_text="When the using project started building on it."),
        ),
        migrations.AlterModelOptions(name="artifact", options={"ordering": ["key"]}),
        migrations.AlterModelOptions(name="artifactreuse", options={"ordering": ["used_on", "id"]}),
        migrations.AddConstraint(
            model_name="artifact",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("key"), name="artifact_key_ignoring_case"
            ),
        ),
        migrations.CreateModel(
            name="Adoption",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("month", models.DateField(help_text="First day of the month.")),
                ("active_users", models.PositiveIntegerField()),
                ("tasks_completed", models.PositiveBigIntegerField()),
                (
                    "minutes_per_task",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=10,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                    ),
                ),
                (
                    "baseline_minutes_per_task",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=10,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "project",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="adoption",
                        to="portfolio.project",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["project", "month"],
                "constraints": [
                    models.UniqueConstraint(fields=("project", "month"), name="adoption_one_per_month"),
                    models.CheckConstraint(
                        condition=models.Q(("minutes_per_task__isnull", True), ("minutes_per_task__gte", 0), _connector="OR"),
                        name="adoption_minutes_not_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("baseline_minutes_per_task__isnull", True),
                            ("baseline_minutes_per_task__gt", 0),
                            _connector="OR",
                        ),
                        name="adoption_baseline_positive",
                    ),
                ],
            },
        ),
    ]
