# PostgreSQL: the feature table partitioned by county (LIST on county_code; layers.partitions explains the layout),
# every stored row moved into its county's partition. Reversible: the reverse moves every row back into one plain
# table with the same indexes, constraints and sequence. SpatiaLite: nothing (one county per file, one table).
# No change to Django's model state: `id` stays the model's primary key; the database's is (id, county_code).
# The table is rewritten once: on a province's data (~15 million rows) expect minutes and the table locked meanwhile.

from django.db import migrations


def partition(apps, schema_editor):
    from landguard.layers.partitions import partition_table

    if schema_editor.connection.vendor == "postgresql":
        partition_table(schema_editor.connection, apps.get_model("layers", "Feature")._meta.db_table)


def unpartition(apps, schema_editor):
    from landguard.layers.partitions import unpartition_table

    if schema_editor.connection.vendor == "postgresql":
        unpartition_table(schema_editor.connection, apps.get_model("layers", "Feature")._meta.db_table)


class Migration(migrations.Migration):

    dependencies = [
        ("layers", "0007_feature_county_code"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition),
    ]
