# Feature.county_code: the county a feature lies in (region_code[:6], "" above county level), the partition key of
# the feature table on PostgreSQL (0008). As in 0004/0005, SQLite gets a plain ADD COLUMN (Django's AddField would
# remake the table and the SpatiaLite geometry column's triggers and R*Tree); PostgreSQL takes AddField as it is.
# The stored features get theirs in one UPDATE (substr is the same function on both databases).

from django.db import migrations, models


def _field() -> models.CharField:
    field = models.CharField(blank=True, default="", max_length=6)
    field.set_attributes_from_name("county_code")
    return field


def add_column(apps, schema_editor):
    feature = apps.get_model("layers", "Feature")
    table = schema_editor.quote_name(feature._meta.db_table)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN \"county_code\" varchar(6) NOT NULL DEFAULT ''")
    else:
        schema_editor.add_field(feature, _field())
    schema_editor.execute(f"UPDATE {table} SET county_code = substr(region_code, 1, 6) WHERE length(region_code) >= 6")


def drop_column(apps, schema_editor):
    feature = apps.get_model("layers", "Feature")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(feature._meta.db_table)} DROP COLUMN "
                              "\"county_code\"")
    else:
        schema_editor.remove_field(feature, _field())


class Migration(migrations.Migration):

    dependencies = [
        ("layers", "0006_feature_number_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField(
                    model_name="feature",
                    name="county_code",
                    field=models.CharField(blank=True, default="", help_text="partition key on PostgreSQL: "
                                           "region_code[:6]", max_length=6, verbose_name="县级代码"),
                ),
            ],
        ),
    ]
