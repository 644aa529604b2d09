"""The overlay service against the demo layers in the database: the same figures as the pure engine run on
the whole layer in memory, official areas that add up, the scope rule, and the patch classification."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from landguard.analysis import selectors, services
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import scope_for
from landguard.engine.checks import LayerDataError
from landguard.engine.kinds import Verdict
from landguard.engine.layers import ControlLayer, DltbLayer
from landguard.engine.overlay import overlay
from landguard.layers.models import Feature, LayerKind, LayerVersion
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db

M = 1 / 111_000  # ~1 m in degrees of latitude (and ~1.25 m of longitude here)


def square(cx: float, cy: float, half_m: float) -> Polygon:
    return box(cx - half_m * 1.25 * M, cy - half_m * M, cx + half_m * 1.25 * M, cy + half_m * M)


def outline(code: str) -> shapely.Geometry:
    return shapely.from_wkb(bytes(Region.objects.get(code=code, retired_in__isnull=True).geom.wkb))


def layers(scope) -> tuple[LayerVersion, list[LayerVersion]]:
    versions = list(selectors.overlay_versions(scope))
    dltb = next(v for v in versions if v.layer.kind == LayerKind.DLTB and v.layer.region_code == "371525")
    return dltb, [v for v in versions if v.layer.kind != LayerKind.DLTB and v.layer.region_code == "371525"]


def whole(version: LayerVersion, region_prefix: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every feature of a version (optionally of one region), straight from the table: pk, geometry, code, kcxs."""
    rows = list(Feature.objects.filter(version=version, region_code__startswith=region_prefix).order_by("pk")
                .values_list("pk", "geom", "code", "kcxs"))
    pk, geom, code, kcxs = zip(*rows, strict=True) if rows else ((), (), (), ())
    geometry = np.empty(len(geom), dtype=object)
    geometry[:] = [shapely.from_wkb(bytes(g.wkb)) for g in geom]
    return np.array(pk, dtype=np.int64), geometry, np.array(code, dtype=object), np.array(kcxs, dtype=float)


def engine_on_whole_layers(boundaries, dltb: LayerVersion, controls: list[LayerVersion], region_prefix: str = ""):
    """overlay() on the complete layers, areas and overlap flags computed by the engine itself."""
    pk, geom, code, kcxs = whole(dltb, region_prefix)
    layer = DltbLayer(geom, code, kcxs=kcxs, kcxs_unit="fraction")
    control_layers, control_pks = {}, {}
    names = services.control_names(controls)
    for version in controls:
        cpk, cgeom, _code, _kcxs = whole(version, region_prefix)
        control_layers[names[version.pk]] = ControlLayer(version.layer.control_kind, cgeom)
        control_pks[names[version.pk]] = cpk
    return overlay(boundaries, layer, control_layers), pk, control_pks


@pytest.fixture
def county_scope(county_admin):
    return scope_for(county_admin)


def boundaries_for_comparison() -> list[shapely.Geometry]:
    county = outline("371525")
    centre = shapely.point_on_surface(county)
    eco = shapely.from_wkb(bytes(Feature.objects.get(version__layer__slug="371525-eco_redline").geom.wkb))
    eco_point = shapely.point_on_surface(eco)
    big = Polygon([(115.44, 36.51), (115.4594, 36.5115), (115.4604, 36.5256), (115.4412, 36.5251)])  # ~300 ha, skewed
    return [
        big,
        square(centre.x, centre.y, 30),  # ~0.4 ha, likely inside one parcel
        square(eco_point.x, eco_point.y, 50),  # inside the long 生态保护红线 polygon's bounding box
        shapely.MultiPolygon([square(115.52, 36.45, 200), square(115.53, 36.46, 120)]),
        shapely.intersection(county, square(115.27, 36.55, 3000)),  # on the county's edge
    ]


