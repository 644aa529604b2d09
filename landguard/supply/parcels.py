"""A supply parcel cut from approved land: the parcel must lie inside approved dossiers (批而未供 land) and must not
overlap an earlier live supply. Every area is the CGCS2000 ellipsoidal area (core.geodesy); below TOLERANCE_M2 a
sliver is the float noise of two digitisations of one line, not land."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from landguard.approvals.models import Dossier
from landguard.approvals.spatial import TOLERANCE_M2
from landguard.core.geodesy import ellipsoidal_area_m2, mu
from landguard.core.text import join_list
from landguard.projects import boundaries
from landguard.supply.models import SupplyRecord


@dataclass(frozen=True)
class Cut:
    dossier: Dossier
    geometry: shapely.Geometry  # MultiPolygon, EPSG:4490
    area_m2: float


def area_m2(geometry: shapely.Geometry) -> float:
    return float(ellipsoidal_area_m2(geometry)[0])


def _multi(geometry: shapely.Geometry) -> shapely.Geometry | None:
    polygons = [g for g in shapely.get_parts(geometry) if shapely.get_type_id(g) == 3 and not shapely.is_empty(g)]
    return shapely.multipolygons(polygons) if polygons else None


def geometry_of(record_geometry) -> shapely.Geometry:
    return shapely.from_wkb(bytes(record_geometry.wkb))


def cut(parcel: shapely.Geometry, parcel_no: str, *, exclude: int | None = None) -> list[Cut]:
    """The parcel's pieces, one per approved dossier it lies in. ValidationError naming the parcel when part of it
    lies outside approved land, or naming the earlier supply it overlaps."""
    parcel = boundaries.checked_boundary(parcel)
    geos = boundaries.to_geos(parcel)
    approved = list(Dossier.objects.filter(status=Dossier.Status.APPROVED, boundary__intersects=geos)
                    .only("pk", "name", "boundary", "region_code", "approved_on").order_by("approved_on", "pk"))
    pieces = []
    for dossier in approved:
        piece = _multi(shapely.intersection(parcel, geometry_of(dossier.boundary)))
        if piece is not None and (a := area_m2(piece)) >= TOLERANCE_M2:
            pieces.append(Cut(dossier, piece, a))
    covered = shapely.union_all([p.geometry for p in pieces]) if pieces else None
    outside = parcel if covered is None else shapely.difference(parcel, covered)
    outside_m2 = area_m2(outside) if not shapely.is_empty(outside) else 0.0
    if outside_m2 >= TOLERANCE_M2:
        if not pieces:
            raise ValidationError(_("宗地“%(no)s”不在任何已批复的报批卷宗范围内，不能供地"
                                    "（应先办理农用地转用和征收批复）。")
                                  % {"no": parcel_no})
        raise ValidationError(_("宗地“%(no)s”有 %(ha)s 公顷（%(mu)s 亩）不在已批复用地范围内"
                                "（已批部分位于：%(names)s），"
                                "请按批复范围修改宗地界线。") % {
            "no": parcel_no, "ha": f"{outside_m2 / 10_000:,.4f}", "mu": f"{mu(outside_m2):,.2f}",
            "names": join_list(f"“{p.dossier.name}”" for p in pieces)})
    _refuse_overlap(parcel, parcel_no, geos, exclude)
    return pieces


def _refuse_overlap(parcel: shapely.Geometry, parcel_no: str, geos, exclude: int | None) -> None:
    earlier = (SupplyRecord.objects.exclude(status=SupplyRecord.Status.RECOVERED)
               .filter(geometry__intersects=geos).only("pk", "parcel_no", "land_user", "geometry"))
    if exclude is not None:
        earlier = earlier.exclude(pk=exclude)
    clashes = []
    for other in earlier:
        shared = _multi(shapely.intersection(parcel, geometry_of(other.geometry)))
        if shared is not None and (a := area_m2(shared)) >= TOLERANCE_M2:
            clashes.append(_("“%(no)s”（%(user)s，重叠 %(mu)s 亩）") % {"no": other.parcel_no, "user": other.land_user,
                                                                   "mu": f"{mu(a):,.2f}"})
    if clashes:
        raise ValidationError(_("宗地“%(no)s”与已供宗地重叠：%(others)s。同一块土地不能重复供应。")
                              % {"no": parcel_no, "others": join_list(clashes)})
