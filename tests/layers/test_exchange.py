"""The 自然资源部 coordinate exchange file (界址点坐标 txt): reading, writing, round trips. No database."""

import datetime as dt
import json

import numpy as np
import pytest
import shapely
from layers_testdata import (
    E0,
    N0,
    gk_rect,
    gk_to_lonlat,
    max_vertex_distance_m,
    parcel_with_hole_gk,
    to_gk,
    to_lonlat,
    write_shp,
)

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.formats import read_layer
from landguard.formats.base import LayerReadError
from landguard.formats.exchange import (
    ExchangeParcel,
    ExchangeWriteError,
    parse_exchange,
    parse_exchange_bytes,
    read_exchange,
)
from landguard.formats.exchange_write import write_exchange

HEADER = """[属性描述]
格式版本号=1.01
数据产生单位=冠县自然资源和规划局
数据产生日期=2025-6-15
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=39
精度=0.001
转换参数=,,,,,,
[地块坐标]
"""


def _points(ring, ring_no, start=1, prefix="J", close=True, north_first=True):
    lines = []
    for k, (e, n) in enumerate(ring, start=start):
        lines.append(f"{prefix}{k},{ring_no},{n:.3f},{e:.3f}" if north_first
                     else f"{prefix}{k},{ring_no},{e:.3f},{n:.3f}")
    if close:
        lines.append(lines[0].split(",", 1)[0] + "," + lines[0].split(",", 1)[1])
    return lines


def _exchange_text(header=HEADER, area="2.9100", name="一号地块", rings=None, **kw) -> str:
    rings = rings if rings is not None else [gk_rect(E0, N0, 200, 150), gk_rect(E0 + 50, N0 + 50, 30, 30)]
    body, start = [], 1
    for ring_no, ring in enumerate(rings, start=1):
        body += _points(ring, ring_no, start=start, **kw)
        start += len(ring)
    return header + f"{len(body)},{area},1,{name},面,J50E001001,建设用地,0702,@\n" + "\n".join(body) + "\n"


def _parcel_ll():
    return to_lonlat(parcel_with_hole_gk())


def test_gbk_exchange_file_is_read_with_the_declared_zone(tmp_path):
    path = tmp_path / "勘测定界.txt"
    path.write_bytes(_exchange_text().replace("\n", "\r\n").encode("gbk"))
    data = read_exchange(path)
    assert data.encoding_used == "GB18030" and data.source_crs == "epsg:4527" and data.zone.epsg == 4527
    assert data.header["数据产生单位"] == "冠县自然资源和规划局" and data.header["带号"] == "39"
    (parcel,) = data.parcels
    assert (parcel.number, parcel.name, parcel.use, parcel.land_class, parcel.sheet) == ("1", "一号地块", "建设用地",
        "0702", "J50E001001")
    assert parcel.point_count == 10 and parcel.point_names == [["J1", "J2", "J3", "J4"], ["J5", "J6", "J7", "J8"]]
    assert (len(parcel.geometry.interiors) == 1 and data.invalid == [] and data.warnings == [] and data.crs_warnings
            == [])
    assert max_vertex_distance_m(parcel.geometry, _parcel_ll()) < 1e-3
    assert parcel.computed_area_ha == pytest.approx(ellipsoidal_area_m2(_parcel_ll())[0] / 10_000, abs=1e-6)


def test_utf8_with_bom_and_read_layer_dispatch(tmp_path):
    path = tmp_path / "坐标.txt"
    path.write_bytes(b"\xef\xbb\xbf" + _exchange_text().encode("utf-8"))
    layer = read_layer(path)
    assert layer.source_format == "exchange" and layer.encoding_used == "UTF-8" and layer.source_crs == "epsg:4527"
    assert layer.row(0)["地块名称"] == "一号地块" and layer.row(0)["地块面积"] == pytest.approx(2.91)
    assert layer.feature_labels[0] == "地块 1（第 13 行）"


def test_round_trip_with_a_hole_within_a_millimetre():
    parcel = ExchangeParcel(_parcel_ll(), number="1", name="一号地块", use="建设用地", land_class="0702")
    text = write_exchange([parcel], zone=39, producer="测试局", produced=dt.date(2026, 1, 5))
    assert "带号=39" in text and "几度分带=3" in text and "数据产生日期=2026-01-05" in text and text.endswith("\r\n")
    lines = text.split("\r\n")
    header_line = lines[lines.index("[地块坐标]") + 1]
    assert header_line.startswith("10,2.9100,1,一号地块,面,,建设用地,0702") and header_line.endswith(",@")
    first_point = lines[lines.index("[地块坐标]") + 2].split(",")
    # X north, Y east with prefix
    assert first_point[:2] == ["J1", "1"] and first_point[2].startswith("40401") and first_point[3].startswith("3952")
    assert len(first_point[2].split(".")[1]) == 4

    back = parse_exchange_bytes(text.encode("gbk"), name="rt.txt")
    (read_parcel,) = back.parcels
    assert back.warnings == [] and back.invalid == [] and back.source_crs == "epsg:4527"
    assert max_vertex_distance_m(read_parcel.geometry, parcel.geometry) < 1e-3
    assert max_vertex_distance_m(parcel.geometry, read_parcel.geometry) < 1e-3
    assert len(read_parcel.geometry.interiors) == 1
    assert ellipsoidal_area_m2(read_parcel.geometry)[0] == pytest.approx(ellipsoidal_area_m2(parcel.geometry)[0],
        abs=0.01)
    # Written again from what was read, 点号 and vertex order survive unchanged.
    assert write_exchange(back.parcels, zone=39, producer="测试局",
                          produced=dt.date(2026, 1, 5)).split("[地块坐标]")[1] == \
        text.split("[地块坐标]")[1]


