"""The bulk write of a layer version's features: PostgreSQL COPY, SQLite executemany with its spatial-index
triggers swapped for one rebuild. A county DLTB has ~10⁵–10⁶ parcels and the ORM's bulk_create would take minutes.
Called by `services.import_layer` inside its transaction, so nothing here is visible to others until it commits."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import shapely
from django.db import connection, transaction

from landguard.layers.models import Feature, county_of
from landguard.layers.mvt import min_zooms

Progress = Callable[[int, int], None] | None
_PROGRESS_ROWS = 5_000  # how often the COPY reports: a cache write per 5 000 rows costs nothing next to them

_INSERT_BATCH = 5000


def insert_features(version_id: int, geoms: np.ndarray, *, region_codes: np.ndarray, fids: list[str], codes: list[str],
                    kcxs: np.ndarray, area: np.ndarray, stored: np.ndarray, overlaps: np.ndarray, properties: list[str],
                    qsxz: list[str] | None = None, progress: Progress = None) -> None:
    """Bulk-write features (inside the caller's transaction): binary COPY on PostgreSQL, executemany on SQLite.

    Rows are written in the Hilbert-curve order of their bounding-box centres (``index`` keeps the file's order),
    so neighbouring parcels share table pages and index nodes: a bbox fetch of the overlay reads a few pages
    instead of one per parcel, and the spatial index is built with locality (PostgreSQL: as CLUSTER would).

    On SpatiaLite the per-row triggers of the geometry column (constraint check, a "last insert" timestamp UPDATE
    and the R*Tree insert: 2/3 of the write time) are dropped for the duration of the insert and recreated from
    their own SQL in the same transaction — invisible to other connections, undone by a rollback. Their work is
    done once in bulk instead: the R*Tree gets one INSERT … SELECT of the new rows' MBRs (SQLite rounds R*Tree
    boxes outward, as RTreeAlign does), the timestamp one UPDATE; the constraint (SRID 4490, any geometry type)
    holds by construction (GeomFromWKB(…, 4490); an unreadable WKB gives NULL, which NOT NULL refuses).
    """

    def hilbert_order(boxes: np.ndarray) -> np.ndarray:
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        side = 1 << 16

        def scaled(v: np.ndarray) -> np.ndarray:
            span = float(v.max() - v.min()) or 1.0
            return np.clip(((v - v.min()) / span * (side - 1)).astype(np.int64), 0, side - 1)

        x, y = scaled(np.nan_to_num(cx)), scaled(np.nan_to_num(cy))
        d = np.zeros(len(x), dtype=np.int64)
        s = side >> 1
        while s:
            rx, ry = (x & s) > 0, (y & s) > 0
            d += s * s * ((3 * rx.astype(np.int64)) ^ ry.astype(np.int64))
            flip = ~ry & rx
            x[flip], y[flip] = side - 1 - x[flip], side - 1 - y[flip]
            swap = ~ry
            x[swap], y[swap] = y[swap], x[swap].copy()
            s >>= 1
        return np.argsort(d, kind="stable")

    n = len(geoms)
    columns = ("version_id, \"index\", region_code, county_code, fid, code, qsxz, kcxs, area_m2, stored_area_m2, "
               "overlaps_other, properties, min_zoom, geom")
    bounds = shapely.bounds(geoms)
    order = hilbert_order(bounds).tolist() if n > 1 else list(range(n))
    zoom_py = min_zooms(bounds).tolist()
    if connection.vendor == "postgresql":
        wkb = shapely.to_wkb(shapely.set_srid(geoms, 4490), include_srid=True)  # EWKB, sent as is (binary COPY)
    else:
        wkb = shapely.to_wkb(geoms, include_srid=False)
    stored_py = [None if math.isnan(v) else float(v) for v in stored.tolist()]
    kcxs_py, area_py, over_py = kcxs.astype(float).tolist(), area.astype(float).tolist(), overlaps.astype(bool).tolist()
    fid_py = [f[:60] for f in fids]
    code_py = [c[:10] for c in codes]
    qsxz_py = [q[:2] for q in qsxz] if qsxz is not None else [""] * n  # "" when the layer has none (not NULL)
    region_py = [str(c) for c in region_codes]
    # The partition key on PostgreSQL (layers.partitions): the county each feature lies in, "" above county level.
    county_by_region = {c: county_of(c) or "" for c in set(region_py)}
    county_py = [county_by_region[c] for c in region_py]
    table = Feature._meta.db_table
    geom_column = Feature._meta.get_field("geom").column
    # atomic(): a savepoint inside the caller's transaction; it also keeps the SpatiaLite trigger swap below
    # all-or-nothing should a caller ever run this in autocommit mode.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: the server takes the EWKB and the JSON text as they are instead of parsing hex and
            # text numbers (~20 % of the write). Both go through dumpers registered by column type on this
            # cursor only; the JSON text is already encoded, binary jsonb being a version byte and the text.
            from psycopg.adapt import Dumper
            from psycopg.pq import Format

            raw = cursor.cursor
            raw.execute("SELECT 'geometry'::regtype::oid, 'jsonb'::regtype::oid")
            geometry_oid, jsonb_oid = raw.fetchone()

            class EwkbDumper(Dumper):
                format = Format.BINARY
                oid = geometry_oid

                def dump(self, obj: bytes) -> bytes:
                    return obj

            class JsonTextDumper(Dumper):
                format = Format.BINARY
                oid = jsonb_oid

                def dump(self, obj: str) -> bytes:
                    return b"\x01" + obj.encode()

            class Ewkb:  # keys for the registrations above; values are chosen by column type (set_types)
                pass

            class JsonText:
                pass

            raw.adapters.register_dumper(Ewkb, EwkbDumper)
            raw.adapters.register_dumper(JsonText, JsonTextDumper)
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
            with raw.copy(sql) as copy:
                copy.set_types(["int8", "int4", "varchar", "varchar", "varchar", "varchar", "varchar", "float8",
                                "float8", "float8", "bool", jsonb_oid, "int2", geometry_oid])
                for done, i in enumerate(order, start=1):
                    copy.write_row(
                        (version_id, i, region_py[i], county_py[i], fid_py[i], code_py[i], qsxz_py[i], kcxs_py[i],
                         area_py[i], stored_py[i], over_py[i], properties[i], zoom_py[i], wkb[i]))
                    if progress and done % _PROGRESS_ROWS == 0:
                        progress(done, n)
        else:
            triggers = [f"{prefix}_{table}_{geom_column}".lower() for prefix in ("ggi", "tmi", "gii")]
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            dropped = [(name, sql) for name, sql in cursor.fetchall() if name.lower() in triggers]
            rtree = f"idx_{table}_{geom_column}"
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = %s", [rtree])
            has_rtree = cursor.fetchone()[0] == 1 and any(name.lower().startswith("gii_") for name, _sql in dropped)
            for name, _sql in dropped:
                cursor.execute(f'DROP TRIGGER "{name}"')
            sql = (f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                   "GeomFromWKB(%s, 4490))")
            for start in range(0, n, _INSERT_BATCH):
                stop = min(start + _INSERT_BATCH, n)
                cursor.executemany(sql,
                    [(version_id, i, region_py[i], county_py[i], fid_py[i], code_py[i], qsxz_py[i], kcxs_py[i],
                      area_py[i], stored_py[i], over_py[i], properties[i], zoom_py[i], wkb[i])
                     for i in order[start:stop]])
                if progress:
                    progress(stop, n)
            if has_rtree:
                cursor.execute(f'INSERT INTO "{rtree}" (pkid, xmin, xmax, ymin, ymax) '
                               f'SELECT ROWID, MbrMinX({geom_column}), MbrMaxX({geom_column}), MbrMinY({geom_column}), '
                               f'MbrMaxY({geom_column}) FROM {table} WHERE version_id = %s ORDER BY ROWID',
                               [version_id])
            if any(name.lower().startswith("tmi_") for name, _sql in dropped):
                cursor.execute(
                    "UPDATE geometry_columns_time SET last_insert = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now') "
                               "WHERE Lower(f_table_name) = Lower(%s) AND Lower(f_geometry_column) = Lower(%s)",
                               [table, geom_column])
            for _name, trigger_sql in dropped:
                cursor.execute(trigger_sql)
    if progress:
        progress(n, n)
