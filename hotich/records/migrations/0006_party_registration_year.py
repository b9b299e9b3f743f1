# The record's registration year beside each person; the name indexes end with the id (the
# search's whole order) and include the record, the role and that year (PostgreSQL), so that
# filtered searches read the indexes alone and stop at their page.

from django.db import migrations, models

import hotich.records.models

FILL = """
UPDATE records_party SET registration_year = (
    SELECT r.registration_year FROM records_record r WHERE r.id = records_party.record_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0005_party_search_keys"),
        ("registers", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="party", name="party_name_key"),
        migrations.RemoveIndex(model_name="party", name="party_name_rev"),
        migrations.RemoveIndex(model_name="party", name="party_birth_year_name"),
        migrations.AddField(
            model_name="party",
            name="registration_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                hotich.records.models.Bytewise("name_key"),
                models.F("register"),
                models.F("id"),
                include=("record", "role", "registration_year"),
                name="party_name_key",
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                hotich.records.models.Bytewise("name_rev"),
                models.F("register"),
                models.F("id"),
                include=("record", "birth_year", "role", "registration_year"),
                name="party_name_rev",
            ),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                models.F("birth_year"),
                hotich.records.models.Bytewise("name_key"),
                models.F("register"),
                models.F("id"),
                include=("role", "registration_year"),
                name="party_birth_year_name",
            ),
        ),
    ]
