# Feature.qsxz (权属性质). On SQLite, Django's AddField remakes the feature table (a copy of every row and every
# R*Tree entry of the SpatiaLite geometry column); a plain ADD COLUMN with a constant default does the same in
# an instant and leaves the geometry column, its triggers and its R*Tree as they are. PostgreSQL takes AddField
# as it is (a constant default is metadata only there).

from django.db import migrations, models

COLUMN = models.CharField(blank=True, default="", max_length=2)


def _field() -> models.CharField:
    field = COLUMN.clone()
    field.set_attributes_from_name("qsxz")
    return field


def add_column(apps, schema_editor):
    feature = apps.get_model("layers", "Feature")
    if schema_editor.connection.vendor == "sqlite":
        table = schema_editor.quote_name(feature._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN \"qsxz\" varchar(2) NOT NULL DEFAULT ''")
    else:
        schema_editor.add_field(feature, _field())


def drop_column(apps, schema_editor):
    feature = apps.get_model("layers", "Feature")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"ALTER TABLE {schema_editor.quote_name(feature._meta.db_table)} DROP COLUMN \"qsxz\"")
    else:
        schema_editor.remove_field(feature, _field())


class Migration(migrations.Migration):

    dependencies = [
        ("layers", "0003_official_layers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField(
                    model_name="feature",
                    name="qsxz",
                    field=models.CharField(blank=True, default="",
                                           help_text="权属性质代码：10、20 国有，30–34、40 集体；空为未标注", max_length=2,
                                           verbose_name="权属性质"),
                ),
            ],
        ),
    ]
