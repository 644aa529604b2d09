"""The 叠加分析 page (upload or draw, HTMX results, downloads) and POST /api/overlay/."""

from __future__ import annotations

import io
import json
import re
import zipfile

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from landguard.analysis import selectors, services
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import scope_for
from landguard.layers.models import LayerKind

pytestmark = pytest.mark.django_db

URL = "/analysis/"
RING = [[115.44, 36.51], [115.4594, 36.5115], [115.4604, 36.5256], [115.4412, 36.5251], [115.44, 36.51]]
POLYGON = {"type": "Polygon", "coordinates": [RING]}
SMALL = {"type": "Polygon",
         "coordinates": [[[115.52, 36.45], [115.526, 36.45], [115.526, 36.455], [115.52, 36.455], [115.52, 36.45]]]}


def geojson_file(*geometries: dict, name: str = "边界.geojson") -> SimpleUploadedFile:
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"项目{i + 1}"}, "geometry": g} for i, g in enumerate(geometries)]}
    return SimpleUploadedFile(name, json.dumps(collection, ensure_ascii=False).encode(),
                              content_type="application/geo+json")


def county_layers(user):
    versions = [v for v in selectors.overlay_versions(scope_for(user)) if v.layer.region_code == "371525"]
    dltb = next(v for v in versions if v.layer.kind == LayerKind.DLTB)
    return dltb, [v for v in versions if v.layer.kind != LayerKind.DLTB]


def form_data(user, **extra) -> dict:
    dltb, controls = county_layers(user)
    return {"dltb": str(dltb.pk), "controls": [str(v.pk) for v in controls], **extra}


def expected(user, *geometries, slugs: list[str] | None = None):
    dltb, controls = county_layers(user) if slugs is None else services.choose_layers(scope_for(user), slugs=slugs)
    boundaries = services.boundaries_from_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": g} for g in geometries]}).geometries
    return services.overlay_boundaries(scope=scope_for(user), boundaries=boundaries, dltb=dltb, controls=controls)


def signed_token(response) -> str:
    return re.search(r'name="analysis" value="([^"]+)"', response.content.decode()).group(1)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_page_offers_the_layers_of_the_users_scope(client_for, county_admin, other_county_user):
    page = client_for(county_admin).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "叠加分析" in html and 'aria-current="page"' in html
    assert "冠县地类图斑（演示）" in html and "冠县永久基本农田（演示）" in html and "莘县" not in html
    assert 'data-draw="start"' in html and 'name="boundary"' in html and 'type="file"' in html
    other = client_for(other_county_user).get(URL).content.decode()
    assert "莘县地类图斑（演示）" in other and "冠县地类图斑" not in other


