"""The record's register keeps only the index (register, number_sort), which starts with it.

The foreign key's own index duplicated it: every record written, and every import's index
rebuild, paid for it twice. Dropped by name (the same on SQLite and PostgreSQL) rather than
by altering the field, which SQLite would do by copying the whole table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "records_record_register_id_3ed6128c"


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0007_party_birth_year_name_rev"),
        ("registers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "records_record" ("register_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="record",
                    name="register",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="records",
                        to="registers.register",
                    ),
                ),
            ],
        ),
    ]
