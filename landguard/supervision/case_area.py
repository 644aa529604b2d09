"""A case's occupied area as the field officer sketches it on site, and the 耕地 in it as the overlay engine
computes it. A case opened from a clue no longer takes the clue's analysis disc (a 30 m circle around the alarm
point) as its farmland: until a sketch is saved, its 耕地 is 未测定 (None)."""

from __future__ import annotations

import json
import logging
from typing import cast

import shapely
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.analysis.services import OverlayError, overlay_boundaries
from landguard.audit import services as audit
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import RegionScope
from landguard.engine.checks import LayerDataError
from landguard.layers.models import LayerKind, LayerVersion
from landguard.supervision import cases, geo, intake
from landguard.supervision.models import Case

log = logging.getLogger(__name__)

MAX_SKETCH_M2 = 10_000_000.0  # 1 000 公顷: anything larger is a mistake, not a building site


def parse_sketch(text: str) -> MultiPolygon:
    """A GeoJSON Polygon / MultiPolygon (or a Feature of one) in CGCS2000 longitude/latitude."""
    try:
        data = json.loads(text)
        if data.get("type") == "Feature":
            data = data.get("geometry") or {}
        geom = GEOSGeometry(json.dumps(data))  # GeoJSON is read as EPSG:4326: the coordinates are CGCS2000's
        geom.srid = 4490
    except (ValueError, TypeError, AttributeError, GEOSException):
        raise ValidationError({"geojson": _("请在地图上勾绘占地范围（GeoJSON 面）")}) from None
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4490)
    if not isinstance(geom, MultiPolygon) or geom.empty:
        raise ValidationError({"geojson": _("占地范围须为面")})
    if not geom.valid:  # a self-crossing sketch: its valid parts
        parts = [p for part in shapely.get_parts(shapely.make_valid(geo.shapely_of(geom)))
                 for p in shapely.get_parts(part) if p.geom_type == "Polygon"]
        if not parts:
            raise ValidationError({"geojson": _("占地范围须为面")})
        geom = GEOSGeometry(memoryview(shapely.MultiPolygon(parts).wkb), srid=4490)
    if not isinstance(geom, MultiPolygon):
        raise ValidationError({"geojson": _("占地范围须为面")})
    return geom


def measure(geom: MultiPolygon, county_code: str) -> tuple[float, float | None]:
    """(ellipsoidal area, 耕地 net of 田坎) of the sketch; 耕地 None when no DLTB layer or the engine refuses."""
    area = float(ellipsoidal_area_m2([geo.shapely_of(geom)])[0])
    dltb = intake.current_layers(county_code).get(LayerKind.DLTB)
    if dltb is None:
        return area, None
    scope = RegionScope(prefixes=(county_code,), root_code=county_code)
    try:
        (result,) = overlay_boundaries(scope=scope, boundaries=[geo.shapely_of(geom)], dltb=cast(LayerVersion, dltb),
                                       controls=[])
    except (OverlayError, LayerDataError) as exc:
        log.warning("case sketch overlay failed: %s", exc)
        return area, None
    return area, round(result.farmland_net_m2, 2)


@transaction.atomic
def sketch_occupied(*, actor, case: Case, geojson: str) -> Case:
    """Save the occupied area sketched on site: the case's 违法占地面积 and its 耕地 follow from it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    cases.require_case_worker(actor, case.region_code)
    geom = parse_sketch(geojson)
    area, farmland = measure(geom, case.region_code[:6])
    if area > MAX_SKETCH_M2:
        raise ValidationError({"geojson": _("勾绘范围过大，请核对")})
    before = audit.snapshot(case, ["illegal_area_m2", "farmland_m2"])
    case.occupied, case.illegal_area_m2, case.farmland_m2 = geom, round(area, 2), farmland
    case.save(update_fields=["occupied", "illegal_area_m2", "farmland_m2"])
    audit.record_update(actor=actor, target=case, before=before, region_code=case.region_code,
                        note=gettext_lazy("现场勾绘占地范围"))
    return case
