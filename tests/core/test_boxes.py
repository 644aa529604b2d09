"""A grown search box holds every point within the distance, at any azimuth and latitude (a prefilter that must
never miss a candidate), and a box carries CGCS2000's SRID."""

import numpy as np
import pytest
from pyproj import Geod

from landguard.core.boxes import box, grown

GEOD = Geod(ellps="GRS80")


@pytest.mark.parametrize("lat", [0.0, 36.5, 53.5, 80.0])
def test_grown_box_holds_every_point_within_the_distance(lat):
    west, south, east, north = grown((115.5, lat, 115.6, lat + 0.05), 2_000)
    azimuths = np.arange(0, 360, 5.0)
    for corner_lon, corner_lat in ((115.5, lat), (115.6, lat + 0.05)):
        lons, lats, _ = GEOD.fwd(np.full(len(azimuths), corner_lon), np.full(len(azimuths), corner_lat), azimuths,
                                 np.full(len(azimuths), 2_000.0))
        assert (lons >= west).all() and (lons <= east).all() and (lats >= south).all() and (lats <= north).all()


def test_grown_box_is_not_needlessly_wide():
    west, south, east, north = grown((115.5, 36.5, 115.5, 36.5), 1_000)
    assert north - 36.5 < 1_000 / 110_574 * 1.02 and east - 115.5 < 1_000 / (111_320 * np.cos(np.radians(36.5))) * 1.02


def test_box_is_in_cgcs2000():
    polygon = box((115.0, 36.0, 116.0, 37.0))
    assert polygon.srid == 4490 and polygon.extent == (115.0, 36.0, 116.0, 37.0)
