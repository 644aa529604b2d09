"""The official area is the CGCS2000 ellipsoidal area of domain.md §2, reproduced to 0.01 m²."""

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from landguard.core.geodesy import ellipsoidal_area_m2, hectares, mu, wan_mu

TO_GEOGRAPHIC = pyproj.Transformer.from_crs(4527, 4490, always_xy=True)


def _rectangle_4527(x0: float, y0: float, width: float, height: float) -> Polygon:
    corners = [(x0, y0), (x0 + width, y0), (x0 + width, y0 + height), (x0, y0 + height)]
    return Polygon([TO_GEOGRAPHIC.transform(x, y) for x, y in corners])


def test_rectangle_in_gauss_kruger_zone_39_matches_domain_test_vector():
    area = ellipsoidal_area_m2(_rectangle_4527(39520000, 4040000, 100, 200))[0]
    assert area == pytest.approx(19999.80197, abs=0.01)


def test_one_degree_cell_matches_series_formula_test_vector():
    assert ellipsoidal_area_m2(box(117, 36, 118, 37))[0] == pytest.approx(9_941_644_196.7, abs=0.1)


def test_parcel_area_agrees_with_geodesic_area_to_a_millimetre():
    parcel = _rectangle_4527(39512345.6, 4051234.5, 137.2, 88.9)
    geodesic = abs(pyproj.Geod(ellps="GRS80").geometry_area_perimeter(parcel)[0])
    assert ellipsoidal_area_m2(parcel)[0] == pytest.approx(geodesic, abs=0.001)


def test_ring_orientation_does_not_change_the_area():
    parcel = _rectangle_4527(39520000, 4040000, 100, 200)
    reversed_parcel = Polygon(list(parcel.exterior.coords)[::-1])
    assert ellipsoidal_area_m2(reversed_parcel)[0] == pytest.approx(ellipsoidal_area_m2(parcel)[0], abs=1e-6)


def test_holes_are_subtracted_and_multipolygon_parts_added():
    outer = box(117, 36, 117.01, 36.01)
    hole = box(117.002, 36.002, 117.004, 36.004)
    with_hole = Polygon(outer.exterior.coords, [hole.exterior.coords])
    other = box(118, 36, 118.01, 36.01)
    a_outer, a_hole, a_with_hole, a_multi = ellipsoidal_area_m2([outer, hole, with_hole, MultiPolygon([outer, other])])
    assert a_with_hole == pytest.approx(a_outer - a_hole, abs=1e-6)
    assert a_multi == pytest.approx(a_outer + ellipsoidal_area_m2(other)[0], abs=1e-6)


def test_vectorised_call_equals_one_by_one_and_empty_is_zero():
    shapes = [box(115 + i * 0.1, 36, 115.05 + i * 0.1, 36.03) for i in range(20)] + [shapely.Polygon()]
    together = ellipsoidal_area_m2(shapes)
    assert np.allclose(together[:-1], [ellipsoidal_area_m2(s)[0] for s in shapes[:-1]], rtol=0, atol=1e-6)
    assert together[-1] == 0


def test_report_units_round_as_bureaus_write_them():
    m2 = 1_234_567.891
    assert hectares(m2) == 123.4568  # 公顷, 4 dp
    assert mu(m2) == 1851.85  # 亩 = 2000/3 m², 2 dp
    assert wan_mu(m2) == 0.1852  # 万亩, 4 dp


def test_empty_and_non_areal_geometries_have_zero_area():
    import shapely

    from landguard.core.geodesy import ellipsoidal_area_m2

    empty = shapely.from_wkt("POLYGON EMPTY")
    assert list(ellipsoidal_area_m2([empty, empty])) == [0.0, 0.0]
    square = shapely.box(115.5, 36.5, 115.51, 36.51)
    areas = ellipsoidal_area_m2([empty, square, shapely.LineString([(115, 36), (116, 37)]), None])
    assert areas[0] == 0.0 and areas[1] > 900_000 and areas[2] == 0.0 and areas[3] == 0.0