def test_writer_orders_points_clockwise_from_the_north_west_corner():
    counter_clockwise = shapely.Polygon(gk_to_lonlat(gk_rect(E0, N0, 100, 100)))  # starts south-west, anticlockwise
    text = write_exchange([ExchangeParcel(counter_clockwise, number="1")], zone=39)
    points = [line.split(",") for line in text.split("\r\n") if line.startswith("J")]
    corners = [(round(float(p[3]) - E0), round(float(p[2]) - N0)) for p in points]
    assert corners == [(0, 100), (100, 100), (100, 0), (0, 0), (0, 100)]  # NW → NE → SE → SW → NW


def test_round_trip_of_a_multipart_parcel_in_a_6_degree_zone_without_prefix():
    epsg = 4509  # CGCS2000 6° zone 20 (CM 117°E), eastings without the zone prefix
    part1 = shapely.Polygon(gk_rect(520_000, N0, 120, 80), [gk_rect(520_010, N0 + 10, 20, 20)])
    part2 = shapely.Polygon(gk_rect(520_500, N0, 60, 60))
    geom = to_lonlat(shapely.MultiPolygon([part1, part2]), epsg)
    text = write_exchange([ExchangeParcel(geom, number="7", name="两块")], zone=20, width=6, prefix=False)
    assert "几度分带=6" in text and "带号=20" in text
    back = parse_exchange(text)
    assert back.source_crs == "epsg:4509" and back.warnings == []
    read_geom = back.parcels[0].geometry
    assert read_geom.geom_type == "MultiPolygon" and len(read_geom.geoms) == 2
    assert max_vertex_distance_m(read_geom, geom) < 1e-3


def test_declared_area_that_disagrees_with_the_geometry_is_a_warning():
    data = parse_exchange(_exchange_text(area="3.2000"))
    (warning,) = data.warnings
    assert "地块 1（第 13 行）" in warning and "3.2" in warning and "2.9100" in warning
    assert data.parcels[0].area_ha == pytest.approx(3.2) and data.invalid == []
    # Within rounding of what was declared: "2.9" (1 decimal) for 2.90997 ha is fine, "2.9100" is fine.
    assert parse_exchange(_exchange_text(area="2.9")).warnings == []
    assert parse_exchange(_exchange_text(area="29099.71平方米")).warnings == []
    assert parse_exchange(_exchange_text(area="43.6496亩")).warnings == []


def test_malformed_point_line_names_its_line_number():
    text = _exchange_text().splitlines()
    text[15] = "J3,1,4040150.000"  # line 16: a coordinate missing
    with pytest.raises(LayerReadError, match=r"坐标文件.txt 第 16 行：界址点行应为“点号,圈号,X,Y”"):
        parse_exchange("\n".join(text))
    text[15] = "J3,1,4040150.000,395202OO.000"
    with pytest.raises(LayerReadError, match=r"第 16 行：Y 坐标不是数字"):
        parse_exchange("\n".join(text))
    text[15] = "J3,a,4040150.000,39520200.000"
    with pytest.raises(LayerReadError, match=r"第 16 行：圈号“a”不是正整数"):
        parse_exchange("\n".join(text))
    text[12] = text[12].removesuffix(",@")  # the parcel line without its "@"
    with pytest.raises(LayerReadError, match=r"第 13 行：地块行必须以 @ 结尾"):
        parse_exchange("\n".join(text))
    second = _exchange_text().splitlines()
    # line 24: a 2nd parcel, no "@"
    second += [second[12].replace(",1,一号地块,", ",2,二号地块,").removesuffix(",@"), *second[13:]]
    with pytest.raises(LayerReadError, match=r"第 24 行：圈号“2.9100”不是正整数（地块行必须以 @ 结尾）"):
        parse_exchange("\n".join(second))


def test_other_malformed_files():
    with pytest.raises(LayerReadError, match="缺少 \\[地块坐标\\]"):
        parse_exchange(HEADER.replace("[地块坐标]\n", ""))
    with pytest.raises(LayerReadError, match="第 13 行：界址点行之前没有地块行"):
        parse_exchange(HEADER + "J1,1,4040000,39520000\n")
    with pytest.raises(LayerReadError, match="第 13 行：界址点数“十”不是整数"):
        parse_exchange(HEADER + "十,1,1,a,面,,,,@\n")
    with pytest.raises(LayerReadError, match="第 3 行：\\[属性描述\\] 中的行应为“名称=值”"):
        parse_exchange(HEADER.replace("数据产生单位=冠县自然资源和规划局", "冠县自然资源和规划局"))


