from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration (and transaction) after the rows got their expiry: on PostgreSQL an
    # ALTER TABLE in the transaction that updated the rows may be refused.
    dependencies = [("api", "0002_tokens_without_expiry_expire")]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
