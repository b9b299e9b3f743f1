# PostgreSQL only: the given name with a birth year ("ha", born 1933) as a range of one index.
# Without it a search for a one-word name and a year reads every person of that given name in
# the province (hundreds of thousands at 10 million records) to keep the few born that year.
# SQLite, which serves a single office, meets its target without it, and its imports are the
# ones that must stay fast: one index fewer to write.

from django.db import migrations

CREATE = (
    'CREATE INDEX IF NOT EXISTS "party_birth_year_name_rev" ON "records_party"'
    ' ("birth_year", ("name_rev" COLLATE "C"), "register_id", "id")'
    ' INCLUDE ("record_id", "role", "registration_year")'
)
DROP = 'DROP INDEX IF EXISTS "party_birth_year_name_rev"'


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("records", "0006_party_registration_year")]

    operations = [migrations.RunPython(create, drop)]
