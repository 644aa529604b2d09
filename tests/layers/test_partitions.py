"""County partitions of the feature table (issue 16 item 4a): every feature carries its county code (both
databases); on PostGIS the table is partitioned by it — an import gives a new county its partition and its rows
land there, a second import reuses it, rows waiting in the DEFAULT partition move into a county's new one, two
first imports at once create it once, county-scoped reads plan one partition (EXPLAIN), and the conversion
is reversible with rows, ids and the sequence kept.

Real files (GeoJSON written here), the real import, the demo's 冠县 and 莘县 layers; 阳谷县 (371521) and 东阿县
(371524) have no outline in the demo, so their layers' features take the county's own code."""

from __future__ import annotations

import json
import re
import threading

import pytest
import shapely
from django.db import connection, connections

from landguard.analysis import selectors as analysis_selectors
from landguard.core.scope import RegionScope
from landguard.layers import partitions, selectors
from landguard.layers.models import Feature, LayerVersion
from landguard.layers.services import import_layer
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db

postgis_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions exist on PostgreSQL only")

GUANXIAN = "371525"
GUANXIAN_CENTRE = (115.529, 36.530)  # inside 聊城市, whose outline the placement check falls back to


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _import(tmp_path, code: str, name: str, n: int = 3):
    x, y = GUANXIAN_CENTRE
    geoms = [shapely.box(x + i * 0.001, y, x + i * 0.001 + 0.0008, y + 0.0008) for i in range(n)]
    features = [{"type": "Feature", "properties": {"BSM": f"{code}-{i}"}, "geometry": json.loads(shapely.to_geojson(g))}
                for i, g in enumerate(geoms)]
    path = tmp_path / f"{code}-{name}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    region = Region.objects.get(code=code, retired_in__isnull=True)
    return import_layer(path, kind="project", name=name, region=region, publish=True)


def _tables(version: LayerVersion) -> set[str]:
    """The tables (partitions) a version's rows are stored in."""
    with connection.cursor() as cursor:
        cursor.execute('SELECT DISTINCT tableoid::regclass::text FROM "layers_feature" WHERE version_id = %s',
                       [version.pk])
        return {r[0] for r in cursor.fetchall()}


# --- the column, on both databases -------------------------------------------------------------------------------

def test_every_imported_feature_carries_the_county_of_its_region_code():
    rows = list(Feature.objects.values_list("region_code", "county_code").distinct())
    assert rows
    assert all(county == region[:6] for region, county in rows)
    assert {county for _region, county in rows} >= {"371525", "371522"}


def test_an_import_writes_the_county_code_of_each_feature(tmp_path):
    report = _import(tmp_path, "371521", "阳谷县项目")
    assert set(report.version.features.values_list("region_code", "county_code")) == {("371521", "371521")}


def test_a_feature_saved_through_the_orm_gets_its_county_code_and_none_above_county_level():
    version = LayerVersion.objects.filter(layer__slug="371525-dltb", is_current=True).get()
    feature = version.features.order_by("index").first()
    feature.pk = None
    feature.index = 999_999
    feature.region_code = "371525113201"
    feature.county_code = ""
    feature.save()
    assert Feature.objects.get(pk=feature.pk).county_code == "371525"
    feature.region_code = "3715"
    feature.save(update_fields=["region_code"])
    assert Feature.objects.get(pk=feature.pk).county_code == ""


def test_no_partitions_outside_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("the SpatiaLite case")
    assert partitions.county_partitions() == {}
    assert partitions.ensure_county_partition("371521") is False


# --- partitions, PostGIS ------------------------------------------------------------------------------------------

