"""卫片执法: monthly change-patch batches imported in one transaction, each patch classified by the overlay
engine (耕地 touched, inside 永久基本农田, covered by 已批), judged on verification, and the illegal farmland
occupation ratio per township and county. Each patch becomes a clue through intake.open_clue, as every source
does: a patch over an open camera clue joins it as one more detection; any other patch opens a clue of its own,
with its audit entry.

The import reads the file through landguard.formats.read_layer (shapefile/zip, GeoPackage, GeoJSON …),
so encodings and coordinate systems are handled as for any layer. Any bad row — no JCBH, a repeated JCBH, a
geometry that is not a valid polygon, a patch outside the county, an unreadable MJ — rejects the whole
batch with a message naming the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.analysis.services import OverlayError, boundary_names, classify_patches
from landguard.audit import services as audit
from landguard.core import clock
from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.core.scope import RegionScope, scope_for
from landguard.formats import read_layer
from landguard.formats.base import LayerReadError
from landguard.engine.checks import LayerDataError
from landguard.layers.models import LayerKind
from landguard.regions.models import Level, Region
from landguard.supervision import geo, intake, tunables
from landguard.people.models import Role
from landguard.supervision.models import (
    JUDGEMENT_REASONS, Detection, Judgement, OfficialFarmlandFigure, Patch, PatchBatch, SourceKind,
)

FIELDS = ("JCBH", "TBLX", "QSX", "HSX", "DLBM", "SFYN", "SFHX", "MJ")
_MAX_NAMED = 10
_YES = {"是", "1", "Y", "YES", "TRUE", "T"}
_NO = {"否", "0", "N", "NO", "FALSE", "F", ""}


class PatchImportError(Exception):
    """The batch is rejected; the message names the rows at fault."""


def _named(labels, indices) -> str:
    shown = "、".join(labels[i] for i in indices[:_MAX_NAMED])
    return shown + (_(" 等共 %(count)s 个") % {"count": len(indices)} if len(indices) > _MAX_NAMED else "")


def _flag(value, label: str, field: str, bad: list[str]) -> bool | None:
    if value is None:
        return None
    text = str(value).strip().upper()
    if text in _YES:
        return True
    if text in _NO:
        return False if text else None
    bad.append(_("%(row)s：%(field)s 应为 是/否，实为“%(value)s”") % {"row": label, "field": field, "value": value})
    return None


def import_batch(path: str | Path, *, actor, county: Region, name: str, month: dt.date, original_name: str = "",
                 encoding: str | None = None, crs: str | None = None, is_synthetic: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> PatchBatch:
    """Import a batch: everything is read and checked first, then written in one transaction. `progress(done,
    total)` is called as patches are written (the background job shows it; the transaction hides the rows
    themselves until the end)."""
    # 1. Refusals that need no file: the county, the actor's scope, a batch name already used in the county (the
    #    unique constraint patchbatch_unique_name refuses the second of two imports racing with one name).
    if county.level != Level.COUNTY:
        raise PatchImportError(_("卫片批次须属于一个县（区）"))
    if actor is not None and not scope_for(actor).contains(county.code):
        raise PermissionDenied(_("该行政区不在您的数据范围内。"))
    if PatchBatch.objects.filter(region_code=county.code, name=name).exists():
        raise PatchImportError(_("批次“%(name)s”已导入") % {"name": name})
    # 2. Read the file as any layer is read (encoding, CRS to CGCS2000, invalid geometries named).
    try:
        data = read_layer(path, encoding=encoding, crs=crs)
    except LayerReadError as exc:
        raise PatchImportError(str(exc)) from None
    if data.invalid:
        raise PatchImportError(_("几何无效：%(lines)s") % {"lines": "；".join(data.invalid_messages()[:_MAX_NAMED])})
    if not len(data):
        raise PatchImportError(_("文件中没有图斑"))
    columns = {f.upper(): f for f in data.fields}
    if "JCBH" not in columns:
        raise PatchImportError(_("缺少字段 JCBH（图斑编号）；文件字段：%(fields)s")
                               % {"fields": "、".join(data.fields)})
    labels = data.feature_labels
    rows = list(data.rows())
    value = lambda row, field: row.get(columns[field]) if field in columns else None  # noqa: E731

    # 3. Check every row before anything is written; all faults are reported together, naming the rows.
    problems: list[str] = []
    jcbh = [str(value(r, "JCBH") or "").strip() for r in rows]
    if empty := [i for i, v in enumerate(jcbh) if not v]:
        problems.append(_("%(rows)s：JCBH 为空") % {"rows": _named(labels, empty)})
    seen: dict[str, int] = {}
    for i, v in enumerate(jcbh):
        if v and v in seen:
            problems.append(_("%(row)s：JCBH %(jcbh)s 与%(first)s重复")
                            % {"row": labels[i], "jcbh": v, "first": labels[seen[v]]})
        seen.setdefault(v, i)
    geoms = np.asarray(data.geometries)
    if bad := [i for i, g in enumerate(geoms) if g is None or shapely.get_type_id(g) not in (3, 6)]:
        problems.append(_("%(rows)s：不是面（多边形）") % {"rows": _named(labels, bad)})
    declared: list[float | None] = []
    for i, r in enumerate(rows):
        raw = value(r, "MJ")
        try:
            declared.append(None if raw in (None, "") else float(raw))
        except (TypeError, ValueError):
            problems.append(_("%(row)s：MJ 不是数字（“%(value)s”）") % {"row": labels[i], "value": raw})
            declared.append(None)
    sfyn = [_flag(value(r, "SFYN"), labels[i], "SFYN", problems) for i, r in enumerate(rows)]
    sfhx = [_flag(value(r, "SFHX"), labels[i], "SFHX", problems) for i, r in enumerate(rows)]
    if problems:
        raise PatchImportError("；".join(problems[:_MAX_NAMED]))

    # 4. Classify all patches at once on the county's current 地类图斑, 永久基本农田 and 已批 layers (the engine
    #    is vectorised: one pass, not one overlay per patch), and place each in its village or township.
    multi = np.array([g if shapely.get_type_id(g) == 6 else shapely.multipolygons([g]) for g in geoms], dtype=object)
    scope = RegionScope(prefixes=(county.code,), root_code=county.code)
    layers = intake.current_layers(county.code)
    classified = None
    if LayerKind.DLTB in layers:
        try:
            classified = classify_patches(scope=scope, patches=multi, dltb=layers[LayerKind.DLTB],
                                          basic_farmland=layers.get(LayerKind.BASIC_FARMLAND),
                                          approved=layers.get(LayerKind.APPROVED))
        except OverlayError as exc:
            raise PatchImportError(f"{boundary_names(exc.boundary_indices, labels)}：{exc.reason}") from None
        except LayerDataError as exc:
            raise PatchImportError(str(exc)) from None
    areas = ellipsoidal_area_m2(multi)
    located = geo.locate_many(multi, county)
    if outside := [i for i, loc in enumerate(located) if loc is None]:
        raise PatchImportError(_("%(rows)s：不在%(county)s范围内")
                               % {"rows": _named(labels, outside), "county": county.name})

    # 5. Write, in one transaction, so a failure leaves nothing behind. Steps 1–4 only read, so they run before
    #    it: on SQLite a transaction holds the database's write lock from its first statement (BEGIN IMMEDIATE,
    #    settings.py), and alarms arriving meanwhile wait only for the writing, not for the reading and the
    #    overlay. The only row lock taken inside is the one `join` takes on a camera clue a patch fuses into,
    #    so that an alarm fused into the same clue at the same moment does not lose its count.
    with transaction.atomic():
        now = clock.now()
        batch = PatchBatch.objects.create(name=name, month=month.replace(day=1), region=county, region_code=county.code,
                                          original_name=original_name[:255], patch_count=len(rows),
                                          imported_by=actor if getattr(actor, "pk", None) else None, imported_at=now,
                                          is_synthetic=is_synthetic)
        skip = {columns[f] for f in FIELDS if f in columns}
        for i, row in enumerate(rows):
            if progress is not None and i % 20 == 0:
                progress(i, len(rows))
            loc = located[i]
            geom = GEOSGeometry(memoryview(shapely.to_wkb(multi[i])), srid=4490)
            centre = geom.point_on_surface
            centre.srid = 4490
            farmland = float(classified.farmland_net_m2[i]) if classified is not None else None
            basic = classified.basic_farmland_m2 if classified is not None else None
            approved = classified.approved_m2 if classified is not None else None
            main_code = str(classified.main_code[i]) if classified is not None else ""
            # 5a. The patch's clue through open_clue, as for every source: it joins the open camera clue whose
            #     target lies on it, or opens a clue of its own with the batch's analysis and an audit entry.
            enrichment = intake.Enrichment(
                touches_farmland=(farmland > 0) if farmland is not None else None,
                touches_basic_farmland=bool(basic[i] > 0) if basic is not None else sfyn[i],
                touches_eco_redline=sfhx[i],
                explained_by_approval=bool(not classified.not_covered_by_approval[i]) if approved is not None else None,
                farmland_m2=farmland, main_land_code=main_code)
            detection = Detection(kind=SourceKind.SATELLITE, event_id="", observed_at=now, received_at=now,
                                  location=centre, note=f"{batch.name} {jcbh[i]}")
            clue = intake.open_clue(detection=detection, located=loc, county=county, actor=actor, patch=geom,
                                    enrichment=enrichment, title=_("卫片图斑 %(jcbh)s") % {"jcbh": jcbh[i]},
                                    is_synthetic=is_synthetic)
            # 5b. The patch itself, linked to its clue.
            Patch.objects.create(
                batch=batch, jcbh=jcbh[i], tblx=str(value(row, "TBLX") or "")[:10],
                qsx=str(value(row, "QSX") or "")[:20], hsx=str(value(row, "HSX") or "")[:20],
                dlbm=str(value(row, "DLBM") or "")[:10], sfyn=sfyn[i], sfhx=sfhx[i],
                declared_m2=declared[i], area_m2=float(areas[i]), farmland_m2=farmland,
                basic_farmland_m2=float(basic[i]) if basic is not None else None,
                approved_m2=float(approved[i]) if approved is not None else None, main_code=main_code,
                geom=geom, region_code=loc.region_code, township_code=loc.township_code, year=month.year,
                properties={k: _plain(v) for k, v in row.items() if k not in skip}, clue=clue,
                is_synthetic=is_synthetic)
        if progress is not None:
            progress(len(rows), len(rows))
        # 6. The batch's own audit entry (each new clue has had its own in 5a).
        audit.record(actor=actor, action="import", target=batch, region_code=county.code,
                     changes={"patch_count": [None, len(rows)]}, note=original_name[:300])
    return batch


def _plain(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


@transaction.atomic
def judge(*, actor, patch: Patch, judgement: str, reason: str, rectification: str = "", rectification_kind: str = "",
          evidence: str = "") -> Patch:
    """Record the verification of a patch: 合法/违法/其他 with its sub-reason; for 违法, the rectification."""
    patch = Patch.objects.select_for_update().get(pk=patch.pk)
    if not scope_for(actor).contains(patch.region_code):
        raise PermissionDenied(_("该图斑不在您的数据范围内。"))
    if judgement not in Judgement.values:
        raise ValidationError({"judgement": _("请选择判定结果")})
    if reason not in dict(JUDGEMENT_REASONS[judgement]):
        raise ValidationError({"judgement_reason": _("判定依据与判定结果不符")})
    if judgement == Judgement.ILLEGAL and rectification not in Patch.Rectification.values:
        raise ValidationError({"rectification": _("违法图斑须填写整改状态")})
    if rectification == Patch.Rectification.DONE and not rectification_kind:
        raise ValidationError({"rectification_kind": _("已整改须填写整改方式")})
    before = audit.snapshot(patch, ["judgement", "judgement_reason", "rectification", "rectification_kind", "evidence"])
    patch.judgement, patch.judgement_reason, patch.evidence = judgement, reason, evidence.strip()
    patch.rectification = rectification if judgement == Judgement.ILLEGAL else ""
    patch.rectification_kind = rectification_kind if judgement == Judgement.ILLEGAL else ""
    patch.judged_by, patch.judged_at = actor, clock.now()
    patch.save()
    audit.record_update(actor=actor, target=patch, before=before, region_code=patch.region_code,
                        note=gettext_lazy("图斑核查判定"))
    return patch


# --- the illegal farmland occupation ratio ------------------------------------------------------------------------

FORMULA = gettext_lazy("违法占用耕地比例 = 当年判定为“违法”的卫片图斑占用耕地面积 ÷ 当年新增建设用地占用耕地总面积；"
            "分母优先采用本局填报的年度变更调查官方数，未填报时以当年判定为“合法”和“违法”的图斑占用耕地面积之和代替"
            "（仅为估算：一个违法图斑即可使比例达到 100%）；耕地面积为扣除田坎后的净面积（CGCS2000 椭球面积）")


class Denominator:
    OFFICIAL = "official"
    PATCHES = "patches"


DENOMINATOR_LABELS = {Denominator.OFFICIAL: gettext_lazy("官方数（年度变更调查）"),
                      Denominator.PATCHES: gettext_lazy("估算（当年已判定图斑）")}


@dataclass(frozen=True)
class Ratio:
    code: str
    name: str
    illegal_m2: float
    total_m2: float
    threshold: float
    strict: bool = False  # 超过 (>) when True, 达到 (≥) when False
    denominator: str = Denominator.PATCHES
    source: str = ""

    @property
    def ratio(self) -> float | None:
        return self.illegal_m2 / self.total_m2 if self.total_m2 else None

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else round(self.ratio * 100, 2)

    @property
    def denominator_label(self) -> str:
        return str(DENOMINATOR_LABELS[self.denominator])

    @property
    def comparison(self) -> str:
        return ">" if self.strict else "≥"

    @property
    def level(self) -> str:
        """"over" when the threshold is reached (≥, 达到) or exceeded (>, 超过) as configured for it, "warn" from
        the warning share of it, else "ok"."""
        if self.ratio is None:
            return "ok"
        if self.ratio > self.threshold or (not self.strict and self.ratio >= self.threshold):
            return "over"
        return "warn" if self.ratio >= self.threshold * float(tunables.get("SUPERVISION_RATIO_WARNING_SHARE")) else "ok"


def thresholds() -> dict[str, tuple[float, bool]]:
    """The two lines (share, strict): a township's local one and a county's national one (15号令: 达到 15 %)."""
    return {"local": (float(tunables.get("SUPERVISION_RATIO_LOCAL")),
                      bool(tunables.get("SUPERVISION_RATIO_LOCAL_STRICT"))),
            "national": (float(tunables.get("SUPERVISION_RATIO_NATIONAL")),
                         bool(tunables.get("SUPERVISION_RATIO_NATIONAL_STRICT")))}


def ratios(patches, *, year: int, townships: dict[str, str], county: tuple[str, str] | None,
           official: dict | None = None) -> tuple[list[Ratio], Ratio | None]:
    """Per township (local threshold) and for the county (national threshold), from the scoped patches. The
    denominator is the region's official figure (`official`: code → OfficialFarmlandFigure) when entered, else
    the farmland of the year's patches judged 合法 or 违法."""
    official = official or {}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for code, judgement, farmland in patches.filter(year=year,
                                                    judgement__in=(Judgement.LEGAL, Judgement.ILLEGAL)).values_list(
            "township_code", "judgement", "farmland_m2"):
        sums[code][1] += farmland or 0.0
        if judgement == Judgement.ILLEGAL:
            sums[code][0] += farmland or 0.0
    lines = thresholds()

    def row(code: str, name: str, illegal: float, estimate: float, line: tuple[float, bool]) -> Ratio:
        figure = official.get(code)
        if figure is not None:
            return Ratio(code, name, illegal, figure.farmland_m2, line[0], line[1], Denominator.OFFICIAL, figure.source)
        return Ratio(code, name, illegal, estimate, line[0], line[1])

    rows = [row(code, name, sums[code][0], sums[code][1], lines["local"]) if code in sums
            else row(code, name, 0.0, 0.0, lines["local"]) for code, name in townships.items()]
    whole = None
    if county is not None:
        whole = row(county[0], county[1], sum(s[0] for s in sums.values()), sum(s[1] for s in sums.values()),
                    lines["national"])
    return rows, whole