def test_service_gives_the_engines_figures_on_the_whole_layer(county_scope):
    dltb, controls = layers(county_scope)
    boundaries = [b for b in boundaries_for_comparison() if not b.is_empty]
    got = services.overlay_boundaries(scope=county_scope, boundaries=boundaries, dltb=dltb, controls=controls)
    want, dltb_pk, control_pks = engine_on_whole_layers(boundaries, dltb, controls)
    assert len(got) == len(want) == len(boundaries)
    for g, w in zip(got, want, strict=True):
        assert g.boundary_index == w.boundary_index
        for attr in ("gross_m2", "dltb_m2", "farmland_gross_m2", "farmland_net_m2", "tiankan_m2", "uncovered_m2",
                     "sliver_m2"):
            assert getattr(g, attr) == pytest.approx(getattr(w, attr), abs=1e-6), attr
        for table in ("by_code", "by_level1", "by_big_class"):
            gt, wt = getattr(g, table), getattr(w, table)
            assert list(gt) == list(wt), table
            for key in gt:
                assert gt[key].gross_m2 == pytest.approx(wt[key].gross_m2, abs=1e-6)
                assert gt[key].net_m2 == pytest.approx(wt[key].net_m2, abs=1e-6)
        # The same parcels were cut: the service names them by primary key.
        assert sorted(g.pieces.dltb_index) == sorted(dltb_pk[w.pieces.dltb_index])
        assert set(g.controls) == set(w.controls)
        for name, c in g.controls.items():
            assert c.inside_m2 == pytest.approx(w.controls[name].inside_m2, abs=1e-6), name
            assert (c.outside_m2 is None) == (w.controls[name].outside_m2 is None)
            if c.outside_m2 is not None:
                assert c.outside_m2 == pytest.approx(w.controls[name].outside_m2, abs=1e-6)
            assert sorted(c.feature_index) == sorted(control_pks[name][w.controls[name].feature_index])
        assert [(f.verdict, round(f.area_m2, 6)) for f in g.verdicts] == [(f.verdict, round(f.area_m2, 6))
            for f in w.verdicts]
    # The boundary inside the red line's bounding box meets the red line (a bbox lookup that misses features
    # whose box contains the query box would lose it).
    assert got[2].has(Verdict.TOUCHES_ECO_REDLINE)


def test_official_areas_add_up(county_scope):
    dltb, controls = layers(county_scope)
    boundaries = [b for b in boundaries_for_comparison() if not b.is_empty]
    for b, r in zip(boundaries,
        services.overlay_boundaries(scope=county_scope, boundaries=boundaries, dltb=dltb, controls=controls),
        strict=True):
        assert r.gross_m2 == pytest.approx(float(ellipsoidal_area_m2(b)[0]), abs=1e-6)
        covered = r.gross_m2 - r.uncovered_m2 - r.sliver_m2
        for table in (r.by_code, r.by_level1, r.by_big_class):
            assert sum(c.gross_m2 for c in table.values()) == pytest.approx(covered, abs=0.01)
            assert sum(c.net_m2 for c in table.values()) == pytest.approx(covered - r.tiankan_m2, abs=0.01)
        assert r.farmland_gross_m2 - r.farmland_net_m2 <= r.tiankan_m2 + 1e-6
        for c in r.controls.values():
            if c.outside_m2 is not None:
                assert c.inside_m2 + c.outside_m2 == pytest.approx(r.gross_m2, abs=0.01)
    # The skewed ~300 ha boundary lies wholly on the survey: Σ classes is its official area to the cent.
    big = services.overlay_boundaries(scope=county_scope, boundaries=boundaries[:1], dltb=dltb)[0]
    assert 2_700_000 < big.gross_m2 < 3_200_000
    assert sum(c.gross_m2 for c in big.by_code.values()) == pytest.approx(big.gross_m2, abs=0.01)


def test_results_keep_the_order_of_boundaries_spread_over_chunks(county_scope):
    dltb, controls = layers(county_scope)
    rng = np.random.default_rng(3)
    county = outline("371525")
    points = shapely.points(rng.uniform(115.30, 115.75, 400), rng.uniform(36.38, 36.68, 400))
    points = points[shapely.within(points, county)][:60]
    boundaries = [square(p.x, p.y, 40) for p in points]
    assert len(services._chunks(np.array(boundaries, dtype=object))) > 3  # several spatial chunks
    together = services.overlay_boundaries(scope=county_scope, boundaries=boundaries, dltb=dltb, controls=controls)
    for i in (0, 17, 59):
        alone = services.overlay_boundaries(scope=county_scope, boundaries=[boundaries[i]], dltb=dltb,
                                            controls=controls)[0]
        assert together[i].boundary_index == i
        assert together[i].gross_m2 == pytest.approx(alone.gross_m2, abs=1e-9)
        assert together[i].farmland_net_m2 == pytest.approx(alone.farmland_net_m2, abs=1e-6)
        assert together[i].verdicts == alone.verdicts


