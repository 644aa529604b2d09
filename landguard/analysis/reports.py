"""An overlay analysis as people read it: the sections of the page, the xlsx and docx reports, the map's
GeoJSON and the API's JSON, all built from the same OverlayResults so every figure agrees everywhere.

Areas are the engine's official CGCS2000 ellipsoidal areas; 公顷 are shown to 4 decimals and 亩 to 2
(domain.md §2.3), rounded only here, at the point of display.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from shapely.geometry import mapping

from landguard.core import documents
from landguard.core.exports import display_width, print_setup
from landguard.core.geodesy import hectares, mu
from landguard.engine.clipping import DEFAULT_SLIVER_TOLERANCE_M2
from landguard.engine.kinds import Verdict
from landguard.core.text import join_list
from landguard.engine.landclass import LAND_CLASSES, LEVEL1_COLOURS, LEVEL1_NAMES, UNKNOWN_CLASS_COLOUR, BigClass
from landguard.engine.ownership import Ownership, ownership_of
from landguard.engine.results import ClassArea, OverlayResult
from landguard.layers.models import LayerVersion
from landguard.shell.figures import FigureLayer, LegendEntry, map_png

TITLE = gettext_lazy("叠加分析报告")
AREA_NOTE = gettext_lazy("面积为 CGCS2000 椭球面积（与国土调查图斑面积同一算法），公顷保留 4 位小数、亩保留 2 位小数；"
                         "耕地净面积 = 毛面积 ×（1 − 扣除地类系数 KCXS），差额为田坎。")
OWNERSHIP_NOTE = gettext_lazy("权属按地类图斑的权属性质（QSXZ）：10、20 为国有，30–34、40 为集体；"
                              "图斑没有权属性质的计为“未标注”，不作推断。")
# How loud each verdict is on the page and in the reports.
SEVERITY = {
    Verdict.OCCUPIES_BASIC_FARMLAND: "danger",
    Verdict.TOUCHES_ECO_REDLINE: "danger",
    Verdict.OUTSIDE_DEV_BOUNDARY: "warn",
    Verdict.NOT_COVERED_BY_APPROVAL: "warn",
    Verdict.OCCUPIES_FARMLAND: "notice",
}
_BIG_LABELS = [(b.value, b.label) for b in BigClass]
_COORD_DECIMALS = 6  # ~0.1 m: plenty for the map, and a third of the payload of full precision


@dataclass(frozen=True)
class LayerUsed:
    name: str
    slug: str
    kind: str
    kind_label: str
    version: int
    year: int | None
    source: str
    imported_at: dt.datetime

    @classmethod
    def of(cls, v: LayerVersion) -> LayerUsed:
        return cls(v.layer.name, v.layer.slug, v.layer.kind, str(v.layer.get_kind_display()), v.number, v.year,
                   v.source,
                   v.imported_at)

    def as_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "name": self.name, "kind": self.kind, "kind_label": self.kind_label,
                "version": self.version, "year": self.year, "source": self.source,
                "imported_at": timezone.localtime(self.imported_at).isoformat()}


@dataclass(frozen=True)
class ControlRow:
    name: str
    kind_label: str
    inside_m2: float
    outside_m2: float | None


@dataclass(frozen=True)
class FlagRow:
    label: str
    severity: str
    area_m2: float
    layers: str


@dataclass(frozen=True)
class SubtotalRow:
    """The part of a boundary in one county: its figures, for the 分县小计 table."""

    code: str
    name: str
    result: OverlayResult
    big: list[ClassArea]
    controls: list[ControlRow]
    flags: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.code}）"


@dataclass(frozen=True)
class Section:
    """One boundary's figures, in the order the page and the reports show them."""

    index: int
    label: str
    result: OverlayResult
    summary: list[tuple[str, float]]
    big: list[ClassArea]
    level1: list[ClassArea]
    codes: list[ClassArea]
    controls: list[ControlRow]
    flags: list[FlagRow]
    not_evaluated: list[str]
    warnings: list[str]
    subtotals: list[SubtotalRow] = field(default_factory=list)  # one per county, for a boundary crossing county lines

    @property
    def ownership(self) -> tuple[list[str], list[list[Any]]]:
        """The 权属 table (ownership_table): headers and rows, the last the total; no rows without DLTB area."""
        return ownership_table(self.result)

    @property
    def ownership_shown(self) -> tuple[list[str], list[list[str]]]:
        """The 权属 table as the page shows it (公顷 to 4 decimals, 亩 to 2)."""
        headers, rows = self.ownership
        return headers, [shown_row(row) for row in rows]

    @property
    def has_unknown_ownership(self) -> bool:
        return Ownership.UNKNOWN.value in self.result.by_ownership


