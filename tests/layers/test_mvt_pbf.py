"""The vectorised tile writer (layers/mvt_pbf.py) against the maintained encoder it replaced: for the same
features in tile units, mapbox_vector_tile's decoder reads the same shapes, ids and attributes from both."""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from landguard.layers import mvt_pbf


def _decoded(body: bytes) -> dict[int, tuple[shapely.Geometry, dict]]:
    layer = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})["t"]
    assert layer["extent"] == 4096
    return {f["id"]: (shapely.normalize(shape(f["geometry"])), f["properties"]) for f in layer["features"]}


def _reference(ids, geoms, attributes) -> bytes:
    features = [{"id": i, "geometry": g, "properties": {k: v[n] for k, v in attributes.items() if v[n] is not None}}
                for n, (i, g) in enumerate(zip(ids, geoms, strict=True))]
    return mapbox_vector_tile.encode([{"name": "t", "features": features}],
                                     default_options={"extents": 4096, "y_coord_down": True})


def _shapes() -> list[shapely.Geometry]:
    rng = np.random.default_rng(7)
    out: list[shapely.Geometry] = []
    for _ in range(60):  # parcels as GEOS leaves them after snapping: integer vertices, either orientation
        x, y = rng.integers(-60, 4000, 2)
        w, h = rng.integers(4, 300, 2)
        ring = shapely.box(x, y, x + w, y + h, ccw=bool(rng.integers(2)))
        out.append(ring)
    hole = shapely.Polygon([(0, 0), (200, 0), (200, 200), (0, 200)], [[(50, 50), (50, 150), (150, 150), (150, 50)]])
    out += [hole, shapely.MultiPolygon([shapely.box(300, 300, 400, 420), shapely.box(500, 500, 530, 560, ccw=False)]),
            shapely.LineString([(10, 10), (10, 10), (90, 40), (300, 40)]),
            shapely.MultiLineString([[(0, 0), (5, 5)], [(100, 100), (120, 80), (140, 100)]]),
            shapely.Point(2048, 2048), shapely.MultiPoint([(1, 2), (3000, 4000), (-20, 50)])]
    return out


def test_the_writer_and_the_maintained_encoder_decode_to_the_same_features():
    geoms = _shapes()
    ids = [1000 + i for i in range(len(geoms))]
    n = len(geoms)
    attributes = {"code": [f"01{i % 4}" for i in range(n)], "area_m2": [i * 1.25 for i in range(n)],
                  "feature_no": [None if i % 5 == 0 else str(i) for i in range(n)],
                  "count": [(-1) ** i * i for i in range(n)], "flag": [bool(i % 2) for i in range(n)]}
    ours = _decoded(mvt_pbf.encode_layer("t", 4096, ids=ids, geoms=np.array(geoms, dtype=object),
                                         attributes=attributes))
    theirs = _decoded(_reference(ids, geoms, attributes))
    assert ours.keys() == theirs.keys() == set(ids)
    for key in ids:
        (g1, p1), (g2, p2) = ours[key], theirs[key]
        assert g1.equals(g2), (key, g1.wkt, g2.wkt)
        assert p1 == p2, key


def test_exterior_rings_come_out_clockwise_on_screen_and_holes_counter_clockwise():
    hole = shapely.Polygon([(0, 0), (0, 200), (200, 200), (200, 0)], [[(50, 50), (150, 50), (150, 150), (50, 150)]])
    layer = mapbox_vector_tile.decode(mvt_pbf.encode_layer("t", 4096, ids=[1], geoms=np.array([hole]),
                                                           attributes={}), default_options={"y_coord_down": True})
    exterior, interior = layer["t"]["features"][0]["geometry"]["coordinates"]
    # the spec: exterior rings have a positive surveyor's-formula area in tile units (y down: clockwise on
    # screen), which is what shapely's y-up is_ccw computes; holes the other way round
    assert shapely.LinearRing(exterior).is_ccw and not shapely.LinearRing(interior).is_ccw


@pytest.mark.parametrize("geom", [shapely.Polygon([(0, 0), (1, 0), (1, 0), (0, 0)]),  # collapsed: no area
                                  shapely.LineString([(5, 5), (5, 5)])])
def test_a_shape_collapsed_by_snapping_is_left_out_and_an_empty_layer_is_no_tile(geom):
    assert mvt_pbf.encode_layer("t", 4096, ids=[1], geoms=np.array([geom]), attributes={}) == b""


def test_varints_match_the_protobuf_encoding_at_every_length():
    values = [0, 1, 127, 128, 300, 16383, 16384, 2**21, 2**28 - 1, 2**28, 2**35 - 1]
    data, lengths = mvt_pbf.varints(np.array(values))
    expected = [mvt_pbf._varint(v) for v in values]
    assert lengths.tolist() == [len(e) for e in expected]
    assert data.tobytes() == b"".join(expected)