def test_a_boundary_outside_the_scope_is_refused(township_officer, other_county_user, county_admin):
    officer = scope_for(township_officer)
    dltb, controls = layers(scope_for(county_admin))
    qingquan = outline("371525001")
    inside = square(*shapely.point_on_surface(qingquan).coords[0], 100)
    elsewhere = square(115.55, 36.56, 100)  # 万善镇
    result = services.overlay_boundaries(scope=officer, boundaries=[inside], dltb=dltb, controls=controls)
    assert result[0].gross_m2 > 0
    with pytest.raises(services.OverlayError) as refused:
        services.overlay_boundaries(scope=officer, boundaries=[inside, elsewhere], dltb=dltb)
    assert refused.value.boundary_indices == [1]
    assert "超出您的数据范围（清泉街道）" in refused.value.describe()
    assert refused.value.describe(["地块甲", "地块乙"]).startswith("地块乙：")
    with pytest.raises(services.OverlayError):
        services.overlay_boundaries(scope=scope_for(other_county_user), boundaries=[inside], dltb=dltb)


def test_the_scope_check_allows_about_50_m_over_the_line(township_officer, county_admin):
    officer = scope_for(township_officer)
    dltb, _controls = layers(scope_for(county_admin))
    qingquan = outline("371525001")
    x0, y0, x1, y1 = shapely.bounds(qingquan)
    # A strip along the township's east edge, reaching 30 m (then 80 m) beyond its easternmost point.
    east = shapely.get_coordinates(qingquan)[np.argmax(shapely.get_coordinates(qingquan)[:, 0])]
    strip = lambda metres: box(east[0] - 200 * 1.25 * M, east[1] - 20 * M, east[0] + metres * 1.25 * M,
                               east[1] + 20 * M)  # noqa: E731
    assert services.overlay_boundaries(scope=officer, boundaries=[strip(30)], dltb=dltb)[0].gross_m2 > 0
    with pytest.raises(services.OverlayError):
        services.overlay_boundaries(scope=officer, boundaries=[strip(80)], dltb=dltb)


def test_a_township_officer_analyses_with_their_townships_parcels_only(township_officer, county_admin):
    officer = scope_for(township_officer)
    dltb, controls = layers(scope_for(county_admin))
    qingquan = outline("371525001")
    x0, y0, x1, y1 = shapely.bounds(qingquan)
    boundary = shapely.intersection(qingquan, box(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2))
    got = services.overlay_boundaries(scope=officer, boundaries=[boundary], dltb=dltb, controls=controls)[0]
    want, dltb_pk, _pks = engine_on_whole_layers([boundary], dltb, controls, region_prefix="371525001")
    assert got.dltb_m2 == pytest.approx(want[0].dltb_m2, abs=1e-6)
    assert sorted(got.pieces.dltb_index) == sorted(dltb_pk[want[0].pieces.dltb_index])
    officer_codes = set(Feature.objects.filter(pk__in=got.pieces.dltb_index).values_list("region_code", flat=True))
    assert officer_codes and all(code.startswith("371525001") for code in officer_codes)


def test_bad_boundaries_and_layers_are_refused_with_a_clear_message(county_scope):
    dltb, controls = layers(county_scope)
    bow_tie = Polygon([(115.44, 36.51), (115.45, 36.52), (115.45, 36.51), (115.44, 36.52)])
    with pytest.raises(services.OverlayError) as invalid:
        services.overlay_boundaries(scope=county_scope, boundaries=[square(115.45, 36.52, 50), bow_tie], dltb=dltb)
    assert invalid.value.boundary_indices == [1]
    assert invalid.value.describe().startswith("第 2 个边界：几何无效：") and "位置" in invalid.value.describe()
    with pytest.raises(services.OverlayError, match="不是地类图斑图层"):
        services.overlay_boundaries(scope=county_scope, boundaries=[square(115.45, 36.52, 50)], dltb=controls[0])
    with pytest.raises(services.OverlayError, match="不是管控图层"):
        services.overlay_boundaries(scope=county_scope, boundaries=[square(115.45, 36.52, 50)], dltb=dltb,
                                    controls=[dltb])