@dataclass
class OverlayReport:
    """What was analysed (boundaries, layers, in which scope, when) and the results."""

    labels: list[str]
    results: list[OverlayResult]
    dltb: LayerVersion | Sequence[LayerVersion]  # one per county for boundaries crossing county lines
    controls: Sequence[LayerVersion]
    scope_label: str
    source: str  # where the boundaries came from: a file name, or "drawn on the map"
    created: dt.datetime = field(default_factory=timezone.now)

    @property
    def layers(self) -> list[LayerUsed]:
        dltbs = [self.dltb] if isinstance(self.dltb, LayerVersion) else list(self.dltb)
        return [LayerUsed.of(v) for v in (*dltbs, *self.controls)]

    @property
    def created_local(self) -> str:
        return timezone.localtime(self.created).strftime("%Y-%m-%d %H:%M")

    def sections(self) -> list[Section]:
        return [section(i, label, r) for i, (label, r) in enumerate(zip(self.labels, self.results, strict=True))]

    def as_dict(self) -> dict[str, Any]:
        """The API's and the command's JSON: layers used and, per boundary, OverlayResult.to_dict()."""
        return {"created": timezone.localtime(self.created).isoformat(), "source": self.source,
                "layers": [layer.as_dict() for layer in self.layers],
                "results": [{"label": label, **r.to_dict()} for label,
                            r in zip(self.labels, self.results, strict=True)]}


def section(index: int, label: str, r: OverlayResult) -> Section:
    summary = [(_("分析面积"), r.gross_m2), (_("地类图斑覆盖面积"), r.dltb_m2),
               (_("耕地毛面积（含田坎）"), r.farmland_gross_m2), (_("耕地净面积（扣除田坎）"), r.farmland_net_m2),
               (_("田坎面积"), r.tiankan_m2)]
    if r.uncovered_m2 >= DEFAULT_SLIVER_TOLERANCE_M2:
        summary.append((_("无地类图斑的面积"), r.uncovered_m2))
    controls = [ControlRow(c.name, str(c.kind.label), c.inside_m2, c.outside_m2) for c in r.controls.values()]
    flags = [FlagRow(str(f.label), SEVERITY[f.verdict], f.area_m2, "、".join(f.layers)) for f in r.verdicts]
    subtotals = [SubtotalRow(p.code, p.name, p.result, list(p.result.by_big_class.values()),
                             [ControlRow(c.name, str(c.kind.label), c.inside_m2, c.outside_m2)
                              for c in p.result.controls.values()],
                             "、".join(str(f.label) for f in p.result.verdicts) or _("无"))
                 for p in r.subtotals]
    return Section(index, label, r, summary, list(r.by_big_class.values()), list(r.by_level1.values()),
                   list(r.by_code.values()), controls, flags, [str(v.label) for v in r.not_evaluated], list(r.warnings),
                   subtotals)


def subtotal_table(s: Section) -> tuple[list[str], list[list[Any]]]:
    """The 分县小计 table of a boundary crossing county lines (headers, rows with figures as numbers), its last
    row the total: area, the three big classes gross, 耕地 net, each control layer's area inside (亩)."""
    big = _BIG_LABELS
    headers = [_("县（市、区）"), _("面积（公顷）"), _("面积（亩）"),
               *[_("%(cls)s（亩）") % {"cls": label} for _k, label in big],
               _("耕地净面积（亩）"), _("管控图层区内（亩）"), _("判定")]

    def row(name: str, r: OverlayResult, controls: list[ControlRow], flags: str) -> list[Any]:
        return [name, hectares(r.gross_m2), mu(r.gross_m2),
                *[mu(r.by_big_class[k].gross_m2) if k in r.by_big_class else 0.0 for k, _label in big],
                mu(r.farmland_net_m2), "；".join(f"{c.name} {mu(c.inside_m2):,.2f}" for c in controls) or "—", flags]

    rows = [row(p.label, p.result, p.controls, p.flags) for p in s.subtotals]
    rows.append(row(str(_("合计")), s.result, s.controls, flags_text(s)))
    return headers, rows