@postgis_only
def test_the_feature_table_is_partitioned_by_county_with_the_demo_counties_in_their_own_partitions():
    found = partitions.county_partitions()
    assert found[""] == "layers_feature_default"
    assert found["371525"] == "layers_feature_c371525"
    assert found["371522"] == "layers_feature_c371522"
    dltb = LayerVersion.objects.get(layer__slug="371525-dltb", is_current=True)
    assert _tables(dltb) == {"layers_feature_c371525"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM layers_feature_default")
        assert cursor.fetchone()[0] == 0
        # no parallel plans on a partition: a worker's start costs more than the milliseconds a read takes
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname IN ('layers_feature_c371525', "
                       "'layers_feature_default')")
        assert [r[0] for r in cursor.fetchall()] == [["parallel_workers=0"]] * 2


@postgis_only
def test_importing_layers_of_two_new_counties_creates_two_partitions_and_the_rows_land_in_them(tmp_path):
    before = partitions.county_partitions()
    assert "371521" not in before and "371524" not in before
    yanggu = _import(tmp_path, "371521", "阳谷县项目")
    donge = _import(tmp_path, "371524", "东阿县项目")
    after = partitions.county_partitions()
    assert set(after) - set(before) == {"371521", "371524"}
    assert _tables(yanggu.version) == {"layers_feature_c371521"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'layers_feature_c371521'")
        assert cursor.fetchone()[0] == ["parallel_workers=0"]
    assert _tables(donge.version) == {"layers_feature_c371524"}
    with connection.cursor() as cursor:  # pg_inherits: both are partitions of the feature table
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = 'layers_feature'::regclass AND c.relname IN (%s, %s)",
                       ["layers_feature_c371521", "layers_feature_c371524"])
        assert len(cursor.fetchall()) == 2


@postgis_only
def test_a_second_import_of_the_same_county_reuses_its_partition(tmp_path):
    first = _import(tmp_path, "371521", "阳谷县项目")
    partitions_after_first = partitions.county_partitions()
    assert partitions.ensure_county_partition("371521") is False  # idempotent
    second = _import(tmp_path, "371521", "阳谷县项目二", n=5)
    assert partitions.county_partitions() == partitions_after_first
    assert _tables(first.version) == _tables(second.version) == {"layers_feature_c371521"}
    assert Feature.objects.filter(county_code="371521").count() == 8


@postgis_only
def test_rows_of_a_county_waiting_in_the_default_partition_move_into_its_new_partition():
    version = LayerVersion.objects.filter(layer__slug="371525-dltb", is_current=True).get()
    feature = version.features.order_by("index").first()
    feature.pk, feature.index, feature.region_code = None, 999_998, "371526"  # 高唐县: no partition yet
    feature.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM layers_feature WHERE id = %s", [feature.pk])
        assert cursor.fetchone()[0] == "layers_feature_default"
        assert partitions.ensure_county_partition("371526") is True
        cursor.execute("SELECT tableoid::regclass::text, county_code FROM layers_feature WHERE id = %s", [feature.pk])
        assert cursor.fetchone() == ("layers_feature_c371526", "371526")
        cursor.execute("SELECT count(*) FROM layers_feature_default")
        assert cursor.fetchone()[0] == 0


@postgis_only
def test_two_first_imports_of_a_county_at_once_create_its_partition_once():
    """Two connections of their own (threads), committing: the county's advisory lock makes the second wait and
    find the partition. The partition is dropped afterwards, the test's own transaction never having touched
    the feature table (it would hold a lock the DDL waits for)."""
    barrier = threading.Barrier(2)
    created: list[bool] = []
    errors: list[BaseException] = []

    def first_import() -> None:
        try:
            barrier.wait(timeout=10)
            created.append(partitions.ensure_county_partition("371581"))
        except BaseException as exc:  # noqa: BLE001 — reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_import) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors
        assert sorted(created) == [False, True]
    finally:
        def drop() -> None:
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("DROP TABLE IF EXISTS layers_feature_c371581")
            finally:
                connections.close_all()

        cleanup = threading.Thread(target=drop)
        cleanup.start()
        cleanup.join(timeout=60)


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def _scanned(plan: str) -> set[str]:
    """The partitions a plan reads (their indexes' names, e.g. layers_feature_c371525_geom_idx, left out)."""
    return set(re.findall(r"\b(layers_feature_(?:c\d{6}|default))\b", plan))


@postgis_only
def test_the_overlay_of_a_county_boundary_reads_that_county_s_partition_only(county_admin):
    from landguard.core.scope import scope_for

    scope = scope_for(county_admin)
    versions = list(analysis_selectors.overlay_versions(scope))
    assert versions and all(v.layer.region_code.startswith(GUANXIAN) for v in versions)
    sql, params = analysis_selectors._one_box_sql(connection.alias, scope, versions)
    x, y = GUANXIAN_CENTRE
    plan = _plan(sql, [*params, x - 0.01, y - 0.01, x + 0.01, y + 0.01])
    assert _scanned(plan) == {f"layers_feature_c{GUANXIAN}"}, plan
    # the same holds for a user who sees everything: the layers are the county's
    sql, params = analysis_selectors._one_box_sql(connection.alias, RegionScope(prefixes=(), unrestricted=True),
                                                  versions)
    assert _scanned(_plan(sql, [*params, x - 0.01, y - 0.01, x + 0.01, y + 0.01])) == {f"layers_feature_c{GUANXIAN}"}


@postgis_only
def test_the_many_box_read_of_patches_reads_the_county_s_partition_only(county_admin):
    """classify_patches' path: the ids of features meeting any of many boxes, in one statement."""
    import numpy as np

    from landguard.core.scope import scope_for

    scope = scope_for(county_admin)
    versions = list(analysis_selectors.overlay_versions(scope))
    x, y = GUANXIAN_CENTRE
    boxes = np.array([[x + d, y + d, x + d + 0.001, y + d + 0.001] for d in (0.0, 0.01, 0.02)])
    counties = selectors.feature_counties(versions, scope)
    assert counties == [GUANXIAN]
    sql, params = analysis_selectors._gist_ids(boxes, [v.pk for v in versions], counties)
    assert _scanned(_plan(sql, params)) == {f"layers_feature_c{GUANXIAN}"}


@postgis_only
def test_a_tile_of_a_county_layer_reads_that_county_s_partition_only(township_officer):
    from landguard.core.scope import scope_for
    from landguard.layers import mvt

    version = LayerVersion.objects.select_related("layer").get(layer__slug="371525-dltb", is_current=True)
    x, y = GUANXIAN_CENTRE
    z = 14
    tx, ty = _tile_of(x, y, z)
    qs = selectors.features(scope_for(township_officer), version, bbox=mvt.tile_bounds(z, tx, ty, buffer=mvt.BUFFER))
    plan = qs.order_by().explain()
    assert _scanned(plan) == {f"layers_feature_c{GUANXIAN}"}, plan
    # the unfiltered table would have planned every partition
    unfiltered = Feature.objects.filter(version=version).explain()
    assert _scanned(unfiltered) > {f"layers_feature_c{GUANXIAN}"}


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


@postgis_only
def test_the_conversion_is_reversible_keeping_rows_ids_and_the_sequence():
    def state() -> tuple:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(id), sum(hashtext(id::text || county_code || ST_AsEWKB(geom)::text)) "
                           "FROM layers_feature")
            rows = cursor.fetchone()
            cursor.execute("SELECT last_value FROM layers_feature_id_seq")
            return rows, cursor.fetchone()[0]

    before = state()
    partitions.unpartition_table(connection)
    assert not partitions.is_partitioned(connection)
    assert state() == before
    partitions.partition_table(connection)
    assert partitions.is_partitioned(connection)
    assert state() == before
    assert {"", "371525", "371522"} <= set(partitions.county_partitions())
