"""A real GIS client against the running server: GDAL's OGC API – Features driver (what ogr2ogr and QGIS's
provider build on) reads the demo county's 地类图斑 layer through /ogc/ with HTTP Basic, as a township officer.

In the browser suite because it needs a server on a port; it drives no browser."""

from __future__ import annotations

import pyogrio
import pyogrio.raw
import pytest
import shapely

from landguard.demo.personas import DEMO_PASSWORD, TOWNSHIP_OFFICER

pytestmark = pytest.mark.browser

SLUG = "371525-dltb"


@pytest.fixture
def gdal_basic_auth():
    pyogrio.set_gdal_config_options(
        {"GDAL_HTTP_AUTH": "BASIC", "GDAL_HTTP_USERPWD": f"{TOWNSHIP_OFFICER}:{DEMO_PASSWORD}"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": None, "GDAL_HTTP_USERPWD": None})


def test_gdal_oapif_lists_the_layers_and_reads_a_box_of_features_with_their_official_areas(server_url, gdal_basic_auth):
    source = f"OAPIF:{server_url}/ogc/"
    layers = [name for name, _geometry in pyogrio.list_layers(source)]
    assert SLUG in layers and not any(name.startswith("371522") for name in layers)  # 莘县 is not the officer's
    _meta, _fids, first, _fields = pyogrio.raw.read(source, layer=SLUG, max_features=1)
    west, south, east, north = shapely.from_wkb(first[0]).bounds
    box = (west - 0.002, south - 0.002, east + 0.002, north + 0.002)  # around a feature the officer may see
    meta, _fids, geometry, fields = pyogrio.raw.read(source, layer=SLUG, bbox=box, max_features=500, PAGE_SIZE=10000)
    columns = dict(zip(meta["fields"], fields, strict=True))
    assert len(geometry) > 0 and "feature_no" in columns and "fid" not in columns
    shapes = shapely.from_wkb(geometry)
    assert all(shapely.intersects(shapes, shapely.box(*box)))  # the driver sent the box; the server honoured it
    assert all(code.startswith("371525001") for code in columns["region_code"])  # scoped to the officer's township
    assert all(area > 0 for area in columns["area_m2"])