def ownership_table(r: OverlayResult) -> tuple[list[str], list[list[Any]]]:
    """The 权属 table (国有 / 集体 / 未标注, then 合计): area in 公顷 and 亩 and, in 亩, 农用地 (with 耕地 gross and
    net), 建设用地 and 未利用地 of each ownership — the figures 征收 and 报批 read. No rows without DLTB area."""
    ag, co, un = BigClass.AGRICULTURAL, BigClass.CONSTRUCTION, BigClass.UNUSED
    headers = [_("权属"), _("面积（公顷）"), _("面积（亩）"), _("%(cls)s（亩）") % {"cls": ag.label},
               _("其中耕地（亩）"), _("耕地净面积（亩）"), _("%(cls)s（亩）") % {"cls": co.label},
               _("%(cls)s（亩）") % {"cls": un.label}]

    def row(label: str, total: float, big: dict[str, ClassArea], farm: ClassArea | None) -> list[Any]:
        def big_mu(cls: BigClass) -> float:
            return mu(big[cls.value].gross_m2) if cls.value in big else 0.0

        return [label, hectares(total), mu(total), big_mu(ag), mu(farm.gross_m2) if farm else 0.0,
                mu(farm.net_m2) if farm else 0.0, big_mu(co), big_mu(un)]

    if not r.by_ownership:
        return headers, []
    rows = [row(str(owned.label), owned.gross_m2,
                {b.value: r.by_big_class_ownership[f"{b.value}:{key}"] for b in BigClass
                 if f"{b.value}:{key}" in r.by_big_class_ownership},
                r.farmland_by_ownership.get(key))
            for key, owned in r.by_ownership.items()]
    farm_total = ClassArea("farmland", "", r.farmland_gross_m2, r.farmland_net_m2)
    rows.append(row(str(_("合计")), r.dltb_m2, r.by_big_class, farm_total))
    return headers, rows


def flags_text(s: Section) -> str:
    return "、".join(f.label for f in s.flags) or _("无")


# --- map -------------------------------------------------------------------------------------------------


def map_data(report: OverlayReport, boundaries: np.ndarray, fids: dict[int, str]) -> dict[str, Any]:
    """GeoJSON for the page's map: the boundaries, the DLTB pieces (by first-level class), the pieces of
    each control layer and the parts outside coverage layers (城镇开发边界外, 未批 …)."""
    bounds = shapely.total_bounds(boundaries) if len(boundaries) else None
    outlines, pieces, controls, outside = [], [], [], []
    for i, (label, r) in enumerate(zip(report.labels, report.results, strict=True)):
        outlines.append(_feature(boundaries[i], {"index": i, "label": label}))
        p = r.pieces
        for geom, pk, code, kcxs, gross, net, qsxz in zip(p.geometry, p.dltb_index, p.dlbm, p.kcxs, p.gross_m2,
                                                          p.net_m2, p.qsxz, strict=True):
            land = LAND_CLASSES[code]
            pieces.append(_feature(geom, {
                "boundary": i, "code": code, "name": str(land.label), "level1": land.level1_code,
                "level1_name": str(land.level1_label), "bsm": fids.get(int(pk), ""), "kcxs": round(float(kcxs), 4),
                "qsxz": qsxz, "ownership": str(ownership_of(qsxz).label),
                "gross_ha": f"{hectares(gross):,.4f}", "gross_mu": f"{mu(gross):,.2f}", "net_mu": f"{mu(net):,.2f}"}))
        for c in r.controls.values():
            for geom in c.inside_pieces:
                controls.append(_feature(geom, {"boundary": i, "layer": c.name, "kind": c.kind.value,
                                                "kind_label": str(c.kind.label)}))
            if c.outside_m2:
                outside.append(_feature(c.outside_geometry, {"boundary": i, "layer": c.name, "kind": c.kind.value,
                                                             "label": _("%(layer)s 未覆盖") % {"layer": c.name},
                                                             "area_mu": f"{mu(c.outside_m2):,.2f}"}))

    def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": [f for f in features if f is not None]}

    return {"bounds": None if bounds is None else [float(v) for v in bounds], "boundaries": collection(outlines),
            "pieces": collection(pieces), "controls": collection(controls), "outside": collection(outside)}


