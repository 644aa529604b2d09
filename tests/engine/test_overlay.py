"""Overlay engine correctness on hand-built layers whose answers are known, plus a synthetic county.

Parcels are small lon/lat boxes near 冠县 (115.40°E, 36.50°N). On such boxes the official series area is
linear in the longitude span, so "half a parcel" is exactly half its area, and short edges make the series
agree with pyproj's geodesic area to ~1e-9 — an independent check of every figure.
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import Polygon, box

from landguard.core.geodesy import ellipsoidal_area_m2, hectares, mu
from landguard.engine.checks import LayerDataError, normalize_kcxs
from landguard.engine.kinds import ControlKind, Verdict
from landguard.engine.layers import ControlLayer, DltbLayer
from landguard.engine.overlay import overlay
from landguard.engine.synthetic import GUANXIAN_BBOX, synthetic_dltb

GEOD = pyproj.Geod(ellps="GRS80")  # CGCS2000 and GRS80 differ by 1e-4 m in b: irrelevant here
X0, Y0 = 115.400, 36.500
DX, DY = 0.001, 0.001  # ≈ 89 m × 111 m


def cell(i0: float, j0: float, i1: float, j1: float) -> Polygon:
    """A box in grid units of (DX, DY) from (X0, Y0)."""
    return box(X0 + i0 * DX, Y0 + j0 * DY, X0 + i1 * DX, Y0 + j1 * DY)


def area(geom) -> float:
    return float(ellipsoidal_area_m2(geom)[0])


def geod_area(geom) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0])


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def dltb(parcels: list[tuple[Polygon, str, float]], **kwargs) -> DltbLayer:
    geoms, codes, kcxs = zip(*parcels, strict=True)
    return DltbLayer(list(geoms), list(codes), kcxs=list(kcxs), **kwargs)


def control(kind: ControlKind, *geoms: Polygon) -> ControlLayer:
    return ControlLayer(kind, list(geoms))


# --- 田坎 and land classes ------------------------------------------------------------------------------


def test_half_of_a_paddy_parcel_with_kcxs_0_1():
    parcel = cell(0, 0, 2, 1)
    layer = dltb([(parcel, "0101", 0.1)])
    result = overlay(cell(0, 0, 1, 1), layer)[0]
    half = area(parcel) / 2
    assert result.gross_m2 == pytest.approx(half, rel=1e-9)
    assert result.farmland_gross_m2 == pytest.approx(half, rel=1e-9)
    assert result.farmland_net_m2 == pytest.approx(0.9 * half, rel=1e-9)
    assert result.tiankan_m2 == pytest.approx(0.1 * half, rel=1e-9)
    assert result.by_code["0101"].net_m2 == pytest.approx(0.9 * half, rel=1e-9)
    assert result.by_level1["01"].gross_m2 == pytest.approx(half, rel=1e-9)
    assert result.by_big_class["agricultural"].gross_m2 == pytest.approx(half, rel=1e-9)
    flag = result.flag(Verdict.OCCUPIES_FARMLAND)
    assert flag is not None and flag.area_m2 == pytest.approx(0.9 * half, rel=1e-9)
    (piece,) = list(result.pieces)
    assert piece.dlbm == "0101" and piece.dltb_index == 0 and not piece.whole
    assert piece.gross_m2 == pytest.approx(geod_area(piece.geometry), rel=1e-6)
    assert piece.geometry.equals(cell(0, 0, 1, 1))


def test_boundary_over_two_parcels_splits_by_class_and_agrees_with_geod():
    paddy, wood = cell(0, 0, 2, 1), cell(2, 0, 4, 1)
    layer = dltb([(paddy, "0101", 0.05), (wood, "0301", 0.0)])
    boundary = cell(1, 0.2, 3, 0.8)
    result = overlay(boundary, layer)[0]
    expect_paddy = geod_area(cell(1, 0.2, 2, 0.8))
    expect_wood = geod_area(cell(2, 0.2, 3, 0.8))
    assert result.by_code["0101"].gross_m2 == pytest.approx(expect_paddy, rel=1e-6)
    assert result.by_code["0301"].gross_m2 == pytest.approx(expect_wood, rel=1e-6)
    assert result.by_code["0101"].net_m2 == pytest.approx(0.95 * expect_paddy, rel=1e-6)
    assert result.by_code["0301"].net_m2 == result.by_code["0301"].gross_m2
    assert set(result.by_level1) == {"01", "03"}
    assert set(result.by_big_class) == {"agricultural"}
    assert result.by_big_class["agricultural"].gross_m2 == pytest.approx(result.gross_m2, rel=1e-9)
    assert sum(c.gross_m2 for c in result.by_code.values()) == pytest.approx(result.gross_m2, rel=1e-9)
    assert result.farmland_gross_m2 == pytest.approx(expect_paddy, rel=1e-6)
    assert list(result.pieces.dlbm) == ["0101", "0301"]
    for piece in result.pieces:
        assert piece.raw_m2 == pytest.approx(geod_area(piece.geometry), rel=1e-6)
    assert result.warnings == ()


def test_big_classes_and_wetland_first_level_class():
    layer = dltb([(cell(0, 0, 1, 1), "0702", 0), (cell(1, 0, 2, 1), "1106", 0), (cell(2, 0, 3, 1), "0102", 0.02)])
    result = overlay(cell(0, 0, 3, 1), layer)[0]
    assert set(result.by_big_class) == {"agricultural", "construction", "unused"}
    assert result.by_level1["00"].gross_m2 == pytest.approx(area(cell(1, 0, 2, 1)), rel=1e-9)  # 内陆滩涂 → 湿地
    assert str(result.by_level1["00"].label) == "湿地"
    assert result.by_big_class["construction"].gross_m2 == pytest.approx(area(cell(0, 0, 1, 1)), rel=1e-9)


def test_parcels_wholly_inside_keep_their_own_area_and_match_clipping():
    inner = cell(1, 1, 2, 2)
    layer = dltb([(inner, "0102", 0.0), (cell(0, 0, 3, 1), "0102", 0.0)])
    result = overlay(cell(0.5, 0.5, 2.5, 2.5), layer)[0]
    whole = result.pieces.whole
    assert whole.tolist() == [True, False]
    assert result.pieces.raw_m2[0] == area(inner)
    assert result.pieces.raw_m2[0] == pytest.approx(area(shapely.intersection(cell(0.5, 0.5, 2.5, 2.5), inner)),
                                                    abs=1e-6)


def test_class_areas_add_up_to_a_long_edged_boundary_after_adjustment():
    """A boundary with 1–2 km diagonal edges: the series is not additive over split edges, so clipped
    areas are adjusted (面积平差) to the official boundary area; the adjustment stays tiny."""
    layer = synthetic_dltb(3000, seed=5)
    boundary = Polygon([(115.45, 36.50), (115.47, 36.505), (115.465, 36.52), (115.448, 36.515)])
    result = overlay(boundary, layer)[0]
    assert result.area_adjustment != 1.0 and abs(result.area_adjustment - 1) < 1e-4
    assert sum(c.gross_m2 for c in result.by_code.values()) == pytest.approx(result.gross_m2, rel=1e-9)
    assert result.uncovered_m2 < 0.01 and result.warnings == ()


# --- synthetic county: totals and independent checks -------------------------------------------------------


@pytest.fixture(scope="module")
def county() -> DltbLayer:
    return synthetic_dltb(4000, seed=11)


def _random_boundaries(count: int, seed: int) -> list[Polygon]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        cx = rng.uniform(GUANXIAN_BBOX[0] + 0.02, GUANXIAN_BBOX[2] - 0.02)
        cy = rng.uniform(GUANXIAN_BBOX[1] + 0.02, GUANXIAN_BBOX[3] - 0.02)
        angles = np.sort(rng.uniform(0, 2 * np.pi, 8))
        radii = rng.uniform(0.004, 0.01, 8)
        poly = Polygon(np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)]))
        if poly.is_valid:
            out.append(poly)
    return out


def test_class_areas_sum_to_the_boundary_when_dltb_tiles_it(county):
    for result in overlay(_random_boundaries(6, seed=1), county):
        total = result.gross_m2
        assert sum(c.gross_m2 for c in result.by_code.values()) == pytest.approx(total, rel=1e-6)
        assert sum(c.gross_m2 for c in result.by_level1.values()) == pytest.approx(total, rel=1e-6)
        assert sum(c.gross_m2 for c in result.by_big_class.values()) == pytest.approx(total, rel=1e-6)
        assert sum(c.net_m2 for c in result.by_code.values()) + result.tiankan_m2 == pytest.approx(total, rel=1e-6)
        assert result.pieces.gross_m2.sum() == pytest.approx(result.dltb_m2, rel=1e-12)
        assert result.warnings == ()


def test_figures_agree_with_an_independent_computation(county):
    """Independently: clip with shapely one parcel at a time, group by DLBM in Python, and measure each
    piece twice — with the official series (core.geodesy) and with pyproj's geodesic area.

    The boundary is given with short (≤ ~20 m) edges, as surveyed boundaries are, so its official area
    needs no 平差 (a long-edged one differs by area_adjustment, tested above).

    Against the series the engine must agree to 1e-9 (same formula, independent clipping and grouping).
    Against Geod, totals agree to 1e-6 (interior edges cancel), but single classes only to ~1e-4 here:
    the series models an edge by its mean longitude, Geod by a geodesic, and on the long diagonal edges of
    this coarse synthetic county (cells ~600 m) the two differ by ~1e-5 of a parcel's area. The hand-built
    tests above, with short edges, agree with Geod to 1e-6 piece by piece.
    """
    boundary = shapely.segmentize(_random_boundaries(1, seed=2)[0], 0.0002)
    result = overlay(boundary, county)[0]
    assert abs(result.area_adjustment - 1) < 1e-8
    series: dict[str, float] = {}
    geodesic: dict[str, float] = {}
    for geom, code in zip(county.geometry, county.dlbm, strict=True):
        if geom.intersects(boundary):
            piece = boundary.intersection(geom)
            if piece.area > 0:
                series[code] = series.get(code, 0.0) + area(piece)
                geodesic[code] = geodesic.get(code, 0.0) + geod_area(piece)
    assert set(result.by_code) == {code for code, value in series.items() if value >= 0.01}
    for code, value in series.items():
        if value > 1.0:
            assert result.by_code[code].gross_m2 == pytest.approx(value, rel=1e-9), code
            assert result.by_code[code].gross_m2 == pytest.approx(geodesic[code], rel=1e-4), code
    assert result.dltb_m2 == pytest.approx(sum(geodesic.values()), rel=1e-6)
    assert result.gross_m2 == pytest.approx(geod_area(boundary), rel=1e-6)
    geod_total = sum(geod_area(g) for g in result.pieces.geometry)
    assert result.pieces.raw_m2.sum() == pytest.approx(geod_total, rel=1e-6)


def test_net_farmland_is_gross_minus_each_parcels_kcxs(county):
    result = overlay(_random_boundaries(1, seed=3)[0], county)[0]
    pieces = result.pieces
    farm = np.char.startswith(pieces.dlbm.astype(str), "01")
    assert result.farmland_gross_m2 == pytest.approx(pieces.gross_m2[farm].sum(), rel=1e-12)
    assert result.farmland_net_m2 == pytest.approx((pieces.gross_m2 * (1 - pieces.kcxs))[farm].sum(), rel=1e-12)
    assert np.array_equal(pieces.kcxs, county.kcxs[pieces.dltb_index])


def test_many_boundaries_at_once_equal_one_at_a_time(county):
    boundaries = _random_boundaries(4, seed=4)
    together = overlay(boundaries, county)
    for boundary, joint in zip(boundaries, together, strict=True):
        (alone,) = overlay(boundary, county)
        assert {**alone.to_dict(), "boundary_index": None} == {**joint.to_dict(), "boundary_index": None}


# --- control layers and verdicts ------------------------------------------------------------------


def test_overlapping_basic_farmland_polygons_count_once():
    layer = dltb([(cell(0, 0, 4, 1), "0102", 0.0)])
    bf = control(ControlKind.BASIC_FARMLAND, cell(0, 0, 2, 1), cell(1, 0, 3, 1))
    assert bf.overlapping.tolist() == [True, True]
    boundary = cell(0.5, 0.2, 3.5, 0.8)
    result = overlay(boundary, layer, {"永农": bf})[0]
    expected = geod_area(cell(0.5, 0.2, 3, 0.8))
    assert result.controls["永农"].inside_m2 == pytest.approx(expected, rel=1e-6)
    assert result.controls["永农"].inside_pieces.size == 2  # both polygons are highlighted
    flag = result.flag(Verdict.OCCUPIES_BASIC_FARMLAND)
    assert flag is not None and flag.area_m2 == pytest.approx(expected, rel=1e-6) and flag.layers == ("永农",)
    assert result.controls["永农"].outside_m2 is None  # not a coverage kind


def test_duplicated_control_polygon_counts_once():
    layer = dltb([(cell(0, 0, 2, 1), "0102", 0.0)])
    bf = control(ControlKind.BASIC_FARMLAND, cell(0, 0, 1, 1), cell(0, 0, 1, 1))
    result = overlay(cell(0, 0, 2, 1), layer, {"bf": bf})[0]
    assert result.controls["bf"].inside_m2 == pytest.approx(area(cell(0, 0, 1, 1)), rel=1e-9)


def test_boundary_partly_outside_the_development_boundary_is_flagged_with_that_area():
    layer = dltb([(cell(0, 0, 4, 1), "0102", 0.0)])
    dev = control(ControlKind.DEV_BOUNDARY, cell(0, 0, 2, 1))
    boundary = cell(1.5, 0.2, 3, 0.8)
    result = overlay(boundary, layer, {"开发边界": dev})[0]
    outside = geod_area(cell(2, 0.2, 3, 0.8))
    flag = result.flag(Verdict.OUTSIDE_DEV_BOUNDARY)
    assert flag is not None and flag.area_m2 == pytest.approx(outside, rel=1e-6)
    c = result.controls["开发边界"]
    assert c.outside_m2 == pytest.approx(outside, rel=1e-6)
    assert c.inside_m2 + c.outside_m2 == pytest.approx(result.gross_m2, rel=1e-9)
    assert c.outside_geometry.equals(cell(2, 0.2, 3, 0.8))
    assert str(flag.label) == "位于城镇开发边界外"


def test_boundary_inside_the_development_boundary_is_not_flagged():
    layer = dltb([(cell(0, 0, 4, 1), "0102", 0.0)])
    dev = control(ControlKind.DEV_BOUNDARY, cell(0, 0, 2, 1))
    result = overlay(cell(0, 0, 2, 1), layer, {"dev": dev})[0]  # identical edges: only float noise outside
    assert not result.has(Verdict.OUTSIDE_DEV_BOUNDARY)
    assert result.controls["dev"].outside_m2 == 0.0


def test_boundary_fully_covered_by_approved_land_is_not_flagged():
    layer = dltb([(cell(0, 0, 4, 1), "0102", 0.0)])
    # Two adjacent 批次 plus an overlapping third, together covering the boundary.
    approved = control(ControlKind.APPROVED, cell(0, 0, 1.5, 1), cell(1.5, 0, 3, 1), cell(1, 0.3, 2, 0.6))
    result = overlay(cell(0.5, 0.1, 2.7, 0.9), layer, {"已批": approved})[0]
    assert not result.has(Verdict.NOT_COVERED_BY_APPROVAL)
    assert result.controls["已批"].inside_m2 == pytest.approx(result.gross_m2, rel=1e-9)
    assert result.controls["已批"].outside_m2 == 0.0


def test_boundary_equal_to_a_slanted_approval_is_covered():
    triangle = Polygon([(X0, Y0), (X0 + 0.0123, Y0 + 0.0047), (X0 + 0.0031, Y0 + 0.0089)])
    layer = dltb([(box(X0 - 0.001, Y0 - 0.001, X0 + 0.02, Y0 + 0.02), "0103", 0.0)])
    result = overlay(triangle, layer, {"a": control(ControlKind.APPROVED, triangle)})[0]
    assert not result.has(Verdict.NOT_COVERED_BY_APPROVAL)


def test_partly_approved_boundary_reports_the_uncovered_area():
    layer = dltb([(cell(0, 0, 4, 1), "0102", 0.0)])
    approved = control(ControlKind.APPROVED, cell(0, 0, 1, 1))
    result = overlay(cell(0, 0, 3, 1), layer, {"a": approved})[0]
    flag = result.flag(Verdict.NOT_COVERED_BY_APPROVAL)
    assert flag is not None and flag.area_m2 == pytest.approx(geod_area(cell(1, 0, 3, 1)), rel=1e-6)


def test_eco_redline_and_verdict_order_and_not_evaluated():
    layer = dltb([(cell(0, 0, 4, 1), "0102", 0.0)])
    controls = {
        "bf": control(ControlKind.BASIC_FARMLAND, cell(0, 0, 1, 1)),
        "eco": control(ControlKind.ECO_REDLINE, cell(3, 0, 4, 1)),
    }
    result = overlay(cell(0, 0, 4, 1), layer, controls)[0]
    assert [f.verdict for f in result.verdicts] == [
        Verdict.OCCUPIES_BASIC_FARMLAND, Verdict.TOUCHES_ECO_REDLINE, Verdict.OCCUPIES_FARMLAND]
    assert result.not_evaluated == (Verdict.OUTSIDE_DEV_BOUNDARY, Verdict.NOT_COVERED_BY_APPROVAL)
    assert [str(f.label) for f in result.verdicts] == ["占用永久基本农田", "涉及生态保护红线", "占用耕地"]


def test_two_layers_of_one_kind_are_judged_on_their_union():
    layer = dltb([(cell(0, 0, 4, 1), "0702", 0.0)])
    controls = {"批次1": control(ControlKind.APPROVED, cell(0, 0, 2, 1)),
                "批次2": control(ControlKind.APPROVED, cell(1, 0, 4, 1))}
    result = overlay(cell(0, 0, 4, 1), layer, controls)[0]
    assert not result.has(Verdict.NOT_COVERED_BY_APPROVAL)
    assert result.controls["批次1"].outside_m2 > 0 and result.controls["批次2"].outside_m2 > 0
    assert not result.has(Verdict.OCCUPIES_FARMLAND)


# --- tolerance ---------------------------------------------------------------------------------------


def test_sliver_below_tolerance_raises_no_flag():
    eps = 1e-10  # degrees of longitude: a 111 m × 0.009 mm strip, ≈ 0.001 m²
    layer = dltb([(cell(0, 0, 1, 1), "0101", 0.0), (cell(1, 0, 2, 1), "0702", 0.0)])
    controls = {"bf": control(ControlKind.BASIC_FARMLAND, cell(0, 0, 1, 1)),
                "dev": control(ControlKind.DEV_BOUNDARY, box(X0 + DX - eps, Y0, X0 + 2 * DX, Y0 + DY))}
    boundary = box(X0 + DX - eps, Y0, X0 + 2 * DX, Y0 + DY)  # overlaps the paddy and the BF by the strip
    result = overlay(boundary, layer, controls)[0]
    assert not result.has(Verdict.OCCUPIES_BASIC_FARMLAND)
    assert not result.has(Verdict.OCCUPIES_FARMLAND)
    assert not result.has(Verdict.OUTSIDE_DEV_BOUNDARY)
    assert set(result.by_code) == {"0702"}
    assert 0 < result.sliver_m2 < 0.01
    assert result.controls["bf"].inside_m2 == 0.0
    strict = overlay(boundary, layer, controls, sliver_tolerance_m2=0.0)[0]
    assert strict.has(Verdict.OCCUPIES_BASIC_FARMLAND) and strict.has(Verdict.OCCUPIES_FARMLAND)
    assert strict.flag(Verdict.OCCUPIES_FARMLAND).area_m2 == pytest.approx(result.sliver_m2, rel=1e-3)


def test_pieces_that_only_touch_are_not_reported():
    layer = dltb([(cell(0, 0, 1, 1), "0101", 0.0), (cell(1, 0, 2, 1), "0301", 0.0)])
    result = overlay(cell(1, 0, 2, 1), layer, sliver_tolerance_m2=0.0)[0]
    assert list(result.pieces.dlbm) == ["0301"] and result.sliver_m2 == 0.0


# --- KCXS ----------------------------------------------------------------------------------------------


def test_kcxs_percent_equals_fraction():
    parcels = [cell(0, 0, 1, 1), cell(1, 0, 2, 1)]
    as_percent = dltb([(parcels[0], "0102", 8), (parcels[1], "0103", 8.5)])
    as_fraction = dltb([(parcels[0], "0102", 0.08), (parcels[1], "0103", 0.085)])
    assert as_percent.kcxs.tolist() == pytest.approx([0.08, 0.085], abs=1e-15)
    a, b = (overlay(cell(0.5, 0, 1.5, 1), layer)[0] for layer in (as_percent, as_fraction))
    assert a.farmland_net_m2 == pytest.approx(b.farmland_net_m2, rel=1e-14)
    assert a.tiankan_m2 == pytest.approx(b.tiankan_m2, rel=1e-12)


def test_kcxs_units_explicit_and_per_value():
    assert normalize_kcxs([8, 0.5], unit="percent").tolist() == pytest.approx([0.08, 0.005])
    assert normalize_kcxs([0.08, 8], unit="per_value").tolist() == pytest.approx([0.08, 0.08])
    assert normalize_kcxs([0, 0.2], unit="fraction").tolist() == [0, 0.2]
    assert normalize_kcxs([1, 12], unit="auto").tolist() == pytest.approx([0.01, 0.12])  # a lone 1 is 1 %


def test_invalid_kcxs_1_5_names_the_feature():
    parcels = [(cell(i, 0, i + 1, 1), "0102", k) for i, k in enumerate([0.08, 0.1, 1.5, 0.0])]
    with pytest.raises(LayerDataError) as err:
        dltb(parcels)  # a fraction layer with one value ≥ 1: not guessed as 1.5 %
    assert err.value.feature_indices == [2] and err.value.field == "KCXS"
    assert "索引 2" in str(err.value) and "1.5" in str(err.value)
    with pytest.raises(LayerDataError) as err:
        dltb(parcels, kcxs_unit="fraction")
    assert err.value.feature_indices == [2] and "0 ≤ KCXS < 1" in str(err.value)


def test_kcxs_out_of_range_after_normalisation_and_bsm_in_message():
    parcels = [(cell(i, 0, i + 1, 1), "0102", k) for i, k in enumerate([8, 150, 12])]
    with pytest.raises(LayerDataError) as err:
        dltb(parcels, attributes={"BSM": np.array(["A1", "A2", "A3"])})
    assert err.value.feature_indices == [1]
    assert "A2" in str(err.value)
    with pytest.raises(LayerDataError) as err:
        dltb([(cell(0, 0, 1, 1), "0102", -0.01)])
    assert err.value.feature_indices == [0]


def test_missing_kcxs_is_an_error_on_farmland_and_zero_elsewhere():
    with pytest.raises(LayerDataError) as err:
        dltb([(cell(0, 0, 1, 1), "0301", None), (cell(1, 0, 2, 1), "0101", None)])
    assert err.value.feature_indices == [1]
    layer = dltb([(cell(0, 0, 1, 1), "0301", None), (cell(1, 0, 2, 1), "0101", 0.1)])
    assert layer.kcxs.tolist() == [0.0, 0.1]


# --- input checks --------------------------------------------------------------------------------------


def test_unknown_dlbm_names_features():
    with pytest.raises(LayerDataError) as err:
        dltb([(cell(0, 0, 1, 1), "0101", 0), (cell(1, 0, 2, 1), "1301", 0), (cell(2, 0, 3, 1), "0100", 0)])
    assert err.value.feature_indices == [1, 2] and err.value.field == "DLBM"
    assert "1301" in str(err.value) and "0100" in str(err.value)


def test_invalid_boundaries_are_refused_naming_them():
    layer = dltb([(cell(0, 0, 1, 1), "0101", 0)])
    bowtie = Polygon([(X0, Y0), (X0 + DX, Y0 + DY), (X0 + DX, Y0), (X0, Y0 + DY)])
    with pytest.raises(LayerDataError) as err:
        overlay([cell(0, 0, 1, 1), bowtie], layer)
    assert err.value.feature_indices == [1]
    projected = box(39520000, 4040000, 39520100, 4040200)  # EPSG:4527 metres passed by mistake
    with pytest.raises(LayerDataError, match="经纬度"):
        overlay(projected, layer)
    with pytest.raises(LayerDataError):
        overlay(shapely.LineString([(X0, Y0), (X0 + DX, Y0)]), layer)


def test_gaps_in_the_dltb_are_reported():
    layer = dltb([(cell(0, 0, 1, 1), "0101", 0)])
    result = overlay(cell(0, 0, 2, 1), layer)[0]
    assert result.uncovered_m2 == pytest.approx(area(cell(1, 0, 2, 1)), rel=1e-9)
    assert len(result.warnings) == 1 and "未覆盖" in result.warnings[0]


# --- units and output ---------------------------------------------------------------------------------


def test_units_use_the_report_rounding():
    layer = dltb([(cell(0, 0, 3, 2), "0102", 0.1)])
    result = overlay(cell(0, 0, 3, 2), layer)[0]
    assert result.gross_ha == hectares(result.gross_m2)
    assert result.gross_mu == mu(result.gross_m2)
    row = result.by_code["0102"]
    assert (row.gross_ha, row.net_mu) == (hectares(row.gross_m2), mu(row.net_m2))
    data = result.to_dict()
    assert data["gross"] == {"m2": round(result.gross_m2, 2), "ha": hectares(result.gross_m2),
                             "mu": mu(result.gross_m2), "wan_mu": pytest.approx(result.gross_m2 / (2e7 / 3), abs=1e-4)}
    assert data["by_code"][0]["label"] == "水浇地"
    assert data["verdicts"][0]["label"] == "占用耕地"


def test_multipart_boundary_with_a_hole():
    layer = dltb([(cell(0, 0, 2, 2), "0102", 0.1), (cell(2, 0, 4, 2), "0702", 0.0)])
    holed = Polygon(cell(0, 0, 2, 2).exterior.coords, [cell(0.5, 0.5, 1.5, 1.5).exterior.coords])
    boundary = shapely.MultiPolygon([holed, cell(3, 0, 4, 1)])
    bf = control(ControlKind.BASIC_FARMLAND, cell(0, 0, 1, 2), cell(3.5, 0, 4, 2))
    result = overlay(boundary, layer, {"bf": bf})[0]
    assert result.gross_m2 == pytest.approx(area(cell(0, 0, 2, 2)) - area(cell(0.5, 0.5, 1.5, 1.5))
                                            + area(cell(3, 0, 4, 1)), rel=1e-9)
    assert result.by_code["0102"].gross_m2 == pytest.approx(area(holed), rel=1e-9)
    assert result.by_code["0702"].gross_m2 == pytest.approx(area(cell(3, 0, 4, 1)), rel=1e-9)
    expected_bf = area(cell(0, 0, 1, 2)) - area(cell(0.5, 0.5, 1, 1.5)) + area(cell(3.5, 0, 4, 1))
    assert result.controls["bf"].inside_m2 == pytest.approx(expected_bf, rel=1e-9)
    assert sorted(result.controls["bf"].feature_index.tolist()) == [0, 1]
