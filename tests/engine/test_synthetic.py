"""The synthetic county generator: reproducible, a true tessellation, a 冠县-like land-class mix."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import shapely

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.engine.kinds import ControlKind
from landguard.engine.synthetic import GUANXIAN_BBOX, synthetic_controls, synthetic_dltb


def fingerprint(layer) -> str:
    digest = hashlib.sha256()
    for wkb in shapely.to_wkb(layer.geometry):
        digest.update(wkb)
    for field in ("DLBM", "KCXS", "TBMJ", "BSM"):
        values = layer.dlbm if field == "DLBM" else layer.attributes[field]
        digest.update("\x1f".join(map(str, values)).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def small():
    return synthetic_dltb(3000, seed=42)


@pytest.fixture(scope="module")
def medium():
    return synthetic_dltb(20000, seed=3)


def test_same_seed_gives_identical_wkb(small):
    again = synthetic_dltb(3000, seed=42)
    assert fingerprint(again) == fingerprint(small)
    assert fingerprint(synthetic_dltb(3000, seed=43)) != fingerprint(small)


def test_controls_are_reproducible_too(small):
    a, b = synthetic_controls(small, seed=1), synthetic_controls(small, seed=1)
    for key in a:
        assert [g.wkb for g in a[key].geometry] == [g.wkb for g in b[key].geometry]


def test_exactly_n_valid_parcels_that_tile_the_bbox(small):
    assert len(small) == 3000
    assert shapely.is_valid(small.geometry).all()
    assert (shapely.get_type_id(small.geometry) == shapely.GeometryType.POLYGON).all()
    bbox_area = ellipsoidal_area_m2(shapely.box(*GUANXIAN_BBOX))[0]
    assert small.area_m2.sum() == pytest.approx(bbox_area, rel=1e-6)
    # No two parcels share interior.
    i, j = small.tree.query(small.geometry, predicate="intersects")
    pair = i < j
    assert not shapely.relate_pattern(small.geometry[i[pair]], small.geometry[j[pair]], "2********").any()


def test_other_bboxes_work():
    layer = synthetic_dltb(500, seed=1, bbox=(120.0, 30.0, 120.05, 30.04))
    assert len(layer) == 500
    assert layer.area_m2.sum() == pytest.approx(ellipsoidal_area_m2(shapely.box(120.0, 30.0, 120.05, 30.04))[0],
                                                rel=1e-6)


def _shares(layer) -> dict[str, float]:
    total = layer.area_m2.sum()
    by_level1: dict[str, float] = {}
    for k, c in enumerate(layer.classes):
        by_level1[c.level1_code] = by_level1.get(c.level1_code,
                                                 0.0) + layer.area_m2[layer.class_index == k].sum() / total
    return by_level1


def test_land_class_mix_is_like_a_north_china_plain_county(medium):
    shares = _shares(medium)
    assert 0.40 <= shares["01"] <= 0.60  # 耕地
    assert 0.05 <= shares["02"] <= 0.15  # 园地 (冠县 pears)
    assert 0.05 <= shares["03"] <= 0.15  # 林地
    assert 0.04 <= shares["07"] <= 0.15  # 住宅
    present = set(medium.dlbm)
    assert {"0102", "0103", "0201", "0301", "0701", "0702", "0601", "1003", "1006", "1101", "1104", "1107"} <= present


def test_roads_are_long_thin_parcels(medium):
    def width(code: str) -> float:
        geoms = medium.geometry[medium.dlbm == code]
        # For a long thin rectangle, area / (half the perimeter) ≈ its width.
        return float(np.median(shapely.area(geoms) / (shapely.length(geoms) / 2)))

    assert width("1003") < 0.25 * width("0102")


def test_kcxs_tbmj_and_derived_fields(small):
    farm = small.is_farmland
    assert (small.kcxs[~farm] == 0).all()
    assert (small.kcxs[farm] > 0).all() and (small.kcxs < 1).all()
    attrs = small.attributes
    assert np.array_equal(attrs["TBMJ"], np.round(small.area_m2, 2))
    assert np.allclose(attrs["KCMJ"] + attrs["TBDLMJ"], attrs["TBMJ"], atol=0.011)
    assert set(attrs["KCDLBM"][farm]) == {"1203"}
    assert len(small.tbmj_mismatches()) == 0
    assert set(attrs["GDPDJB"][farm]) <= {"1", "2", "3"}
    assert len(set(attrs["BSM"])) == len(small)


def test_controls_fit_the_county(medium):
    controls = synthetic_controls(medium, seed=3)
    assert {c.kind for c in controls.values()} == {ControlKind.BASIC_FARMLAND, ControlKind.APPROVED,
                                                    ControlKind.DEV_BOUNDARY, ControlKind.ECO_REDLINE}
    for layer in controls.values():
        assert len(layer) > 0 and shapely.is_valid(layer.geometry).all()
    basic = controls["basic_farmland"]
    on_farmland = np.isin(basic.geometry, medium.geometry[medium.is_farmland])
    assert basic.area_m2[on_farmland].sum() / basic.area_m2.sum() > 0.9
    farmland_area = medium.area_m2[medium.is_farmland].sum()
    assert 0.7 < basic.area_m2[on_farmland].sum() / farmland_area < 0.95
    assert controls["approved"].overlapping.any()  # several 批次 over the same land
    dev = shapely.union_all(controls["dev_boundary"].geometry)
    urban = medium.geometry[medium.dlbm == "0701"]
    assert shapely.intersects(dev, shapely.centroid(urban)).mean() > 0.9


def test_n_too_small_is_refused():
    with pytest.raises(ValueError):
        synthetic_dltb(5)
