"""Coordinate systems: GCJ-02 inverse accuracy, CGCS2000 Gauss-Krüger zones and their detection."""

import numpy as np
import pyproj
import pytest
import shapely

from landguard.core import crs

GEOD = pyproj.Geod(ellps="GRS80")


def _project(epsg: int, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    x, y = pyproj.Transformer.from_crs(4490, epsg, always_xy=True).transform(np.asarray(lon), np.asarray(lat))
    return np.asarray(x), np.asarray(y)


def test_gcj02_round_trip_error_is_below_half_a_metre_everywhere_in_china():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(73.5, 135, 50_000), rng.uniform(18, 53.5, 50_000)
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    _, _, error_m = GEOD.inv(lon, lat, *back)
    assert error_m.max() < 0.5
    assert error_m.max() < 1e-3  # in practice the iteration converges to well under a millimetre


def test_gcj02_offset_is_hundreds_of_metres_in_china_and_zero_abroad():
    _, _, offset = GEOD.inv(115.5, 36.5, *crs.wgs84_to_gcj02(115.5, 36.5))
    assert 100 < offset < 700
    assert crs.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris: GCJ-02 applies in China only


def test_gk_zone_codes_match_the_proj_definitions():
    for zone in [crs.gk_zone(central_meridian=cm, width=3, prefix=p) for cm in range(75, 136, 3)
                 for p in (True, False)] + \
                [crs.gk_zone(central_meridian=cm, width=6, prefix=p) for cm in range(75, 136, 6)
                 for p in (True, False)]:
        params = {p.name: p.value for p in pyproj.CRS.from_epsg(zone.epsg).coordinate_operation.params}
        assert params["Longitude of natural origin"] == zone.central_meridian
        assert params["False easting"] == (zone.zone * 1_000_000 + 500_000 if zone.prefix else 500_000)
        assert crs.gk_zone_from_epsg(zone.epsg) == zone
    assert crs.gk_zone(central_meridian=117, width=3, prefix=True).epsg == 4527
    assert crs.gk_zone(central_meridian=117, width=3, prefix=False).epsg == 4548


def test_3_degree_zone_detected_from_8_digit_easting_prefix():
    x, y = _project(4527, [116.9, 117.3], [36.1, 36.5])
    guess = crs.detect_from_coordinates(x, y)
    assert (guess.source, guess.swap_xy) == ("epsg:4527", False)


def test_6_degree_zone_detected_from_its_prefix():
    x, y = _project(4497, [110.8, 111.4], [30.1, 30.4])  # 6° zone 19, CM 111°E
    assert crs.detect_from_coordinates(x, y).source == "epsg:4497"


def test_6_digit_easting_needs_a_central_meridian_or_a_hint():
    x, y = _project(4548, [116.9, 117.3], [36.1, 36.5])
    with pytest.raises(crs.CrsError, match="中央经线"):
        crs.detect_from_coordinates(x, y)
    assert crs.detect_from_coordinates(x, y, central_meridian=117).source == "epsg:4548"
    assert crs.detect_from_coordinates(x, y, hint_lon=115.6).source == "epsg:4548"  # 冠县's longitude → CM 117


def test_6_digit_easting_in_a_6_degree_zone_is_told_apart_by_the_hint():
    x, y = _project(4508, [109.0, 113.2], [30.1, 30.4])  # 6° CM 111, no prefix: eastings far from 500 000
    assert crs.detect_from_coordinates(x, y, hint_lon=112.5).source == "epsg:4508"


def test_swapped_northing_and_easting_detected():
    x, y = _project(4527, [116.9, 117.3], [36.1, 36.5])
    assert crs.detect_from_coordinates(y, x) == crs.CrsGuess("epsg:4527", True,
                                                             crs.detect_from_coordinates(y, x).reason)
    x6, y6 = _project(4548, [116.9, 117.3], [36.1, 36.5])
    assert crs.detect_from_coordinates(y6, x6, hint_lon=117).swap_xy
    assert crs.detect_from_coordinates([36.1, 36.5], [115.2, 115.8]).swap_xy  # lat/lon order


def test_prj_wkt_recognised_including_esri_flavour():
    assert crs.crs_from_wkt(pyproj.CRS.from_epsg(4527).to_wkt("WKT1_ESRI")) == "epsg:4527"
    assert crs.crs_from_wkt(pyproj.CRS.from_epsg(4549).to_wkt("WKT1_ESRI")) == "epsg:4549"
    assert crs.crs_from_wkt(pyproj.CRS.from_epsg(4490).to_wkt("WKT1_ESRI")) == "cgcs2000"
    assert crs.crs_from_wkt(pyproj.CRS.from_epsg(4326).to_wkt("WKT1_ESRI")) == "wgs84"
    assert crs.crs_from_wkt("not a crs") is None


def test_trusted_prj_is_used_and_contradicted_prj_is_overruled_with_a_warning():
    x, y = _project(4527, [116.9, 117.3], [36.1, 36.5])
    guess, warnings = crs.resolve_crs(x, y, declared="epsg:4527")
    assert guess.source == "epsg:4527" and warnings == []
    guess, warnings = crs.resolve_crs(x, y, declared="wgs84")  # ArcGIS default .prj on projected metres
    assert guess.source == "epsg:4527" and "不符" in warnings[0]
    guess, warnings = crs.resolve_crs(x, y, declared="epsg:4526")  # wrong zone: still inside China, but not zone 38
    assert guess.source == "epsg:4527" and warnings


def test_a_declaration_the_values_confirm_is_kept_however_far_from_the_region_and_never_contradicted():
    x, y = _project(4528, [120.1, 120.2], [30.2, 30.3])  # a 杭州 parcel in zone 40, imported for 冠县 (115.5°E)
    guess, warnings = crs.resolve_crs(x, y, declared="epsg:4528", hint_lon=115.5)
    assert guess.source == "epsg:4528" and warnings == []


def test_explicit_crs_wins_over_prj_with_a_warning():
    guess, warnings = crs.resolve_crs([115.5, 115.6], [36.4, 36.5], declared="wgs84", explicit="gcj02")
    assert guess.source == "gcj02"
    assert "wgs84" in warnings[0] and "gcj02" in warnings[0]


def test_to_cgcs2000_is_vectorised_over_gk_gcj_and_swapped_input():
    x, y = _project(4527, [117.0, 117.2], [36.0, 36.3])
    squares = shapely.box(x - 50, y - 50, x + 50, y + 50)
    lonlat = crs.to_cgcs2000(squares, "epsg:4527")
    assert np.allclose(shapely.get_coordinates(shapely.centroid(lonlat)), [[117.0, 36.0], [117.2, 36.3]], atol=1e-7)
    swapped = shapely.transform(squares, lambda c: c[:, ::-1])
    assert shapely.equals_exact(crs.to_cgcs2000(swapped, "epsg:4527", swap_xy=True), lonlat, tolerance=1e-9).all()
    gcj = crs.to_cgcs2000(np.array([shapely.Point(*crs.wgs84_to_gcj02(115.5, 36.5))]), "gcj02")[0]
    assert gcj.x == pytest.approx(115.5, abs=1e-9) and gcj.y == pytest.approx(36.5, abs=1e-9)
    assert crs.to_cgcs2000(np.array([shapely.Point(115.5, 36.5)]), "wgs84")[0].equals(shapely.Point(115.5, 36.5))
