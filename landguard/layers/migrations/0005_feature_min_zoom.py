"""Feature.min_zoom (the lowest zoom at which a feature spans a screen pixel) and its (version, min_zoom, −area)
index,
for the generalised vector tiles; the features already stored get theirs from their geometry's box, in chunks.
On SQLite a plain ADD COLUMN, as in 0004 (Django's AddField would remake the table and lose the SpatiaLite
geometry column's triggers and R*Tree); PostgreSQL takes AddField as it is."""

import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.db import migrations, models

CHUNK = 20_000


def _field() -> models.PositiveSmallIntegerField:
    field = models.PositiveSmallIntegerField(default=0)
    field.set_attributes_from_name("min_zoom")
    return field


def add_column(apps, schema_editor):
    feature = apps.get_model("layers", "Feature")
    if schema_editor.connection.vendor == "sqlite":
        table = schema_editor.quote_name(feature._meta.db_table)
        schema_editor.execute(f'ALTER TABLE {table} ADD COLUMN "min_zoom" smallint unsigned NOT NULL DEFAULT 0 '
                              'CHECK ("min_zoom" >= 0)')
    else:
        schema_editor.add_field(feature, _field())


def drop_column(apps, schema_editor):
    feature = apps.get_model("layers", "Feature")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f'ALTER TABLE {schema_editor.quote_name(feature._meta.db_table)} DROP COLUMN "min_zoom"')
    else:
        schema_editor.remove_field(feature, _field())


def fill(apps, schema_editor):
    from landguard.layers.mvt import min_zooms

    Feature = apps.get_model("layers", "Feature")
    last = 0
    while True:
        rows = list(Feature.objects.filter(pk__gt=last).order_by("pk").annotate(wkb=AsWKB("geom"))
                    .values_list("pk", "wkb")[:CHUNK])
        if not rows:
            return
        zooms = min_zooms(shapely.bounds(shapely.from_wkb([bytes(w) for _pk, w in rows]))).tolist()
        by_zoom: dict[int, list[int]] = {}
        for (pk, _w), zoom in zip(rows, zooms, strict=True):
            by_zoom.setdefault(zoom, []).append(pk)
        for zoom, pks in by_zoom.items():
            Feature.objects.filter(pk__in=pks).update(min_zoom=zoom)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("layers", "0004_feature_qsxz")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[migrations.AddField(
                model_name="feature", name="min_zoom",
                field=models.PositiveSmallIntegerField(default=0, verbose_name="最小显示级别"))],
        ),
        migrations.AddIndex(
            model_name="feature",
            index=models.Index(fields=["version", "min_zoom", "-area_m2"], name="feature_version_min_zoom"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
