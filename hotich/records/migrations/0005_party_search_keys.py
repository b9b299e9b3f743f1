# Person search keys (decision 0014): the reversed name key, the register beside each name
# index, the indexes search reads.

import django.db.models.deletion
from django.db import migrations, models

import hotich.records.models


def fill(apps, schema_editor):
    """Existing people get the reversed key and their record's register."""
    Party = apps.get_model("records", "Party")
    rows = Party.objects.values_list("pk", "name_key", "record__register_id")
    batch = []
    for pk, key, register_id in rows.iterator(chunk_size=5000):
        batch.append(
            Party(pk=pk, name_rev=" ".join(reversed(key.split())), register_id=register_id)
        )
        if len(batch) >= 5000:
            Party.objects.bulk_update(batch, ["name_rev", "register"])
            batch = []
    if batch:
        Party.objects.bulk_update(batch, ["name_rev", "register"])


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_review_statuses"),
        ("registers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="party",
            name="name_rev",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AddField(
            model_name="party",
            name="register",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registers.register",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="party",
            name="register",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="registers.register",
            ),
        ),
        migrations.AlterField(
            model_name="party",
            name="name_key",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                hotich.records.models.Bytewise("name_key"),
                models.F("register"),
                name="party_name_key",
                include=["id"],
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                hotich.records.models.Bytewise("name_rev"),
                models.F("register"),
                name="party_name_rev",
                include=["id", "birth_year"],
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                models.F("birth_year"),
                hotich.records.models.Bytewise("name_key"),
                models.F("register"),
                name="party_birth_year_name",
                include=["id"],
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                condition=models.Q(("id_number", ""), _negated=True),
                fields=["id_number"],
                name="party_id_number",
            ),
        ),
    ]