@transaction.atomic
def set_official_farmland(*, actor, region: Region, year: int, farmland_m2: float, source: str):
    """Enter (or correct) a region's official 新增建设用地占用耕地 figure of a year, audited."""
    if not (actor.is_superuser or actor.role in (Role.ADMIN, Role.LEADER, Role.STAFF)):
        raise PermissionDenied(_("只有县局管理员、领导或业务人员可以填报官方数。"))
    if not scope_for(actor).contains(region.code):
        raise PermissionDenied(_("该区域不在您的数据范围内。"))
    if farmland_m2 < 0:
        raise ValidationError({"farmland_m2": _("面积不能为负数")})
    if not source.strip():
        raise ValidationError({"source": _("请填写数据来源")})
    figure = OfficialFarmlandFigure.objects.select_for_update().filter(region_code=region.code, year=year).first()
    if figure is None:
        figure = OfficialFarmlandFigure.objects.create(region=region, region_code=region.code, year=year,
                                                       farmland_m2=farmland_m2, source=source.strip()[:200],
                                                       entered_by=actor, entered_at=clock.now())
        audit.record_create(actor=actor, target=figure, region_code=region.code)
        return figure
    before = audit.snapshot(figure, ["farmland_m2", "source"])
    figure.farmland_m2, figure.source, figure.entered_by, figure.entered_at = (farmland_m2, source.strip()[:200], actor,
                                                                               clock.now())
    figure.save()
    audit.record_update(actor=actor, target=figure, before=before, region_code=region.code)
    return figure
