"""A batch records how it ended, so that an abandoned job never leaves it "processing"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scanbatch",
            name="message",
            field=models.CharField(blank=True, max_length=500),
        ),
        # Batches from before this field had finished their work: they are "done".
        migrations.AddField(
            model_name="scanbatch",
            name="status",
            field=models.CharField(
                choices=[("processing", "Đang xử lý"), ("done", "Xong"), ("failed", "Lỗi")],
                default="done",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="scanbatch",
            name="status",
            field=models.CharField(
                choices=[("processing", "Đang xử lý"), ("done", "Xong"), ("failed", "Lỗi")],
                default="processing",
                max_length=10,
            ),
        ),
    ]