def test_choose_layers_defaults_to_the_layers_the_boundaries_reach(county_scope, county_admin):
    from landguard.people.models import User

    dltb, controls = services.choose_layers(county_scope, boundaries=np.array([square(115.45, 36.52, 50)]))
    assert dltb.layer.slug == "371525-dltb" and {v.layer.kind for v in controls} >= {"basic_farmland", "approved"}
    city = scope_for(User.objects.get(username="liaocheng_admin"))  # sees 冠县 and 莘县
    with pytest.raises(services.OverlayError, match="有多个地类图斑图层"):
        services.choose_layers(city)
    dltb, controls = services.choose_layers(city, boundaries=np.array([square(115.45, 36.52, 50)]))
    assert dltb.layer.slug == "371525-dltb" and all(v.layer.region_code == "371525" for v in controls)
    dltb, controls = services.choose_layers(county_scope, slugs=["371525-dltb", "371525-basic_farmland"])
    assert [v.layer.slug for v in controls] == ["371525-basic_farmland"]
    with pytest.raises(services.OverlayError, match="371522-dltb"):  # another county's layer is "not found"
        services.choose_layers(county_scope, slugs=["371522-dltb"])


def test_boundaries_from_geojson_accept_geometry_feature_and_collection():
    geometry = {"type": "Polygon",
                "coordinates": [[[115.44, 36.51], [115.45, 36.51], [115.45, 36.52], [115.44, 36.51]]]}
    assert len(services.boundaries_from_geojson(geometry).geometries) == 1
    feature = {"type": "Feature", "properties": {"BSM": "A1"}, "geometry": geometry}
    collection = {"type": "FeatureCollection", "features": [feature, {**feature, "properties": {"BSM": "A2"}}]}
    read = services.boundaries_from_geojson(collection)
    assert len(read.geometries) == 2 and "A2" in read.labels[1]
    with pytest.raises(services.OverlayError, match="不是面"):
        services.boundaries_from_geojson({"type": "LineString", "coordinates": [[115.44, 36.51], [115.45, 36.52]]})
    with pytest.raises(services.OverlayError, match="GeoJSON"):
        services.boundaries_from_geojson(["not", "geojson"])


def test_a_boundary_is_called_by_its_own_name_where_the_file_gives_one():
    geometry = {"type": "Polygon",
                "coordinates": [[[115.44, 36.51], [115.45, 36.51], [115.45, 36.52], [115.44, 36.51]]]}
    features = [{"type": "Feature", "properties": {"BSM": "A1", "XMMC": "冠县物流园一期"}, "geometry": geometry},
                {"type": "Feature", "properties": {"BSM": "A2", "XMMC": ""}, "geometry": geometry}]
    read = services.boundaries_from_geojson({"type": "FeatureCollection", "features": features})
    assert read.labels[0] == "冠县物流园一期"
    assert read.labels[1] == "第 2 个要素（BSM A2）"  # no name of its own: its position and identifier
    named = [{"type": "Feature", "properties": {"名称": "东区地块"}, "geometry": geometry}]
    assert services.boundaries_from_geojson({"type": "FeatureCollection", "features": named}).labels == ["东区地块"]


def test_classify_patches_gives_the_overlay_figures_per_patch(county_scope):
    dltb, controls = layers(county_scope)
    basic = next(v for v in controls if v.layer.kind == LayerKind.BASIC_FARMLAND)
    approved = next(v for v in controls if v.layer.kind == LayerKind.APPROVED)
    rng = np.random.default_rng(11)
    county = outline("371525")
    points = shapely.points(rng.uniform(115.30, 115.75, 900), rng.uniform(36.38, 36.68, 900))
    patches = np.array([square(p.x, p.y, h) for p, h in zip(points, rng.uniform(15, 80, len(points)), strict=True)],
                       dtype=object)
    patches = patches[shapely.within(patches, county)][:300]
    got = services.classify_patches(scope=county_scope, patches=patches, dltb=dltb, basic_farmland=basic,
                                    approved=approved)
    want = services.overlay_boundaries(scope=county_scope, boundaries=patches, dltb=dltb, controls=[basic, approved])
    names = services.control_names([basic, approved])
    assert len(got) == len(patches)
    for i, r in enumerate(want):
        assert got.area_m2[i] == pytest.approx(r.gross_m2, abs=1e-6)
        assert got.farmland_gross_m2[i] == pytest.approx(r.farmland_gross_m2, abs=1e-6)
        assert got.farmland_net_m2[i] == pytest.approx(r.farmland_net_m2, abs=1e-6)
        assert got.basic_farmland_m2[i] == pytest.approx(r.controls[names[basic.pk]].inside_m2, abs=1e-6)
        assert got.approved_m2[i] == pytest.approx(r.controls[names[approved.pk]].inside_m2, abs=1e-6)
        assert got.occupies_farmland[i] == r.has(Verdict.OCCUPIES_FARMLAND)
        assert got.occupies_basic_farmland[i] == r.has(Verdict.OCCUPIES_BASIC_FARMLAND)
        assert got.not_covered_by_approval[i] == r.has(Verdict.NOT_COVERED_BY_APPROVAL)
        assert got.main_code[i] == (max(r.by_code.values(), key=lambda c: c.gross_m2).key if r.by_code else "")
    assert got.occupies_farmland.any() and got.occupies_basic_farmland.any() and (~got.not_covered_by_approval).any()