def test_point_count_mismatch_missing_closure_and_a_drifting_closing_point():
    outer = gk_rect(E0, N0, 200, 150)
    lines = _points(outer, 1, close=False)  # no closing point: still a closed ring
    body = HEADER + "9,3.0000,1,甲,面,,,,@\n" + "\n".join(lines) + "\n"
    data = parse_exchange(body)
    assert data.parcels[0].geometry.is_valid and any("界址点数为 9，实际有 4 个" in w for w in data.warnings)
    drifting = lines + [f"J1,1,{N0 + 0.03:.3f},{E0:.3f}"]  # closes on J1, 3 cm off
    data = parse_exchange(HEADER + "5,3.0000,1,甲,面,,,,@\n" + "\n".join(drifting) + "\n")
    assert any("闭合点 J1 与起点坐标相差 0.030 米" in w for w in data.warnings)


def test_zone_from_prefix_beats_a_wrong_zone_number_and_swapped_columns_are_detected():
    wrong_zone = parse_exchange(_exchange_text(header=HEADER.replace("带号=39", "带号=38")))
    assert wrong_zone.source_crs == "epsg:4527" and any("不符" in w for w in wrong_zone.crs_warnings)
    swapped = parse_exchange(_exchange_text(north_first=False))
    assert swapped.layer.swap_xy and any("互换" in w for w in swapped.crs_warnings)
    assert max_vertex_distance_m(swapped.parcels[0].geometry, _parcel_ll()) < 1e-3


def test_zone_without_prefix_uses_the_declared_zone_number():
    rings = [gk_rect(520_000, N0, 200, 150)]
    data = parse_exchange(_exchange_text(rings=rings, area="3.0000"))
    assert data.source_crs == "epsg:4548"  # 3° zone 39 = CM 117°E, eastings without prefix
    expected = to_lonlat(shapely.Polygon(rings[0]), 4548)
    assert max_vertex_distance_m(data.parcels[0].geometry, expected) < 1e-3
    central = parse_exchange(_exchange_text(header=HEADER.replace("带号=39", "带号=117"), rings=rings, area="3.0000"))
    assert central.source_crs == "epsg:4548" and any("中央经线 117°E" in w for w in central.warnings)


def test_xian80_is_refused_unless_a_crs_is_given():
    text = _exchange_text(header=HEADER.replace("2000国家大地坐标系", "1980西安坐标系"))
    with pytest.raises(LayerReadError, match="1980西安坐标系"):
        parse_exchange(text)
    assert parse_exchange(text, crs="epsg:4527").source_crs == "epsg:4527"


def test_self_intersecting_parcel_is_reported_not_repaired():
    bowtie = [(E0, N0), (E0 + 100, N0 + 100), (E0 + 100, N0), (E0, N0 + 100)]
    data = parse_exchange(_exchange_text(rings=[bowtie], area=""))
    assert data.invalid and data.invalid[0][0] == 0 and "自相交" in data.invalid[0][1]
    assert not data.parcels[0].geometry.is_valid and data.parcels[0].computed_area_ha is None


def test_one_parcel_as_exchange_file_shapefile_4527_and_geojson_4490_has_one_area(tmp_path):
    """Issue 3 "done when": the three forms of one parcel agree on the official area to 0.01 m²."""
    gk = shapely.Polygon(gk_rect(39_512_345.6, 4_051_234.5, 137.2, 88.9),
                         [gk_rect(39_512_360.0, 4_051_250.0, 20.5, 10.25)])
    ll = to_lonlat(gk)
    exchange = parse_exchange(write_exchange([ExchangeParcel(ll, number="1")], zone=39))
    shp = read_layer(write_shp(tmp_path / "p.shp", [gk], {"DKBH": ["1"]}, crs_text="EPSG:4527"))
    geojson = tmp_path / "p.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"DKBH": "1"}, "geometry": shapely.geometry.mapping(ll)}]}), encoding="utf-8")
    areas = [ellipsoidal_area_m2(g)[0]
             for g in (exchange.parcels[0].geometry, shp.geometries[0], read_layer(geojson).geometries[0])]
    assert max(areas) - min(areas) < 0.01
    assert shp.source_crs == "epsg:4527"
    assert shapely.normalize(to_gk(shp.geometries[0])).equals_exact(shapely.normalize(gk), 1e-6)


def test_writer_rejects_what_it_cannot_write():
    with pytest.raises(ExchangeWriteError, match="没有几何"):
        write_exchange([ExchangeParcel(None, number="1")], zone=39)
    with pytest.raises(ExchangeWriteError, match="带号 50"):
        write_exchange([ExchangeParcel(_parcel_ll())], zone=50)
    assert "带号=39" in write_exchange([ExchangeParcel(_parcel_ll())], zone="epsg:4527")
    text = write_exchange([ExchangeParcel(_parcel_ll(), name="甲,乙@丙")], zone=39)
    assert ",甲，乙＠丙,面," in text  # separators inside text cannot break the line layout
    assert np.isclose(parse_exchange(text).parcels[0].computed_area_ha, 2.90997, atol=1e-4)