def _feature(geom: shapely.Geometry | None, properties: dict[str, Any]) -> dict[str, Any] | None:
    if geom is None or shapely.is_empty(geom):
        return None
    rounded = shapely.transform(geom, lambda xy: np.round(xy, _COORD_DECIMALS))
    return {"type": "Feature", "geometry": mapping(rounded), "properties": properties}


# --- xlsx ------------------------------------------------------------------------------------------------

_HEAD_FILL = PatternFill("solid", fgColor="DDE7F0")
_HA, _MU, _M2 = "0.0000", "#,##0.00", "#,##0.00"


class _Sheet:
    """Appends titled tables to a worksheet and widens columns to fit (CJK characters count double)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.widths: dict[int, int] = {}

    def line(self, *values: Any, bold: bool = False, size: int | None = None) -> None:
        self.ws.append(list(values))
        row = self.ws.max_row
        for col, value in enumerate(values, start=1):
            cell = self.ws.cell(row=row, column=col)
            if bold or size:
                cell.font = Font(bold=bold, size=size)
            if col > 1 or len(values) > 1:
                self.widths[col] = max(self.widths.get(col, 0), display_width(value))

    def table(self, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
              formats: Sequence[str | None]) -> None:
        self.line(title, bold=True)
        self.ws.append(list(headers))
        head = self.ws.max_row
        for col, header in enumerate(headers, start=1):
            cell = self.ws.cell(row=head, column=col)
            cell.font, cell.fill = Font(bold=True), _HEAD_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            self.widths[col] = max(self.widths.get(col, 0), display_width(header))
        empty = True
        for row in rows:
            empty = False
            self.ws.append(list(row))
            r = self.ws.max_row
            for col, (value, fmt) in enumerate(zip(row, formats, strict=False), start=1):
                if fmt:
                    self.ws.cell(row=r, column=col).number_format = fmt
                shown = f"{value:,.4f}" if isinstance(value, float) else value
                self.widths[col] = max(self.widths.get(col, 0), display_width(shown))
        if empty:
            self.ws.append([_("无")])
        self.ws.append([])

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, width + 2))
        # Several tables on one sheet: the title line repeats on each printed page, not a header row.
        print_setup(self.ws, columns=max(self.widths, default=1), title_rows=1)


def _class_rows(rows: list[ClassArea], *, with_code: bool) -> list[list[Any]]:
    return [[*([r.key] if with_code else []), str(r.label), hectares(r.gross_m2), mu(r.gross_m2), hectares(r.net_m2),
             mu(r.net_m2)]
            for r in rows]


def build_xlsx(report: OverlayReport) -> bytes:
    """A workbook: 汇总 (what was analysed, the layers, one row per boundary) and one sheet per boundary."""
    wb = Workbook()
    summary = _Sheet(wb.active)
    summary.ws.title = _("汇总")
    sections = report.sections()
    summary.line(str(TITLE), bold=True, size=14)
    summary.line(_("生成时间（北京时间）"), report.created_local)
    summary.line(_("数据范围"), report.scope_label)
    summary.line(_("边界来源"), report.source)
    summary.line(_("说明"), str(AREA_NOTE))
    summary.ws.append([])
    summary.table(_("分析图层"),
                  [_("图层"), _("类型"), _("版本"), _("数据年份"), _("数据来源"), _("导入时间（北京时间）")],
                  ([u.name, u.kind_label, u.version, u.year, u.source,
                    timezone.localtime(u.imported_at).strftime("%Y-%m-%d %H:%M")]
                   for u in report.layers), [None] * 6)
    summary.table(_("各边界汇总"),
        [_("边界"), _("面积（平方米）"), _("面积（公顷）"), _("面积（亩）"), _("耕地净面积（亩）"), _("判定")],
                  ([s.label, round(s.result.gross_m2, 2), hectares(s.result.gross_m2), mu(s.result.gross_m2),
                    mu(s.result.farmland_net_m2), flags_text(s)] for s in sections), [None, _M2, _HA, _MU, _MU, None])
    summary.finish()
    area_heads = [_("毛面积（公顷）"), _("毛面积（亩）"), _("净面积（公顷）"), _("净面积（亩）")]
    for s in sections:
        sheet = _Sheet(wb.create_sheet(_sheet_title(s, len(sections))))
        sheet.line(s.label, bold=True, size=13)
        sheet.ws.append([])
        sheet.table(_("面积汇总"), [_("项目"), _("平方米"), _("公顷"), _("亩")],
                    ([name, round(v, 2), hectares(v), mu(v)] for name, v in s.summary), [None, _M2, _HA, _MU])
        if len(s.subtotals) > 1:
            headers, rows = subtotal_table(s)
            sheet.table(_("分县小计"), headers, rows, [None, _HA, *[_MU] * (len(headers) - 4), None, None])
        sheet.table(_("三大类"), [_("地类"), *area_heads], _class_rows(s.big, with_code=False),
                    [None, _HA, _MU, _HA, _MU])
        headers, rows = s.ownership
        sheet.table(_("权属"), headers, rows, [None, _HA, *[_MU] * (len(headers) - 2)])
        if s.has_unknown_ownership:
            sheet.line(_("说明"), str(OWNERSHIP_NOTE))
        sheet.table(_("一级类"), [_("编码"), _("地类"), *area_heads], _class_rows(s.level1, with_code=True),
                    [None, None, _HA, _MU, _HA, _MU])
        sheet.table(_("二级类"), [_("编码"), _("地类"), *area_heads], _class_rows(s.codes, with_code=True),
                    [None, None, _HA, _MU, _HA, _MU])
        sheet.table(_("管控图层"),
                    [_("图层"), _("类型"), _("区内（公顷）"), _("区内（亩）"), _("区外（公顷）"), _("区外（亩）")],
                    ([c.name, c.kind_label, hectares(c.inside_m2), mu(c.inside_m2),
                      None if c.outside_m2 is None else hectares(c.outside_m2),
                      None if c.outside_m2 is None else mu(c.outside_m2)]
                     for c in s.controls), [None, None, _HA, _MU, _HA, _MU])
        sheet.table(_("判定"), [_("判定"), _("面积（公顷）"), _("面积（亩）"), _("依据图层")],
                    ([f.label, hectares(f.area_m2), mu(f.area_m2), f.layers] for f in s.flags), [None, _HA, _MU, None])
        if s.not_evaluated:
            sheet.line(_("未评价（未选择相应图层）"), join_list(s.not_evaluated))
        for warning in s.warnings:
            sheet.line(_("提示"), warning)
        sheet.finish()
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_title(s: Section, count: int) -> str:
    # Excel: ≤ 31 characters, none of []:*?/\ — and unique, hence the number.
    name = "".join(ch for ch in s.label if ch not in "[]:*?/\\")
    return f"{s.index + 1} {name}"[:31] if count > 1 else name[:31] or _("边界")


# --- docx ------------------------------------------------------------------------------------------------


def section_figure(s: Section) -> bytes | None:
    """The boundary's land: its DLTB pieces coloured by first-level class, the boundary (their union) outlined."""
    pieces = s.result.pieces
    geometries = list(pieces.geometry)
    if not geometries:
        return None
    level1 = [str(code)[:2] for code in pieces.dlbm]
    legend = [LegendEntry(LEVEL1_COLOURS.get(code, UNKNOWN_CLASS_COLOUR), gettext(LEVEL1_NAMES.get(code, code)))
              for code in sorted(set(level1))]
    outline = shapely.union_all(shapely.make_valid(np.array(geometries, dtype=object)))
    return map_png([FigureLayer(geometries, [LEVEL1_COLOURS.get(c, UNKNOWN_CLASS_COLOUR) for c in level1],
                                outline="#777777", width=0.5),
                    FigureLayer([outline], None, outline="#c0392b", width=2.5)],
                   [*legend, LegendEntry("#c0392b", gettext("分析范围"), outline_only=True)])


