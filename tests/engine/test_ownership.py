"""权属性质 (QSXZ) through the engine: the code rule, the checks that name features, and the overlay's split of a
boundary's area into 国有 / 集体 / 未标注 — exact on hand-built parcels whose areas core.geodesy gives —, crossed
with the 三大类 and for 耕地, added up across counties by engine.combine, and drawn by the synthetic county."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.engine.checks import LayerDataError
from landguard.engine.combine import combine
from landguard.engine.layers import DltbLayer
from landguard.engine.overlay import overlay
from landguard.engine.ownership import OWNERSHIPS, Ownership, normalize_qsxz, ownership_of, qsxz_code
from landguard.engine.results import Subtotal
from landguard.engine.synthetic import clip_dltb, synthetic_dltb

X0, Y0 = 115.400, 36.500
DX, DY = 0.001, 0.001


def cell(i0: float, j0: float, i1: float, j1: float) -> Polygon:
    return box(X0 + i0 * DX, Y0 + j0 * DY, X0 + i1 * DX, Y0 + j1 * DY)


def area(geom) -> float:
    return float(ellipsoidal_area_m2(geom)[0])


# Four parcels in a row: 国有 construction, 集体 paddy (KCXS 0.1), 集体 woodland, and a paddy without QSXZ.
PARCELS = [(cell(0, 0, 1, 1), "0701", 0.0, "20"), (cell(1, 0, 2, 1), "0101", 0.1, 31),
           (cell(2, 0, 3, 1), "0301", 0.0, "30.0"), (cell(3, 0, 4, 1), "0101", 0.1, None)]


def layer(parcels=PARCELS, **kwargs) -> DltbLayer:
    geoms, codes, kcxs, qsxz = zip(*parcels, strict=True)
    return DltbLayer(list(geoms), list(codes), kcxs=list(kcxs), qsxz=list(qsxz),
                     attributes={"BSM": [f"B{i + 1}" for i in range(len(geoms))]}, **kwargs)


def test_codes_are_read_from_text_integers_and_floats_and_absent_values_are_blank():
    assert [qsxz_code(v) for v in ("10", 10, "10.0", 10.0, np.float64(31), np.int64(40), " 32 ")] == [
        "10", "10", "10", "10", "31", "40", "32"]
    assert [qsxz_code(v) for v in (None, "", "  ", float("nan"))] == ["", "", "", ""]
    assert [qsxz_code(v) for v in ("50", 10.5, "国有", True, 35)] == [None] * 5
    assert list(normalize_qsxz(np.array([10.0, np.nan, 34.0]))) == ["10", "", "34"]  # a float column with a null


def test_state_and_collective_follow_the_code_list_and_blank_is_unknown():
    assert {c: ownership_of(c) for c in ("10", "20")} == {"10": Ownership.STATE, "20": Ownership.STATE}
    assert {ownership_of(c) for c in ("30", "31", "32", "33", "34", "40")} == {Ownership.COLLECTIVE}
    assert ownership_of("") == Ownership.UNKNOWN
    assert [str(o.label) for o in OWNERSHIPS] == ["国有", "集体", "未标注"]


def test_a_value_outside_the_code_list_is_refused_naming_the_features_and_the_field():
    parcels = [*PARCELS[:2], (PARCELS[2][0], "0301", 0.0, "50"), (PARCELS[3][0], "0101", 0.1, "国有")]
    with pytest.raises(LayerDataError) as exc:
        layer(parcels, name="测试图层")
    assert exc.value.field == "QSXZ" and exc.value.feature_indices == [2, 3]
    text = str(exc.value)
    assert "测试图层" in text and "QSXZ" in text and "BSM B3" in text and "BSM B4" in text and "50" in text


def test_the_layer_keeps_codes_as_text_and_none_when_it_has_no_qsxz():
    dltb = layer()
    assert list(dltb.qsxz) == ["20", "31", "30", ""]
    assert [OWNERSHIPS[k] for k in dltb.ownership] == [Ownership.STATE, Ownership.COLLECTIVE, Ownership.COLLECTIVE,
                                                       Ownership.UNKNOWN]
    bare = DltbLayer([p[0] for p in PARCELS], [p[1] for p in PARCELS], kcxs=[p[2] for p in PARCELS])
    assert bare.qsxz is None and (bare.ownership == OWNERSHIPS.index(Ownership.UNKNOWN)).all()


def test_a_boundary_is_split_into_state_collective_and_unknown_exactly():
    boundary = cell(0.5, 0, 3.5, 1)  # half of each end parcel, the two middle ones whole
    result = overlay([boundary], layer())[0]
    halves = [area(cell(0.5, 0, 1, 1)), area(cell(1, 0, 2, 1)), area(cell(2, 0, 3, 1)), area(cell(3, 0, 3.5, 1))]
    k = result.area_adjustment  # the 平差 factor (|k − 1| ~1e-9 on these short edges)
    state, paddy, wood, unknown = (a * k for a in halves)
    own = result.by_ownership
    assert list(own) == ["state", "collective", "unknown"]
    assert own["state"].gross_m2 == pytest.approx(state, rel=1e-9)
    assert own["collective"].gross_m2 == pytest.approx(paddy + wood, rel=1e-9)
    assert own["collective"].net_m2 == pytest.approx(0.9 * paddy + wood, rel=1e-9)
    assert own["unknown"].gross_m2 == pytest.approx(unknown, rel=1e-9)
    assert str(own["unknown"].label) == "未标注"
    assert sum(r.gross_m2 for r in own.values()) == pytest.approx(result.dltb_m2, rel=1e-12)
    assert result.dltb_m2 == pytest.approx(result.gross_m2, rel=1e-9)
    # 三大类 × 权属: 集体 农用地 is the paddy and the wood; 国有 建设用地 the house plot; 未标注 农用地 the bare paddy.
    cross = result.by_big_class_ownership
    assert set(cross) == {"construction:state", "agricultural:collective", "agricultural:unknown"}
    assert cross["agricultural:collective"].gross_m2 == pytest.approx(paddy + wood, rel=1e-9)
    assert cross["construction:state"].gross_m2 == pytest.approx(state, rel=1e-9)
    assert str(cross["agricultural:collective"].label) == "集体·农用地"
    # 耕地 by ownership: the collective paddy and the unmarked one, gross and net of 田坎.
    farm = result.farmland_by_ownership
    assert set(farm) == {"collective", "unknown"}
    assert farm["collective"].net_m2 == pytest.approx(0.9 * paddy, rel=1e-9)
    assert farm["unknown"].gross_m2 == pytest.approx(unknown, rel=1e-9)
    assert sum(r.net_m2 for r in farm.values()) == pytest.approx(result.farmland_net_m2, rel=1e-12)
    # Pieces carry each parcel's code; the JSON carries the tables.
    assert sorted(result.pieces.qsxz.tolist()) == ["", "20", "30", "31"]
    body = result.to_dict()
    assert [row["key"] for row in body["by_ownership"]] == ["state", "collective", "unknown"]
    assert body["by_ownership"][0]["gross"]["m2"] == round(state, 2)
    assert {row["key"] for row in body["by_big_class_ownership"]} == set(cross)
    assert {row["key"] for row in body["farmland_by_ownership"]} == {"collective", "unknown"}


def test_a_layer_without_qsxz_counts_everything_as_unknown():
    bare = DltbLayer([p[0] for p in PARCELS], [p[1] for p in PARCELS], kcxs=[p[2] for p in PARCELS])
    result = overlay([cell(0, 0, 4, 1)], bare)[0]
    assert list(result.by_ownership) == ["unknown"]
    assert result.by_ownership["unknown"].gross_m2 == pytest.approx(result.dltb_m2, rel=1e-12)
    assert (result.pieces.qsxz == "").all()


def test_combine_adds_the_ownership_tables_of_each_county():
    west, east = cell(0, 0, 2, 1), cell(2, 0, 4, 1)
    dltb = layer()
    parts = [Subtotal("371522", "莘县", overlay([west], dltb)[0]), Subtotal("371525", "冠县", overlay([east], dltb)[0])]
    total = combine(0, parts)
    for table in ("by_ownership", "by_big_class_ownership", "farmland_by_ownership"):
        combined = getattr(total, table)
        for key, row in combined.items():
            expected = sum(getattr(p.result, table)[key].gross_m2 for p in parts if key in getattr(p.result, table))
            assert row.gross_m2 == pytest.approx(expected, rel=1e-12)
        assert set(combined) == {k for p in parts for k in getattr(p.result, table)}
    assert list(total.by_ownership) == ["state", "collective", "unknown"]  # the tables' order, not the parts'
    assert total.by_ownership["collective"].gross_m2 == pytest.approx(area(cell(1, 0, 3, 1)), rel=1e-8)
    assert [p["code"] for p in total.to_dict()["subtotals"]] == ["371522", "371525"]
    assert total.to_dict()["subtotals"][0]["by_ownership"][0]["key"] == "state"
    assert sorted(total.pieces.qsxz.tolist()) == ["", "20", "30", "31"]


@pytest.fixture(scope="module")
def county():
    return synthetic_dltb(6000, seed=5)


def test_the_synthetic_county_draws_qsxz_deterministically_and_realistically(county):
    again = synthetic_dltb(6000, seed=5)
    assert list(again.qsxz) == list(county.qsxz) and list(county.attributes["QSXZ"]) == list(county.qsxz)
    assert set(county.qsxz) <= {"10", "20", "30", "31", "32", "40"}  # every parcel marked, with codes of the list
    codes, own = county.dlbm.astype(str), np.array(OWNERSHIPS)[county.ownership]
    assert (own[np.isin(codes, ("1001", "1003", "1101"))] == Ownership.STATE).all()  # roads, railway, rivers: 10
    assert (own[codes == "0702"] == Ownership.COLLECTIVE).all()  # 宅基地
    urban = np.isin(codes, ("0701", "05H1", "0508", "08H1"))
    assert county.area_m2[urban & (own == Ownership.STATE)].sum() > 0.6 * county.area_m2[urban].sum()
    farmland = county.is_farmland
    assert county.area_m2[farmland & (own == Ownership.COLLECTIVE)].sum() > 0.95 * county.area_m2[farmland].sum()
    clipped = clip_dltb(county, box(115.4, 36.45, 115.6, 36.6))
    assert clipped.qsxz is not None and len(clipped.qsxz) == len(clipped)
