from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="mail_status",
            field=models.CharField(max_length=16, null=True),
        ),
    ]