def build_docx(report: OverlayReport) -> bytes:
    doc = documents.new_document(title=str(TITLE), author=report.scope_label, subject=report.source)
    documents.add_title(doc, str(TITLE))
    for label, value in ((_("生成时间（北京时间）"), report.created_local), (_("数据范围"), report.scope_label),
                         (_("边界来源"), report.source)):
        doc.add_paragraph(f"{label}：{value}")
    documents.add_table(doc, [_("图层"), _("类型"), _("版本"), _("数据年份"), _("数据来源")],
                        [[u.name, u.kind_label, f"v{u.version}", str(u.year or "—"), u.source or "—"]
                         for u in report.layers], heading=_("分析图层"))
    sections = report.sections()
    area_heads = [_("毛面积（公顷）"), _("毛面积（亩）"), _("净面积（公顷）"), _("净面积（亩）")]

    def class_rows(rows: list[ClassArea], with_code: bool) -> list[list[str]]:
        return [[*([r.key] if with_code else []), str(r.label), f"{hectares(r.gross_m2):,.4f}",
                 f"{mu(r.gross_m2):,.2f}",
                 f"{hectares(r.net_m2):,.4f}", f"{mu(r.net_m2):,.2f}"] for r in rows]

    none = _("无")
    for s in sections:
        documents.add_heading(doc, s.label if len(sections) == 1 else f"{s.index + 1}. {s.label}", level=1)
        doc.add_paragraph(_("判定：%(flags)s") % {"flags": flags_text(s)})
        if s.not_evaluated:
            doc.add_paragraph(_("未评价（未选择相应图层）：%(items)s") % {"items": join_list(s.not_evaluated)})
        documents.add_figure(doc, section_figure(s), _("图：%(label)s 地类分布（一级类）") % {"label": s.label})
        documents.add_table(doc, [_("项目"), _("平方米"), _("公顷"), _("亩")],
                            [[name, f"{v:,.2f}", f"{hectares(v):,.4f}", f"{mu(v):,.2f}"] for name, v in s.summary],
                            heading=_("面积汇总"), level=2)
        if len(s.subtotals) > 1:
            headers, rows = subtotal_table(s)
            documents.add_table(doc, headers, [shown_row(row) for row in rows], heading=_("分县小计"), level=2)
        documents.add_table(doc, [_("地类"), *area_heads], class_rows(s.big, False), heading=_("三大类"), level=2,
                            empty=none)
        headers, rows = s.ownership
        documents.add_table(doc, headers, [shown_row(row) for row in rows], heading=_("权属"), level=2, empty=none)
        if s.has_unknown_ownership:
            doc.add_paragraph(str(OWNERSHIP_NOTE))
        documents.add_table(doc, [_("编码"), _("地类"), *area_heads], class_rows(s.level1, True), heading=_("一级类"),
                            level=2, empty=none)
        documents.add_table(doc, [_("编码"), _("地类"), *area_heads], class_rows(s.codes, True), heading=_("二级类"),
                            level=2, empty=none)
        if s.controls:
            documents.add_table(doc, [_("图层"), _("类型"), _("区内（公顷）"), _("区内（亩）"), _("区外（亩）")],
                                [[c.name, c.kind_label, f"{hectares(c.inside_m2):,.4f}", f"{mu(c.inside_m2):,.2f}",
                                  "—" if c.outside_m2 is None else f"{mu(c.outside_m2):,.2f}"] for c in s.controls],
                                heading=_("管控图层"), level=2)
        if s.flags:
            documents.add_table(doc, [_("判定"), _("面积（公顷）"), _("面积（亩）"), _("依据图层")],
                                [[f.label, f"{hectares(f.area_m2):,.4f}", f"{mu(f.area_m2):,.2f}", f.layers or "—"]
                                 for f in s.flags], heading=_("判定"), level=2)
        for warning in s.warnings:
            doc.add_paragraph(_("提示：%(warning)s") % {"warning": warning})
    note = doc.add_paragraph(str(AREA_NOTE))
    note.runs[0].font.size = Pt(9)
    return documents.to_bytes(doc)


def shown_row(row: Sequence[Any]) -> list[str]:
    """A subtotal_table row as text: 公顷 to 4 decimals (the second column), 亩 to 2."""
    return [f"{v:,.4f}" if i == 1 else f"{v:,.2f}" if isinstance(v, float) else str(v) for i, v in enumerate(row)]

