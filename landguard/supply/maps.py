"""The supply maps' GeoJSON (a parcel with the dossiers it was cut from; the 供地率 page's layers: 批而未供
remainders, idle parcels, parcels in arrears) and the 批而未供 table's xlsx columns. Geometry differences are cut
with shapely on the stored EPSG:4490 geometries; the areas shown are the stored ellipsoidal ones."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import shapely
from django.utils.translation import gettext as _

from landguard.core.exports import ExportColumn
from landguard.core.geodesy import SQM_PER_MU, hectares, mu
from landguard.core.scope import RegionScope
from landguard.supply import rates, selectors
from landguard.supply.models import ItemKind, SupplyPiece, SupplyRecord, TwoClearItem

LAYERS = ("remainder", "idle", "arrears")


def _feature(geometry: shapely.Geometry, layer: str, name: str, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": json.loads(shapely.to_geojson(geometry)),
            "properties": {"layer": layer, "name": name, **props}}


def _shape(geos) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geos.wkb))


def record_features(record: SupplyRecord) -> list[dict[str, Any]]:
    features = [_feature(_shape(p.dossier.boundary), "dossier", p.dossier.name)
                for p in record.pieces.select_related("dossier")]
    features.append(_feature(_shape(record.geometry), "parcel", record.parcel_no, mu=mu(record.area_m2)))
    return features


def layers(scope: RegionScope, today: dt.date, only: str | None = None) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    if only in (None, "remainder"):
        dossiers = rates.approved_dossiers(scope).defer(None).defer("region__geom").filter(total_m2__gt=0)
        for row in rates.dossier_supply(dossiers):
            if row.remainder_m2 < 1.0:
                continue
            land = _shape(row.dossier.boundary)
            taken = [_shape(p.geometry) for p in SupplyPiece.objects.filter(dossier=row.dossier).exclude(
                supply__status=SupplyRecord.Status.RECOVERED)]
            rest = shapely.difference(land, shapely.union_all(taken)) if taken else land
            if not shapely.is_empty(rest):
                features.append(_feature(rest, "remainder", row.dossier.name, mu=mu(row.remainder_m2)))
    open_items = selectors.items(scope).exclude(status=TwoClearItem.Status.CLOSED)
    for layer, kinds in (("idle", (ItemKind.IDLE, ItemKind.RECOVER)), ("arrears", (ItemKind.ARREARS,))):
        if only not in (None, layer):
            continue
        ids = open_items.filter(kind__in=kinds).values("supply_id")
        records = selectors.supplies(scope).select_related(None).filter(pk__in=ids)
        for record in records.only("pk", "parcel_no", "geometry", "area_m2"):
            features.append(_feature(_shape(record.geometry), layer, record.parcel_no, mu=mu(record.area_m2)))
    return features


def rate_table(rows: list[rates.DossierSupply], today: dt.date) -> tuple[list[ExportColumn], list[list[Any]]]:
    columns = [ExportColumn(_("批次/项目名称")), ExportColumn(_("批复文号")), ExportColumn(_("批复日期")),
               ExportColumn(_("批准面积（亩）"), "#,##0.0000"), ExportColumn(_("已供面积（亩）"), "#,##0.0000"),
               ExportColumn(_("批而未供面积（亩）"), "#,##0.0000"),
               ExportColumn(_("批而未供面积（公顷）"), "#,##0.0000"),
               ExportColumn(_("供地率（%）"), "0.00"), ExportColumn(_("批复以来（天）"), "#,##0")]
    out = [[r.dossier.name, r.dossier.approval_no, r.dossier.approved_on, round(r.approved_m2 / SQM_PER_MU, 4),
            round(r.supplied_m2 / SQM_PER_MU, 4), round(r.remainder_m2 / SQM_PER_MU, 4), hectares(r.remainder_m2),
            float(r.rate) if r.rate is not None else None, r.age_days(today)] for r in rows]
    return columns, out
