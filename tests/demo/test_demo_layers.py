"""The demo layers: a synthetic 地类图斑 and four control layers per demo county, imported through the real
import service, covering the county, lying inside its outline and filed under its villages; the county's own
export of its DLTB passes `manage.py overlay --region` (issue 10 item 8)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.urls import reverse

from landguard.analysis import services as analysis
from landguard.core.scope import scope_for
from landguard.demo.layers import DEMO_SOURCE, load_demo_layers
from landguard.layers.models import Feature, Layer, LayerKind, LayerVersion
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["371525", "371522"])
def test_each_demo_county_has_a_dltb_and_four_control_layers(code):
    kinds = set(Layer.objects.filter(region_code=code, versions__source=DEMO_SOURCE).values_list("kind", flat=True))
    assert kinds == {LayerKind.DLTB, LayerKind.BASIC_FARMLAND, LayerKind.ECO_REDLINE, LayerKind.DEV_BOUNDARY,
                     LayerKind.APPROVED}


def test_demo_dltb_covers_guanxian_and_is_filed_under_its_villages():
    county = Region.objects.get(code="371525", retired_in__isnull=True)
    version = Layer.objects.get(region_code="371525", kind=LayerKind.DLTB).versions.get(is_current=True)
    # The parcels are cut to the outline and tile it (as a real 三调 DLTB tiles its county).
    assert version.area_m2 == pytest.approx(county.area_m2, rel=1e-6)
    features = Feature.objects.filter(version=version)
    in_villages = features.filter(region_code__regex=r"^371525\d{6}$").count()
    assert in_villages / features.count() > 0.98


def test_demo_dltb_carries_the_ownership_of_every_parcel():
    version = Layer.objects.get(region_code="371525", kind=LayerKind.DLTB).versions.get(is_current=True)
    assert version.field_mapping["QSXZ"] == "QSXZ"
    features = Feature.objects.filter(version=version)
    codes = set(features.values_list("qsxz", flat=True))
    assert codes <= {"10", "20", "30", "31", "32", "40"} and {"10", "31"} <= codes  # none blank
    state = features.filter(qsxz__in=["10", "20"]).count()
    assert 0 < state < features.count() / 2  # a rural county: mostly 集体
    assert not features.filter(code__in=["1001", "1003"]).exclude(qsxz="10").exists()  # railways and roads: 国有


def test_loading_the_demo_layers_again_changes_nothing():
    before = Layer.objects.count()
    assert load_demo_layers() == 0
    assert Layer.objects.count() == before


def _outline(code: str) -> shapely.Geometry:
    return shapely.from_wkb(bytes(Region.objects.get(code=code, retired_in__isnull=True).geom.wkb))


@pytest.mark.parametrize("code", ["371525", "371522"])
def test_every_demo_layer_feature_lies_inside_its_county_outline(code):
    # 1e-7° (~1 cm): the cut's own rounding; a parcel sticking out by a metre would fail.
    outline = shapely.buffer(_outline(code), 1e-7)
    shapely.prepare(outline)
    versions = LayerVersion.objects.filter(layer__region_code=code, source=DEMO_SOURCE, is_current=True)
    assert versions.count() == 5
    for version in versions:
        wkb = Feature.objects.filter(version=version).values_list("geom", flat=True)
        geoms = shapely.from_wkb([bytes(g.wkb) for g in wkb])
        outside = np.flatnonzero(~shapely.covers(outline, geoms))
        assert not len(outside), f"{version.layer.name}: {len(outside)} features stick out"


def test_the_exported_demo_dltb_passes_overlay_with_the_county_region(client_for, county_admin, tmp_path, capsys):
    dltb = Layer.objects.get(region_code="371525", kind=LayerKind.DLTB)
    url = reverse("layerdata:features", args=[dltb.slug])
    client, features, offset = client_for(county_admin), [], 0
    while True:  # the layer's own GeoJSON export, page by page
        page = client.get(url, {"limit": 10_000, "offset": offset}).json()
        features += page["features"]
        offset += len(page["features"])
        if offset >= page["numberMatched"] or not page["features"]:
            break
    assert len(features) == dltb.versions.get(is_current=True).feature_count
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    county = Region.objects.get(code="371525", retired_in__isnull=True)
    scope = scope_for(county_admin)
    analysis.check_boundaries(scope, geoms)  # the whole export lies in the county (raised OverlayError before)
    # The command on the parcels along the county line, the ones that used to stick out.
    line = shapely.boundary(_outline("371525"))
    border = [f for f, g in zip(features, geoms, strict=True) if shapely.intersects(line, g)]
    assert len(border) > 100
    path = tmp_path / "冠县地类图斑边缘.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": border}, ensure_ascii=False), encoding="utf-8")
    call_command("overlay", str(path), "--region", county.code, "--json")
    result = json.loads(capsys.readouterr().out)
    assert len(result["results"]) == len(border)
    # Each parcel is all DLTB: nothing uncovered beyond the export's rounding (1e-9°, ~0.1 mm along its edge).
    assert max(r["uncovered"]["m2"] for r in result["results"]) < 1.0
