"""manage.py overlay FILE [--layers …] [--region …] [--json]."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command

from landguard.analysis import services
from landguard.core.geodesy import hectares, mu
from landguard.core.scope import EVERYTHING

pytestmark = pytest.mark.django_db

POLYGON = {"type": "Polygon",
           "coordinates": [[[115.44, 36.51], [115.4594, 36.5115], [115.4604, 36.5256], [115.4412, 36.5251],
                                               [115.44, 36.51]]]}
SHENXIAN = {"type": "Polygon",
            "coordinates": [[[115.56, 36.09], [115.57, 36.09], [115.57, 36.10], [115.56, 36.10], [115.56, 36.09]]]}


@pytest.fixture
def boundary_file(tmp_path):
    def write(*geometries: dict) -> str:
        path = tmp_path / "边界.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": f"项目{i + 1}"}, "geometry": g} for i,
            g in enumerate(geometries)]},
            ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("overlay", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_output_is_the_services_figures(boundary_file):
    path = boundary_file(POLYGON)
    body = json.loads(run(path, "--json"))
    boundaries = services.read_boundaries(path)
    assert [r["label"] for r in body["results"]] == boundaries.labels
    # Default layers: the current layers the boundary reaches (冠县's, not 莘县's).
    assert body["layers"][0]["slug"] == "371525-dltb" and all(layer["slug"].startswith("371525-")
                                                              for layer in body["layers"])
    dltb, controls = services.choose_layers(EVERYTHING, slugs=[layer["slug"] for layer in body["layers"]])
    want = services.overlay_boundaries(scope=EVERYTHING, boundaries=boundaries.geometries, dltb=dltb, controls=controls)
    for got, r in zip(body["results"], want, strict=True):
        assert got["gross"] == json.loads(json.dumps(r.to_dict()["gross"]))
        assert got["by_code"] == json.loads(json.dumps(r.to_dict()["by_code"]))


def test_region_picks_its_layers_and_checks_the_boundaries(boundary_file):
    body = json.loads(run(boundary_file(POLYGON), "--region", "371525", "--json"))
    assert {layer["slug"].split("-")[0] for layer in body["layers"]} == {"371525"}
    with pytest.raises(CommandError, match="超出您的数据范围（莘县）"):
        run(boundary_file(POLYGON), "--region", "371522")
    with pytest.raises(CommandError, match="没有代码为 999999"):
        run(boundary_file(POLYGON), "--region", "999999")


def test_layers_option_and_readable_table(boundary_file):
    text = run(boundary_file(POLYGON), "--layers", "371525-dltb,371525-basic_farmland")
    (result,) = services.overlay_boundaries(scope=EVERYTHING,
                                            boundaries=services.read_boundaries(boundary_file(POLYGON)).geometries,
                                            dltb=services.choose_layers(EVERYTHING, slugs=["371525-dltb"])[0])
    assert ("项目1" in text and "三大类" in text and "二级类" in text
            and "冠县永久基本农田（演示）" in text)
    assert f"{hectares(result.gross_m2):,.4f}" in text and f"{mu(result.farmland_net_m2):,.2f}" in text
    assert "判定：" in text and "CGCS2000 椭球面积" in text
    collective = result.by_ownership["collective"]
    row = rf"集体\s+{hectares(collective.gross_m2):,.4f}\s+{mu(collective.gross_m2):,.2f}"
    assert "权属" in text and re.search(row, text)


def test_bad_file_and_ambiguous_layers_are_command_errors(boundary_file, tmp_path):
    bad = tmp_path / "坏.geojson"
    bad.write_text("{oops", encoding="utf-8")
    with pytest.raises(CommandError, match="坏.geojson"):
        run(str(bad))
    # Boundaries in two counties were refused (“有多个地类图斑图层”) until issue 10: now each county's
    # official layers analyse its boundary (tests/analysis/test_overlay_counties.py).
    body = json.loads(run(boundary_file(POLYGON, SHENXIAN), "--json"))
    assert {u["slug"] for u in body["layers"] if u["kind"] == "dltb"} == {"371525-dltb", "371522-dltb"}