def test_classify_patches_without_control_layers(county_scope):
    dltb, _controls = layers(county_scope)
    got = services.classify_patches(scope=county_scope, patches=[square(115.45, 36.52, 40)], dltb=dltb)
    assert got.basic_farmland_m2 is None and got.occupies_basic_farmland is None and got.not_covered_by_approval is None
    assert got.dltb_m2[0] == pytest.approx(got.area_m2[0], abs=0.01)
    with pytest.raises(services.OverlayError, match="不是永久基本农田图层"):
        services.classify_patches(scope=county_scope, patches=[square(115.45, 36.52, 40)], dltb=dltb,
                                  basic_farmland=dltb)


# --- the engine additions the service relies on (no database) ----------------------------------------------


def test_stored_areas_and_overlap_flags_are_taken_as_given():
    parcels = [box(115.40, 36.50, 115.401, 36.501), box(115.401, 36.50, 115.402, 36.501)]
    computed = DltbLayer(parcels, ["0101", "0102"], kcxs=[0.1, 0.0])
    stored = DltbLayer(parcels, ["0101", "0102"], kcxs=[0.1, 0.0], area_m2=computed.area_m2)
    assert stored.area_m2.tolist() == computed.area_m2.tolist()
    with pytest.raises(LayerDataError, match="area_m2"):
        DltbLayer(parcels, ["0101", "0102"], area_m2=[1.0])
    control = ControlLayer("approved", parcels, area_m2=[1.0, 2.0], overlapping=[True, False])
    assert control.area_m2.tolist() == [1.0, 2.0] and control.overlapping.tolist() == [True, False]


def test_a_boundary_inside_one_parcel_is_its_own_piece():
    parcel = box(115.40, 36.50, 115.41, 36.51)
    boundary = box(115.402, 36.502, 115.404, 36.503)
    result = overlay([boundary], DltbLayer([parcel], ["0103"], kcxs=[0.05]))[0]
    assert result.gross_m2 == pytest.approx(float(ellipsoidal_area_m2(boundary)[0]), rel=1e-12)
    assert result.by_code["0103"].gross_m2 == pytest.approx(result.gross_m2, rel=1e-12)
    assert result.farmland_net_m2 == pytest.approx(0.95 * result.gross_m2, rel=1e-12)
    (piece,) = list(result.pieces)
    assert piece.geometry.equals(boundary) and not piece.whole


def test_overlay_areas_gives_overlays_figures():
    from landguard.engine.overlay import overlay_areas
    from landguard.engine.synthetic import synthetic_controls, synthetic_dltb

    dltb = synthetic_dltb(3000, seed=5)
    controls = {kind: layer for kind,
                layer in synthetic_controls(dltb, seed=5).items() if kind in ("basic_farmland", "approved")}
    rng = np.random.default_rng(5)
    x0, y0, x1, y1 = shapely.total_bounds(dltb.geometry)
    patches = [square(x, y, h) for x, y,
               h in zip(rng.uniform(x0 + 0.01, x1 - 0.01, 200), rng.uniform(y0 + 0.01, y1 - 0.01, 200),
                                                  rng.uniform(10, 150, 200), strict=True)]
    summary = overlay_areas(patches, dltb, controls)
    for i, r in enumerate(overlay(patches, dltb, controls)):
        assert summary.gross_m2[i] == r.gross_m2
        assert summary.dltb_m2[i] == pytest.approx(r.dltb_m2, abs=1e-6)
        assert summary.farmland_gross_m2[i] == pytest.approx(r.farmland_gross_m2, abs=1e-6)
        assert summary.farmland_net_m2[i] == pytest.approx(r.farmland_net_m2, abs=1e-6)
        for name, c in r.controls.items():
            assert summary.control_inside_m2[name][i] == pytest.approx(c.inside_m2, abs=1e-6)
        assert summary.control_outside_m2["approved"][i] == pytest.approx(r.controls["approved"].outside_m2, abs=1e-6)
        assert "basic_farmland" not in summary.control_outside_m2  # not a coverage kind
        assert summary.main_code[i] == (max(r.by_code.values(), key=lambda c: c.gross_m2).key if r.by_code else "")
