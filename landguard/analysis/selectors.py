"""Reads for the overlay analysis: the layers a user may analyse against, and the features of a layer
version that may meet some boundaries, as column arrays ready for the engine (geometry, DLBM, KCXS, official
area, overlap flag and the stored 权属性质 code).

Features are read through landguard.layers.selectors.features (the scope rule lives there): the
selector's querysets of every layer, as one UNION ALL, are executed raw for WKB columns — building a
GEOSGeometry per row through the ORM costs more than the whole overlay — and decoded by shapely in one
vectorised call. On SpatiaLite the rows are found through the feature table's R*Tree
(idx_<table>_geom), which GeoDjango's lookups never use; on PostGIS through the GiST index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from landguard.core.scope import RegionScope
from landguard.layers import selectors as layer_selectors
from landguard.layers.models import CONTROL_KIND, Feature, GeometryKind, LayerKind, LayerVersion

_ID_BATCH = 10_000
_HITS = "overlay_hits"  # the WITH table of R*Tree hits on SpatiaLite
# Layer kinds the overlay can use: the DLTB and every control kind.
OVERLAY_KINDS = tuple(kind for kind in LayerKind.values if kind == LayerKind.DLTB or CONTROL_KIND[kind] is not None)


def overlay_versions(scope: RegionScope, *, slugs: list[str] | None = None) -> QuerySet[LayerVersion]:
    """Current polygon versions of the layers the overlay can use (DLTB and control kinds) visible to the
    scope, by owning region and kind; `slugs` picks some of them."""
    qs = (layer_selectors.current_versions(scope, kinds=OVERLAY_KINDS)
          .filter(geometry_kind=GeometryKind.POLYGON)
          .order_by("layer__region_code", "layer__kind", "layer__name"))
    return qs.filter(layer__slug__in=slugs) if slugs is not None else qs


@dataclass(frozen=True)
class Candidates:
    """Features of one version whose bounding box meets at least one of the query boxes, column-wise."""

    pk: np.ndarray
    geometry: np.ndarray
    code: np.ndarray
    kcxs: np.ndarray
    area_m2: np.ndarray
    overlaps_other: np.ndarray
    qsxz: np.ndarray  # 权属性质 code text, "" where none (DLTB; blank on other kinds)

    def __len__(self) -> int:
        return len(self.pk)


def candidates(scope: RegionScope, versions: Sequence[LayerVersion], boxes: np.ndarray) -> dict[int, Candidates]:
    """For each version (by pk): its features inside the scope meeting any of `boxes` (k × 4 array:
    minx, miny, maxx, maxy), all versions in one statement (a round trip per layer costs as much as
    reading a few hundred parcels).

    One box is the common case (one boundary); many boxes (the patches of one spatial chunk) are each
    matched against the spatial index, so only parcels near some patch are read, not the whole area
    their common bounding box spans.
    """
    boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
    found: dict[int, list[tuple]] = {v.pk: [] for v in versions}
    if not len(boxes) or not versions:
        return {pk: _columns(rows) for pk, rows in found.items()}
    union = (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))
    connection = connections[Feature.objects.db]
    if connection.vendor == "postgresql" and len(boxes) == 1:
        return _one_box(scope, versions, union, found)
    prefix: tuple[str, list[Any]] = ("", [])
    with _small_reads(connection) as cursor:
        if connection.vendor == "sqlite":
            # The R*Tree test for every box, run once for all layers (a WITH clause) rather than once per
            # layer as the selector's single-box filter would.
            rtree_sql, rtree_params = layer_selectors.rtree_ids_sql(boxes)
            prefix = (f"WITH {_HITS}(pkid) AS MATERIALIZED ({rtree_sql}) ", rtree_params)
            index = RawSQL(f"SELECT pkid FROM {_HITS}", [])
            querysets = [layer_selectors.features(scope, v).filter(pk__in=index) for v in versions]
        elif len(boxes) == 1:
            querysets = [layer_selectors.features(scope, v, bbox=union) for v in versions]
        else:
            # Ids first, in a query of their own: as a subquery, PostgreSQL's plan for the join depends on
            # fresh statistics (a bulk import leaves them stale) and can turn into boxes × rows comparisons;
            # on its own it is always a GiST scan per box.
            ids: dict[int, list[int]] = {v.pk: [] for v in versions}
            cursor.execute(*_gist_ids(boxes, list(ids), layer_selectors.feature_counties(versions, scope)))
            for version_id, pk in cursor.fetchall():
                ids[version_id].append(pk)
            # One array parameter rather than pk__in: the ORM would prepare thousands of ids one by one.
            member = f'"{Feature._meta.db_table}"."{Feature._meta.pk.column}" = ANY(%s)'
            querysets = [
                layer_selectors.features(scope, v,
                                         bbox=union).filter(RawSQL(member, [ids[v.pk]], output_field=BooleanField()))
                         for v in versions if ids[v.pk]]
        if querysets:
            # order_by(): the model's default ordering joins the layer tables and sorts, and on SQLite it
            # steers the planner away from the R*Tree lookups.
            parts = [qs.order_by().annotate(wkb=AsWKB("geom")).values_list(*_COLUMNS) for qs in querysets]
            statement = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
            sql, params = statement.query.get_compiler(using=statement.db).as_sql()
            cursor.execute(prefix[0] + sql, [*prefix[1], *params])
            for version_id, *row in cursor.fetchall():
                found[version_id].append(tuple(row))
    return {pk: _columns(rows) for pk, rows in found.items()}


_COLUMNS = ("version_id", "pk", "wkb", "code", "kcxs", "area_m2", "overlaps_other", "qsxz")


def _one_box(scope: RegionScope, versions: Sequence[LayerVersion], box: tuple[float, float, float, float],
             found: dict[int, list[tuple]]) -> dict[int, Candidates]:
    """PostGIS, one box (one boundary, the common case of a page or an API call): every version's features in
    one statement, one GiST scan filtered by version, in autocommit — one round trip to the server.

    A UNION of one query per version (as for many boxes) makes PostgreSQL plan a Parallel Append, whose
    workers cost 10–30 ms to start, and scan the index once per version; keeping that out with SET LOCAL
    needs a transaction, i.e. three more round trips (BEGIN, SET, COMMIT), each a context switch on a busy
    machine. This query's plan is a bitmap scan of the GiST index (~1 ms for the ~500 features near a
    300 ha boundary), which PostgreSQL neither parallelises nor compiles at that cost. The statement is
    compiled once per (scope, versions): building it through the ORM cost more than running it (py-spy
    profile in docs/performance.md)."""
    connection = connections[Feature.objects.db]
    sql, params = _one_box_sql(connection.alias, scope, versions)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *box])
        rows = cursor.fetchall()
    if not rows:
        return {pk: _columns(found[pk]) for pk in found}
    rows.sort()  # by version, then pk: the same boundary gives the same pieces, in the same order, every time
    version_id, pk, wkb, code, kcxs, area, overlaps, qsxz = zip(*rows, strict=True)
    version_ids = np.asarray(version_id, dtype=np.int64)
    geometry = _objects([bytes(w) for w in wkb])  # memoryview on some drivers
    geometry = shapely.from_wkb(geometry)
    columns = (np.asarray(pk, dtype=np.int64), geometry, _objects(code), np.asarray(kcxs, dtype=float),
               np.asarray(area, dtype=float), np.asarray(overlaps, dtype=bool), _objects(qsxz))
    out = {}
    for v in found:
        lo, hi = np.searchsorted(version_ids, [v, v + 1])
        out[v] = Candidates(*(c[lo:hi] for c in columns)) if hi > lo else _columns([])
    return out


def _objects(values: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


_ONE_BOX_SQL: dict[tuple[str, RegionScope, tuple[int, ...]], tuple[str, tuple[Any, ...]]] = {}
_SENTINEL_BOX = (-1234.5, -2345.5, 3456.5, 4567.5)  # stands for the box while the statement is compiled


def _one_box_sql(alias: str, scope: RegionScope, versions: Sequence[LayerVersion]) -> tuple[str, tuple[Any, ...]]:
    """The statement of _one_box and its parameters but the box's four (which come last), compiled once per
    database, scope and versions (the scope's filter depends on the scope alone, see core.scope)."""
    key = (alias, scope, tuple(v.pk for v in versions))
    if key not in _ONE_BOX_SQL:
        column = f'"{Feature._meta.db_table}"."{Feature._meta.get_field("geom").column}"'
        meets = RawSQL(f"{column} && ST_MakeEnvelope(%s, %s, %s, %s, 4490)", _SENTINEL_BOX,
                       output_field=BooleanField())
        qs = (layer_selectors.features(scope, versions).filter(meets).order_by().annotate(wkb=AsWKB("geom"))
              .values_list(*_COLUMNS))
        sql, params = qs.query.get_compiler(using=alias).as_sql()
        if tuple(params[-4:]) != _SENTINEL_BOX:  # the box must be the last parameters (a filter added after it?)
            raise RuntimeError("analysis.selectors: the box is not the last parameter of the candidates query")
        if len(_ONE_BOX_SQL) > 256:
            _ONE_BOX_SQL.clear()
        _ONE_BOX_SQL[key] = (sql, tuple(params[:-4]))
    return _ONE_BOX_SQL[key]


@contextmanager
def _small_reads(connection: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """A cursor in a transaction where PostgreSQL neither plans a parallel query nor compiles one: these
    reads are index scans of milliseconds, while a parallel plan (Gather over a Parallel Append, which
    PostgreSQL picks for the UNION) spends 10–30 ms starting workers, and JIT, which the cost estimate
    of a join to hundreds of boxes triggers, 5–10 ms compiling.

    On SQLite no transaction: the reads are one statement (the R*Tree hits in its WITH clause), a snapshot by
    itself, and a transaction there begins IMMEDIATE (settings.py), taking the database's write lock — so
    concurrent analyses (the Dask workers of a province batch, two users' overlays) would queue on each other and
    on every writer."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        yield cursor


def _columns(rows: list[tuple]) -> Candidates:
    if not rows:
        return Candidates(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), np.zeros(0, dtype=object),
                          np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=object))
    rows.sort()  # by pk: the same boundary gives the same pieces, in the same order, every time
    pk, wkb, code, kcxs, area, overlaps, qsxz = zip(*rows, strict=True)
    wkb_array = np.empty(len(wkb), dtype=object)
    wkb_array[:] = [bytes(w) for w in wkb]  # memoryview on some drivers
    code_array = np.empty(len(code), dtype=object)
    code_array[:] = code
    qsxz_array = np.empty(len(qsxz), dtype=object)
    qsxz_array[:] = qsxz
    return Candidates(np.asarray(pk, dtype=np.int64), shapely.from_wkb(wkb_array), code_array,
                      np.asarray(kcxs, dtype=float), np.asarray(area, dtype=float), np.asarray(overlaps, dtype=bool),
                      qsxz_array)


def _gist_ids(boxes: np.ndarray, version_ids: list[int], counties: list[str] | None = None) -> tuple[str, list[Any]]:
    """PostGIS: (version, id) of the versions' features whose box meets one of the boxes (a GiST scan per
    box). The boxes travel as four arrays: thousands of scalar parameters cost more to send than the scan.
    `counties` (layers.selectors.feature_counties): the county partitions to read, the others pruned."""
    table = Feature._meta.db_table
    sql = ("SELECT DISTINCT f.version_id, f.id FROM unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[]) "
           f'AS e(x0, y0, x1, y1) JOIN "{table}" AS f ON f.geom && ST_MakeEnvelope(e.x0, e.y0, e.x1, e.y1, 4490) '
           "WHERE f.version_id = ANY(%s)")
    params = [*(boxes[:, k].tolist() for k in range(4)), version_ids]
    if counties:
        sql += " AND f.county_code IN (" + ", ".join(["%s"] * len(counties)) + ")"
        params += counties
    return sql, params


def feature_ids(scope: RegionScope, version: LayerVersion | Sequence[LayerVersion],
                pks: Sequence[int]) -> dict[int, str]:
    """The file identifier (BSM, TBBH …) of some features of a version (or of the DLTB versions of several
    counties), for map popups; in batches, as SQLite takes at most 32 766 parameters a statement."""
    versions = [version] if isinstance(version, LayerVersion) else list(version)
    wanted = sorted({int(pk) for pk in pks})
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _ID_BATCH):
        for v in versions:
            qs = layer_selectors.features(scope, v).filter(pk__in=wanted[start:start + _ID_BATCH]).order_by()
            found.update(qs.values_list("pk", "fid"))
    return found