def test_uploaded_geojson_gives_the_tables_and_the_map_data(client_for, county_admin):
    client = client_for(county_admin)
    response = client.post(URL, form_data(county_admin, file=geojson_file(POLYGON)), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the HTMX fragment only
    text = text_of(response)
    (result,) = expected(county_admin, POLYGON)
    assert "项目1" in text
    assert f"{hectares(result.gross_m2):,.4f} 公顷" in text
    for code, c in result.by_code.items():
        assert re.search(rf"{code} {re.escape(str(c.label))} {hectares(c.gross_m2):,.4f} {mu(c.gross_m2):,.2f} "
                         rf"{hectares(c.net_m2):,.4f} {mu(c.net_m2):,.2f}", text), code
    assert "农用地" in text and "耕地净面积（扣除田坎）" in text and f"{mu(result.farmland_net_m2):,.2f}" in text
    # The 权属 table: each ownership's area in 公顷 and 亩, then the total
    assert "data-ownership" in html
    for key, owned in result.by_ownership.items():
        assert f"{owned.label} {hectares(owned.gross_m2):,.4f} {mu(owned.gross_m2):,.2f}" in text, key
    assert f"合计 {hectares(result.dltb_m2):,.4f} {mu(result.dltb_m2):,.2f}" in text
    for flag in result.verdicts:
        assert str(flag.label) in text
    data = json.loads(
        re.search(r'<script id="overlay-map-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert len(data["pieces"]["features"]) == len(result.pieces)
    assert data["boundaries"]["features"][0]["properties"]["label"] == "项目1"  # the file's own name (its name field)


def test_drawn_boundary_without_htmx_renders_the_whole_page(client_for, county_admin):
    response = client_for(county_admin).post(URL, form_data(county_admin, boundary=json.dumps(POLYGON)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "地图绘制的边界" in html and "overlay-map-data" in html


def test_downloads_rerun_the_same_analysis(client_for, county_admin):
    client = client_for(county_admin)
    response = client.post(URL, form_data(county_admin, file=geojson_file(POLYGON, SMALL)), HTTP_HX_REQUEST="true")
    token = signed_token(response)
    results = expected(county_admin, POLYGON, SMALL)

    xlsx = client.post("/analysis/report.xlsx", {"analysis": token})
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 3
    summary = {v for row in book["汇总"].iter_rows(values_only=True) for v in row if v is not None}
    assert "边界.geojson" in summary
    for r in results:
        assert hectares(r.gross_m2) in summary and mu(r.farmland_net_m2) in summary
    sheet = [row for row in book[book.sheetnames[1]].iter_rows(values_only=True)]
    code, c = next(iter(results[0].by_code.items()))
    # rows are as wide as the sheet's widest table (the 权属 table's 8 columns)
    assert (code, str(c.label), hectares(c.gross_m2), mu(c.gross_m2), hectares(c.net_m2), mu(c.net_m2)) in [
        row[:6] for row in sheet]
    collective = results[0].by_ownership["collective"]
    farm = results[0].farmland_by_ownership["collective"]
    assert any(row[:3] == ("集体", hectares(collective.gross_m2), mu(collective.gross_m2))
               and row[4:6] == (mu(farm.gross_m2), mu(farm.net_m2)) for row in sheet)
    assert any(row[0] == "权属" for row in sheet)

    word = client.post("/analysis/report.docx", {"analysis": token})
    assert word.status_code == 200 and word["Content-Type"].startswith("application/vnd.openxmlformats")
    document = docx.Document(io.BytesIO(word.content))
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    assert ["分析面积", f"{results[1].gross_m2:,.2f}", f"{hectares(results[1].gross_m2):,.4f}",
            f"{mu(results[1].gross_m2):,.2f}"] in cells
    assert "叠加分析报告" in "\n".join(p.text for p in document.paragraphs)
    assert "权属" in [p.text for p in document.paragraphs]
    collective = results[1].by_ownership["collective"]
    assert any(row[:3] == ["集体", f"{hectares(collective.gross_m2):,.4f}", f"{mu(collective.gross_m2):,.2f}"]
               for row in cells)


def test_a_download_needs_this_users_untampered_token(client_for, county_admin, township_officer):
    client = client_for(county_admin)
    assert client.get("/analysis/report.xlsx").status_code == 405
    response = client.post("/analysis/report.xlsx", {"analysis": "forged"})
    assert response.status_code == 302 and response["Location"] == URL
    token = signed_token(
        client.post(URL, form_data(county_admin, boundary=json.dumps(POLYGON)), HTTP_HX_REQUEST="true"))
    assert client.post("/analysis/report.docx", {"analysis": token}).status_code == 200
    assert client.post("/analysis/report.docx", {"analysis": token[:-2] + "xx"}).status_code == 302
    assert client_for(township_officer).post("/analysis/report.docx", {"analysis": token}).status_code == 302


@pytest.mark.parametrize(("upload", "message"), [
    (None, "请在地图上绘制边界，或上传边界文件"),
    (SimpleUploadedFile("坏.geojson", b"{not json", content_type="application/json"), "坏.geojson"),
    (SimpleUploadedFile("说明.pdf", b"%PDF-1.4", content_type="application/pdf"), ".pdf"),
    (geojson_file({"type": "LineString", "coordinates": [[115.44, 36.51], [115.45, 36.52]]}), "不是面"),
    (geojson_file(
        {"type": "Polygon", "coordinates": [[[115.44, 36.51], [115.45, 36.52], [115.45, 36.51], [115.44, 36.52],
                                                       [115.44, 36.51]]]}), "第 1 个要素"),
])
def test_bad_input_gets_a_clear_message(client_for, county_admin, upload, message):
    data = form_data(county_admin, **({"file": upload} if upload else {}))
    response = client_for(county_admin).post(URL, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    errors = re.search(r'<div class="form-error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    assert errors and message in errors.group(1)
    assert "overlay-map-data" not in response.content.decode()


def test_a_boundary_outside_the_scope_names_the_feature(client_for, township_officer):
    client = client_for(township_officer)
    page = client.get(URL).content.decode()
    dltb = re.search(r'name="dltb" value="(\d+)"', page).group(1)
    response = client.post(URL, {"dltb": dltb, "file": geojson_file(POLYGON, name="项目.geojson")},
                           HTTP_HX_REQUEST="true")
    errors = re.search(r'<div class="form-error" role="alert">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert "项目1：超出您的数据范围（清泉街道）" in errors


def test_zipped_shapefile_is_read(client_for, county_admin, tmp_path):
    import numpy as np
    import pyogrio.raw
    import shapely

    shp = tmp_path / "边界.shp"
    geom = shapely.multipolygons([shapely.from_geojson(json.dumps(POLYGON))])
    pyogrio.raw.write(str(shp), shapely.to_wkb(np.array([geom])), [np.array(["甲"])], ["XMMC"], driver="ESRI Shapefile",
                      geometry_type="MultiPolygon", crs="EPSG:4490", encoding="UTF-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.iterdir():
            archive.write(part, part.name)
    upload = SimpleUploadedFile("边界.zip", buffer.getvalue(), content_type="application/zip")
    response = client_for(county_admin).post(URL, form_data(county_admin, file=upload), HTTP_HX_REQUEST="true")
    (result,) = expected(county_admin, POLYGON)
    assert f"{hectares(result.gross_m2):,.4f}" in text_of(response)


def test_upload_size_limit(client_for, county_admin, settings):
    settings.UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("大.geojson", b" " * (1024 * 1024 + 1), content_type="application/json")
    response = client_for(county_admin).post(URL, form_data(county_admin, file=big), HTTP_HX_REQUEST="true")
    assert "超过 1 MB 上限" in response.content.decode()


# --- API ---------------------------------------------------------------------------------------------------


def test_api_overlay_with_a_geometry(client_for, county_admin):
    response = client_for(county_admin).post("/api/overlay/", {"geometry": POLYGON}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    (result,) = expected(county_admin, POLYGON, slugs=[layer["slug"] for layer in body["layers"]])
    (got,) = body["results"]
    assert got == json.loads(json.dumps({"label": got["label"], **result.to_dict()}))
    assert body["layers"][0]["slug"] == "371525-dltb" and "map" not in body
    # 权属: the demo DLTB carries QSXZ, so the split is 国有 / 集体 and adds up to the DLTB area
    owned = {row["key"]: row for row in got["by_ownership"]}
    assert set(owned) <= {"state", "collective"} and "collective" in owned
    assert sum(row["gross"]["m2"] for row in owned.values()) == pytest.approx(got["dltb"]["m2"], abs=0.02)
    assert owned["collective"]["label"] == "集体"
    assert {row["key"] for row in got["by_big_class_ownership"]} >= {"agricultural:collective"}
    assert sum(r["net"]["m2"] for r in got["farmland_by_ownership"]) == pytest.approx(got["farmland_net"]["m2"],
                                                                                      abs=0.02)


def test_api_overlay_with_chosen_layers_a_collection_and_pieces(client_for, county_admin):
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "甲"}, "geometry": POLYGON},
        {"type": "Feature", "properties": {"name": "乙"}, "geometry": SMALL}]}
    body = client_for(county_admin).post("/api/overlay/",
                                         {"geometry": collection, "layers": ["371525-dltb", "371525-basic_farmland"],
                                                           "pieces": True}, content_type="application/json").json()
    assert [layer["slug"] for layer in body["layers"]] == ["371525-dltb", "371525-basic_farmland"]
    assert [r["label"] for r in body["results"]] == ["甲", "乙"]
    assert list(body["results"][0]["controls"]) == ["冠县永久基本农田（演示）"]
    assert {v["verdict"] for v in body["results"][0]["not_evaluated"]} >= {"touches_eco_redline",
        "outside_dev_boundary"}
    assert body["map"]["pieces"]["features"]


def test_api_overlay_with_a_file(client_for, county_admin):
    response = client_for(county_admin).post("/api/overlay/",
                                             {"file": geojson_file(POLYGON), "layers": ["371525-dltb"]})
    assert response.status_code == 200, response.content
    (result,) = expected(county_admin, POLYGON)
    assert response.json()["results"][0]["gross"]["m2"] == round(result.gross_m2, 2)


def test_api_overlay_errors(client_for, county_admin, township_officer, client):
    api = client_for(county_admin)
    assert api.post("/api/overlay/", {}, content_type="application/json").status_code == 400
    unknown = api.post("/api/overlay/", {"geometry": POLYGON, "layers": ["371522-dltb"]},
                       content_type="application/json")
    assert unknown.status_code == 400 and "371522-dltb" in unknown.json()["detail"]
    outside = client_for(township_officer).post("/api/overlay/", {"geometry": POLYGON}, content_type="application/json")
    assert outside.status_code == 400 and "超出您的数据范围" in outside.json()["detail"]
    assert client.post("/api/overlay/", {"geometry": POLYGON}, content_type="application/json").status_code in (401,
        403)


def test_api_overlay_takes_a_token_and_is_documented(client, client_for, county_admin):
    token = Token.objects.create(user=county_admin)
    response = client.post("/api/overlay/", {"geometry": SMALL}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    schema = client_for(county_admin).get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/overlay/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "200" in operation["responses"]
    areas = schema["components"]["schemas"]["_Areas"]["properties"] if "_Areas" in schema["components"]["schemas"] \
        else schema["components"]["schemas"]["_Result"]["properties"]
    for key in ("by_ownership", "by_big_class_ownership", "farmland_by_ownership"):
        assert key in areas and areas[key]["type"] == "array", key
    assert "collective" in areas["by_ownership"]["description"]
