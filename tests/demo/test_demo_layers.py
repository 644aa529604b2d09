"""The demo layers: a synthetic 地类图斑 and four control layers per demo county, imported through the real
import service, covering the county and filed under its villages."""

from __future__ import annotations

import pytest

from landguard.demo.layers import DEMO_SOURCE, load_demo_layers
from landguard.layers.models import Feature, Layer, LayerKind
from landguard.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["371525", "371522"])
def test_each_demo_county_has_a_dltb_and_four_control_layers(code):
    kinds = set(Layer.objects.filter(region_code=code, versions__source=DEMO_SOURCE).values_list("kind", flat=True))
    assert kinds == {LayerKind.DLTB, LayerKind.BASIC_FARMLAND, LayerKind.ECO_REDLINE, LayerKind.DEV_BOUNDARY, LayerKind.APPROVED}


def test_demo_dltb_covers_guanxian_and_is_filed_under_its_villages():
    county = Region.objects.get(code="371525", retired_in__isnull=True)
    version = Layer.objects.get(region_code="371525", kind=LayerKind.DLTB).versions.get(is_current=True)
    # Parcels are kept by their representative point, so the total follows the outline to within a ragged edge.
    assert version.area_m2 == pytest.approx(county.area_m2, rel=0.01)
    features = Feature.objects.filter(version=version)
    in_villages = features.filter(region_code__regex=r"^371525\d{6}$").count()
    assert in_villages / features.count() > 0.98


def test_loading_the_demo_layers_again_changes_nothing():
    before = Layer.objects.count()
    assert load_demo_layers() == 0
    assert Layer.objects.count() == before
